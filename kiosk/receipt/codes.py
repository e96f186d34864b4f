"""The verification code printed as a QR on receipts: ``KIOSK-V1:<terminal id>:<receipt id>:<hmac8>``.

A member of staff (or the terminal's own camera) scanning a receipt can tell that this terminal
printed it without any personal data being in the code: the HMAC (SHA-256, first 8 hex digits) over
``<terminal id>:<receipt id>`` with the terminal's secret binds the two ids. Eight hex digits are
enough to stop casual forgery of a paper slip; the backend's 用证记录 remains the authority.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256

PREFIX = "KIOSK-V1"
_ID = r"[A-Za-z0-9_.-]{1,64}"
_PATTERN = re.compile(rf"^{PREFIX}:(?P<terminal>{_ID}):(?P<receipt>{_ID}):(?P<mac>[0-9a-f]{{8}})$")


@dataclass(frozen=True, slots=True)
class ReceiptCode:
    terminal_id: str
    receipt_id: str
    mac: str


def _mac(terminal_id: str, receipt_id: str, secret: bytes) -> str:
    return hmac.new(secret, f"{terminal_id}:{receipt_id}".encode(), sha256).hexdigest()[:8]


def new_receipt_id(now: datetime) -> str:
    """Time-ordered and unguessable: ``YYYYMMDDHHMMSS-xxxxxx``."""
    return f"{now:%Y%m%d%H%M%S}-{secrets.token_hex(3)}"


def make_receipt_code(terminal_id: str, receipt_id: str, secret: bytes) -> str:
    """The QR text for a receipt. Raises ``ValueError`` for ids outside ``[A-Za-z0-9_.-]{1,64}``."""
    for name, value in (("terminal_id", terminal_id), ("receipt_id", receipt_id)):
        if not re.fullmatch(_ID, value):
            raise ValueError(f"{name} must match {_ID}: {value!r}")
    return f"{PREFIX}:{terminal_id}:{receipt_id}:{_mac(terminal_id, receipt_id, secret)}"


def parse_receipt_code(text: str) -> ReceiptCode | None:
    """The parts of a receipt code, or None if ``text`` is not one (no MAC check)."""
    match = _PATTERN.match(text.strip())
    if not match:
        return None
    return ReceiptCode(match["terminal"], match["receipt"], match["mac"])


def verify_receipt_code(text: str, secret: bytes) -> bool:
    """True if ``text`` is a receipt code whose MAC matches ``secret``."""
    code = parse_receipt_code(text)
    if code is None:
        return False
    return hmac.compare_digest(code.mac, _mac(code.terminal_id, code.receipt_id, secret))
