"""Calling-system authentication: HMAC signature, clock skew, nonce replay and rate limits.

The signed text is ``METHOD \\n PATH[?QUERY] \\n TIMESTAMP \\n NONCE \\n hex(H(body))`` (the ``?QUERY``
part only when there is a query string). H and the HMAC hash are SHA-256 for a terminal registered
with ``hmac-sha256`` (default) and SM3 for ``hmac-sm3``; the registry decides, never the request
(``X-Signature-Method`` must agree with it), so a caller cannot choose a weaker method. Nonces are
remembered for twice the skew window, so a captured request cannot be replayed while its timestamp
would still pass. Nonce and rate state live in memory: one server process.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import deque
from collections.abc import Callable
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


def signing_text(
    method: str, path_and_query: str, timestamp: str, nonce: str, body: bytes, algorithm: str = "hmac-sha256"
) -> bytes:
    body_hash = HASHES[algorithm](body).hexdigest()
    return "\n".join([method.upper(), path_and_query, timestamp, nonce, body_hash]).encode("utf-8")


class Guard:
    def __init__(self, store: Store, skew_seconds: int = SKEW_SECONDS) -> None:
        self.store = store
        self.skew = skew_seconds
        self._lock = threading.Lock()
        self._nonces: dict[tuple[str, str], float] = {}
        self._calls: dict[str, deque[float]] = {}

    def check(
        self,
        method: str,
        path_and_query: str,
        headers: dict[str, str],
        body: bytes,
        now: float | None = None,
    ) -> Terminal:
        now = time.time() if now is None else now
        terminal_id = headers.get("x-terminal-id", "")
        ts = headers.get("x-timestamp", "")
        nonce = headers.get("x-nonce", "")
        signature = headers.get("x-signature", "")
        terminal = self.store.terminal(terminal_id) if terminal_id else None
        if terminal is None:
            raise AuthProblem(401, "AUTH_FAILED", "unknown terminal")
        if len(nonce) < 32 or len(nonce) > 128 or any(c not in "0123456789abcdefABCDEF" for c in nonce):
            raise AuthProblem(401, "AUTH_FAILED", "nonce must be at least 16 random bytes in hex")
        try:
            ts_value = int(ts)
        except ValueError:
            raise AuthProblem(401, "AUTH_FAILED", "bad timestamp") from None
        declared = headers.get("x-signature-method", "") or METHOD_HEADER["hmac-sha256"]
        if declared.upper() != METHOD_HEADER[terminal.algorithm]:
            raise AuthProblem(
                401, "AUTH_FAILED", f"this terminal signs with {METHOD_HEADER[terminal.algorithm]}"
            )
        digest = HASHES[terminal.algorithm]
        text = signing_text(method, path_and_query, ts, nonce, body, terminal.algorithm)
        expected = hmac.new(terminal.secret.encode("utf-8"), text, digest).hexdigest()
        if not hmac.compare_digest(expected, signature.lower()):
            raise AuthProblem(401, "AUTH_FAILED", "bad signature")
        if abs(now - ts_value) > self.skew:
            raise AuthProblem(401, "CLOCK_SKEW", f"timestamp more than {self.skew} s off the server clock")
        with self._lock:
            self._forget_old(now)
            key = (terminal.id, nonce.lower())
            if key in self._nonces:
                raise AuthProblem(409, "REPLAY", "nonce already used")
            self._nonces[key] = now + 2 * self.skew
            calls = self._calls.setdefault(terminal.id, deque())
            while calls and calls[0] <= now - 60:
                calls.popleft()
            if len(calls) >= terminal.rate_per_minute:
                raise AuthProblem(429, "RATE_LIMITED", "too many requests from this terminal")
            calls.append(now)
        return terminal

    def _forget_old(self, now: float) -> None:
        if len(self._nonces) < 10_000:
            return
        for key in [k for k, until in self._nonces.items() if until < now]:
            del self._nonces[key]
