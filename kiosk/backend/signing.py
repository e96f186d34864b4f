"""Request signing (calling-system authentication, backend-api.md).

``X-Signature`` = hex HMAC(secret, ``METHOD\\nPATH[?QUERY]\\nTIMESTAMP\\nNONCE\\nhex(H(body))``) where
H and the HMAC hash are SHA-256 (``hmac-sha256``, the default) or SM3 (``hmac-sm3``, for gateways
that require the national algorithms); ``X-Signature-Method`` names which. A fresh nonce and
timestamp per attempt, so a retry is never mistaken for a replay.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Any

from gmssl import sm3

METHOD_HEADER = {"hmac-sha256": "HMAC-SHA256", "hmac-sm3": "HMAC-SM3"}


class _GmsslSm3:
    """A hashlib-shaped SM3 (for the stdlib ``hmac``) when OpenSSL lacks SM3."""

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


def _sm3_constructor() -> Callable[..., Any]:
    try:
        hashlib.new("sm3")
    except ValueError:
        return _GmsslSm3
    return lambda data=b"": hashlib.new("sm3", data)


_HASHES: dict[str, Callable[..., Any]] = {"hmac-sha256": hashlib.sha256, "hmac-sm3": _sm3_constructor()}


def signing_text(
    method: str, target: str, timestamp: str, nonce: str, body: bytes, algorithm: str = "hmac-sha256"
) -> bytes:
    body_hash = _HASHES[algorithm](body).hexdigest()
    return "\n".join([method.upper(), target, timestamp, nonce, body_hash]).encode("utf-8")


def new_nonce() -> str:
    return secrets.token_hex(16)


def sign_headers(
    method: str,
    target: str,
    body: bytes,
    terminal_id: str,
    secret: str,
    timestamp: int,
    nonce: str,
    algorithm: str = "hmac-sha256",
) -> dict[str, str]:
    """The authentication headers for one request."""
    ts = str(int(timestamp))
    text = signing_text(method, target, ts, nonce, body, algorithm)
    mac = hmac.new(secret.encode("utf-8"), text, _HASHES[algorithm])
    return {
        "X-Terminal-Id": terminal_id,
        "X-Timestamp": ts,
        "X-Nonce": nonce,
        "X-Signature-Method": METHOD_HEADER[algorithm],
        "X-Signature": mac.hexdigest(),
    }
