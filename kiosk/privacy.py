"""Masking of personal data for screens, receipts and logs (architecture.md: 4502**********1234, 张*).

The terminal never writes personal data in clear. Code that logs a value about a person passes it
through these helpers; :class:`kiosk.logsetup.MaskingFilter` is a second line of defence that masks
anything shaped like an ID number that slipped into a log message anyway.
"""

from __future__ import annotations

import re

# 15/18-digit resident numbers, 18-char foreign and HMT numbers, 9-digit card numbers and
# long runs of digits in general: anything that might identify a person.
_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15}|[A-Z]{3}\d{12}|9\d{16}[\dXx])(?![0-9A-Za-z])")


def mask_id(value: str | None) -> str:
    """Keep the first 4 and last 4 characters of an identifier: 4502**********0088."""
    if not value:
        return ""
    if len(value) <= 8:
        return value[:1] + "*" * (len(value) - 1)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_name(value: str | None) -> str:
    """Keep the first character of a Chinese name (张*, 阿**), or the first letter of a Latin one."""
    if not value:
        return ""
    if value.isascii():
        parts = value.replace(",", " ").split()
        return " ".join(p[:1] + "*" * (len(p) - 1) for p in parts)
    return value[:1] + "*" * max(1, len(value) - 1)


def mask_text(text: str) -> str:
    """Mask every ID-number-shaped token in free text."""
    return _ID_LIKE.sub(lambda m: mask_id(m.group(0)), text)
