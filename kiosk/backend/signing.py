"""Request signing (calling-system authentication, backend-api.md).

``X-Signature`` = hex HMAC-SHA256(secret, ``METHOD\\nPATH[?QUERY]\\nTIMESTAMP\\nNONCE\\nhex(SHA-256(body))``).
A fresh nonce and timestamp per attempt, so a retry is never mistaken for a replay.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets


def signing_text(method: str, target: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return "\n".join([method.upper(), target, timestamp, nonce, hashlib.sha256(body).hexdigest()]).encode(
        "utf-8"
    )


def new_nonce() -> str:
    return secrets.token_hex(16)


def sign_headers(
    method: str, target: str, body: bytes, terminal_id: str, secret: str, timestamp: int, nonce: str
) -> dict[str, str]:
    """The four authentication headers for one request."""
    ts = str(int(timestamp))
    mac = hmac.new(secret.encode("utf-8"), signing_text(method, target, ts, nonce, body), hashlib.sha256)
    return {"X-Terminal-Id": terminal_id, "X-Timestamp": ts, "X-Nonce": nonce, "X-Signature": mac.hexdigest()}
