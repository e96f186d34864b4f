"""Masking for log lines: personal data never reaches a log unmasked (4502**********0088, 韦*)."""

from __future__ import annotations


def mask_code(code: str) -> str:
    """ID numbers and holder codes: first 4 and last 4 characters."""
    if len(code) <= 8:
        return "*" * len(code)
    return code[:4] + "*" * (len(code) - 8) + code[-4:]


def mask_name(name: str) -> str:
    return (name[:1] + "*") if name else ""


def mask_identifier(identifier: str) -> str:
    """Certificate identifiers carry a per-person serial: keep the type code and the check only."""
    parts = identifier.split(".")
    if len(parts) < 8:
        return "***"
    return ".".join([*parts[5:6], "***", parts[-1]])
