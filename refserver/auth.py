"""Calling-system authentication: HMAC signature, clock skew, nonce replay and rate limits.

The signed text is ``METHOD \\n PATH[?QUERY] \\n TIMESTAMP \\n NONCE \\n hex(H(body))`` (the ``?QUERY``
part only when there is a query string). H and the HMAC hash are SHA-256 for a terminal registered
with ``hmac-sha256`` (default) and SM3 for ``hmac-sm3``; the registry decides, never the request
(``X-Signature-Method`` must agree with it), so a caller cannot choose a weaker method. Nonces are
remembered for twice the skew window, so a captured request cannot be replayed while its timestamp
would still pass. Nonce and rate state live in memory: one server process.

Order (issue 19 items 6 and 10): the headers are checked before the body is read or hashed, and the
timestamp window with them (its answer does not depend on the terminal); then the body is hashed and
the HMAC compared in constant time — with a random dummy key when the terminal is unknown, so that
an unknown terminal and a bad signature cost the same and get the same answer; then nonce and rate,
only for a request that proved who sent it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gmssl import sm3

from refserver.store import Store, Terminal

SKEW_SECONDS = 300
METHOD_HEADER = {"hmac-sha256": "HMAC-SHA256", "hmac-sm3": "HMAC-SM3"}


class _GmsslSm3:
    """hashlib-shaped SM3 for the stdlib ``hmac`` when OpenSSL has no SM3."""

    digest_size = 32
    block_size = 64
    name = "sm3"

    def __init__(self, data: bytes = b"") -> None:
        self._buf = bytearray(data)

    def update(self, data: bytes) -> None:
        self._buf += data

    def copy(self) -> _GmsslSm3:
        return _GmsslSm3(bytes(self._buf))

    def digest(self) -> bytes:
        return bytes.fromhex(sm3.sm3_hash(list(self._buf)))

    def hexdigest(self) -> str:
        return self.digest().hex()


def _sm3() -> Callable[..., Any]:
    try:
        hashlib.new("sm3")
    except ValueError:
        return _GmsslSm3
    return lambda data=b"": hashlib.new("sm3", data)


HASHES: dict[str, Callable[..., Any]] = {"hmac-sha256": hashlib.sha256, "hmac-sm3": _sm3()}


class AuthProblem(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message


# One answer for an unknown terminal, a wrong secret, a body that does not match the signature and a
# signature method the registry does not hold for the terminal: telling them apart would let anyone
# enumerate terminal ids (issue 19 item 10).
REFUSED_MESSAGE = "terminal id or signature not accepted"


def refused() -> AuthProblem:
    return AuthProblem(401, "AUTH_FAILED", REFUSED_MESSAGE)


def signing_text(
    method: str, path_and_query: str, timestamp: str, nonce: str, body: bytes, algorithm: str = "hmac-sha256"
) -> bytes:
    body_hash = HASHES[algorithm](body).hexdigest()
    return "\n".join([method.upper(), path_and_query, timestamp, nonce, body_hash]).encode("utf-8")


def mac_hex(key: bytes, text: bytes, algorithm: str) -> str:
    """The HMAC of ``text`` (one place, so that a test can see it is computed for every request)."""
    return hmac.new(key, text, HASHES[algorithm]).hexdigest()


# The header formats, also published in the OpenAPI document (refserver/app.py).
TERMINAL_ID_PATTERN = r"^[\x21-\x7e]{1,64}$"
TIMESTAMP_PATTERN = r"^[0-9]{1,12}$"
NONCE_PATTERN = r"^[0-9a-fA-F]{32,128}$"
SIGNATURE_PATTERN = r"^[0-9a-fA-F]{64}$"  # HMAC-SHA256 and HMAC-SM3 are both 32 bytes
METHOD_PATTERN = r"^HMAC-(SHA256|SM3)$"  # absent: HMAC-SHA256
_TERMINAL_ID = re.compile(TERMINAL_ID_PATTERN)
_TIMESTAMP = re.compile(TIMESTAMP_PATTERN)
_NONCE = re.compile(NONCE_PATTERN)
_SIGNATURE = re.compile(SIGNATURE_PATTERN)
ALGORITHMS = {header: algorithm for algorithm, header in METHOD_HEADER.items()}


@dataclass(frozen=True, slots=True)
class Pending:
    """A request whose headers passed the cheap checks; its body is still to be hashed."""

    terminal: Terminal | None  # None: unknown, which the answer must not tell
    timestamp: str
    nonce: str
    signature: str
    algorithm: str  # the one the request declares


def _hmac_pure_python(algorithm: str) -> bool:
    return HASHES[algorithm] is _GmsslSm3


class Guard:
    """Authenticates a request in two steps: :meth:`precheck` (headers only, before the body is read)
    and :meth:`verify` (hashes the body, compares the HMAC in constant time, then nonce and rate)."""

    def __init__(self, store: Store, skew_seconds: int = SKEW_SECONDS) -> None:
        self.store = store
        self.skew = skew_seconds
        self._lock = threading.Lock()
        self._nonces: dict[tuple[str, str], float] = {}
        self._calls: dict[str, deque[float]] = {}
        # an unknown terminal's request is hashed and MACed with this key, so that it costs what a
        # known terminal's does and fails at the same step with the same answer
        self._dummy_key = secrets.token_bytes(32)

    def precheck(self, headers: dict[str, str], now: float | None = None) -> Pending:
        """Headers present and well-formed, a known signature method, the timestamp in its window.

        Nothing here depends on whether the terminal exists, so its answers tell nobody that; the
        terminal is looked up (one indexed row) but only :meth:`verify` acts on it.
        """
        now = time.time() if now is None else now
        terminal_id = headers.get("x-terminal-id", "")
        ts = headers.get("x-timestamp", "")
        nonce = headers.get("x-nonce", "")
        signature = headers.get("x-signature", "")
        if not (terminal_id and ts and nonce and signature):
            raise AuthProblem(
                401, "AUTH_FAILED", "signed request needs X-Terminal-Id, X-Timestamp, X-Nonce and X-Signature"
            )
        if not _TERMINAL_ID.fullmatch(terminal_id):
            raise AuthProblem(401, "AUTH_FAILED", "X-Terminal-Id must be 1 to 64 printable ASCII characters")
        if not _TIMESTAMP.fullmatch(ts):
            raise AuthProblem(401, "AUTH_FAILED", "X-Timestamp must be Unix seconds")
        if not _NONCE.fullmatch(nonce):
            raise AuthProblem(401, "AUTH_FAILED", "X-Nonce must be at least 16 random bytes in hex")
        if not _SIGNATURE.fullmatch(signature):
            raise AuthProblem(401, "AUTH_FAILED", "X-Signature must be 64 hex digits")
        algorithm = ALGORITHMS.get(headers.get("x-signature-method", METHOD_HEADER["hmac-sha256"]))
        if algorithm is None:
            raise AuthProblem(401, "AUTH_FAILED", "X-Signature-Method must be HMAC-SHA256 or HMAC-SM3")
        if abs(now - int(ts)) > self.skew:
            raise AuthProblem(401, "CLOCK_SKEW", f"timestamp more than {self.skew} s off the server clock")
        terminal = self.store.terminal(terminal_id)
        return Pending(terminal, ts, nonce, signature.lower(), algorithm)

    @staticmethod
    def slow_hash(pending: Pending, body_size: int, inline_limit: int) -> bool:
        """Whether hashing this body would hold an event loop up (run it in a thread then)."""
        return body_size > inline_limit or _hmac_pure_python(pending.algorithm)

    def verify(
        self, pending: Pending, method: str, path_and_query: str, body: bytes, now: float | None = None
    ) -> Terminal:
        now = time.time() if now is None else now
        terminal = pending.terminal
        key = terminal.secret.encode("utf-8") if terminal is not None else self._dummy_key
        text = signing_text(method, path_and_query, pending.timestamp, pending.nonce, body, pending.algorithm)
        matches = hmac.compare_digest(mac_hex(key, text, pending.algorithm), pending.signature)
        # the registry decides the method, never the request: a terminal registered for HMAC-SM3
        # that signs with HMAC-SHA256 is refused like a wrong secret
        if terminal is None or not matches or terminal.algorithm != pending.algorithm:
            raise refused()
        with self._lock:
            self._forget_old(now)
            key_ = (terminal.id, pending.nonce.lower())
            if key_ in self._nonces:
                raise AuthProblem(409, "REPLAY", "nonce already used")
            self._nonces[key_] = now + 2 * self.skew
            calls = self._calls.setdefault(terminal.id, deque())
            while calls and calls[0] <= now - 60:
                calls.popleft()
            if len(calls) >= terminal.rate_per_minute:
                raise AuthProblem(429, "RATE_LIMITED", "too many requests from this terminal")
            calls.append(now)
        return terminal

    def check(
        self,
        method: str,
        path_and_query: str,
        headers: dict[str, str],
        body: bytes,
        now: float | None = None,
    ) -> Terminal:
        """Both steps at once (for callers that hold the whole body already)."""
        return self.verify(self.precheck(headers, now), method, path_and_query, body, now)

    def _forget_old(self, now: float) -> None:
        if len(self._nonces) < 10_000:
            return
        for key in [k for k, until in self._nonces.items() if until < now]:
            del self._nonces[key]
