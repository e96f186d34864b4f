"""The staff PIN as a slow salted hash (scrypt, standard library): ``scrypt$n$r$p$salt$hash``.

WHY scrypt: a PIN has few digits, so a fast hash on a stolen secrets file falls to brute force in
seconds; scrypt makes every guess cost memory and time. The PIN itself is never stored or logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

N, R, P = 2**14, 8, 1
SALT_BYTES = 16
KEY_BYTES = 32
PIN_MIN, PIN_MAX = 6, 12


class PinFormatError(ValueError):
    """The PIN is not 6–12 digits (the message is plain Chinese for the staff member)."""


def check_pin_format(pin: str) -> None:
    if not pin.isascii() or not pin.isdigit() or not PIN_MIN <= len(pin) <= PIN_MAX:
        raise PinFormatError(f"PIN 须为 {PIN_MIN}–{PIN_MAX} 位数字")
    if len(set(pin)) == 1 or pin in "0123456789012" or pin in "9876543210987":
        raise PinFormatError("PIN 过于简单（全部相同或连续数字），请换一个")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _derive(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=KEY_BYTES, maxmem=64 * 1024 * 1024)


def hash_pin(pin: str, *, n: int = N, r: int = R, p: int = P) -> str:
    """Check the format and hash with a fresh random salt."""
    check_pin_format(pin)
    salt = secrets.token_bytes(SALT_BYTES)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(_derive(pin, salt, n, r, p))}"


def verify_pin(pin: str, stored: str) -> bool:
    """Constant-time comparison; a malformed or empty stored hash never verifies."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest, validate=True)
        actual = _derive(pin, base64.b64decode(salt, validate=True), int(n), int(r), int(p))
    except (ValueError, TypeError, MemoryError):
        return False
    return hmac.compare_digest(actual, expected)
