"""Masking personal data for paper: a receipt may be left on the counter, so it carries only masks."""

from __future__ import annotations


def mask_name(name: str) -> str:
    """韦桂兰 -> 韦*: one star whatever the length, so the mask does not tell the name's length either."""
    name = name.strip()
    if not name:
        return ""
    if name.isascii():
        return " ".join(part[:1] + "*" for part in name.split())
    return name[0] + "*"


def mask_id(id_number: str) -> str:
    """4502**********0088: first four and last four kept; short numbers keep less."""
    value = id_number.strip()
    if len(value) <= 4:
        return "*" * len(value)
    if len(value) <= 8:
        return value[:1] + "*" * (len(value) - 2) + value[-1:]
    return value[:4] + "*" * (len(value) - 8) + value[-4:]
