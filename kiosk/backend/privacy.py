"""Masking for log lines: personal data never reaches a log unmasked (4502**********0088, 韦*)."""

from __future__ import annotations

import logging
import re

_IDENTIFIER = re.compile(r"1\.2\.156\.3005\.2\.[0-9A-Za-z.]+")


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


def mask_identifiers_in(text: str) -> str:
    return _IDENTIFIER.sub(lambda m: mask_identifier(m.group(0)), text)


class MaskIdentifiersFilter(logging.Filter):
    """Masks certificate identifiers in other libraries' log lines (httpx logs every URL at INFO)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_identifiers_in(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


def install_log_masking() -> None:
    """Attach the filter to the ``httpx`` logger once (idempotent)."""
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, MaskIdentifiersFilter) for f in logger.filters):
        logger.addFilter(MaskIdentifiersFilter())
