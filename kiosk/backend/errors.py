"""Stable error kinds of the backend; the screens turn each into plain Chinese (kiosk.messages)."""

from __future__ import annotations

from enum import StrEnum


class BackendErrorKind(StrEnum):
    UNAVAILABLE = "unavailable"  # connection refused / reset / DNS
    TIMEOUT = "timeout"
    CIRCUIT_OPEN = "circuit_open"  # recent failures: we do not even try
    AUTH_FAILED = "auth_failed"
    CLOCK_SKEW = "clock_skew"
    REPLAY = "replay"
    FORBIDDEN_TYPE = "forbidden_type"
    NOT_FOUND = "not_found"
    TOKEN_EXPIRED = "token_expired"
    TOKEN_USED = "token_used"
    RATE_LIMITED = "rate_limited"
    INVALID_REQUEST = "invalid_request"
    INTERNAL = "internal"  # 5xx
    BAD_RESPONSE = "bad_response"  # malformed, oversized, or failed validation


class BackendError(Exception):
    """Raised by every backend call that did not produce a valid answer."""

    def __init__(self, kind: BackendErrorKind, detail: str = "") -> None:
        super().__init__(f"{kind.value}: {detail}" if detail else kind.value)
        self.kind = kind
        self.detail = detail
