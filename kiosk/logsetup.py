"""Structured logging (JSON lines) with personal data masked.

Log records are for technicians: they may leave the terminal in a diagnostics report, so they carry
session ids and outcomes, never names or ID numbers. Code masks what it logs (kiosk.privacy); the
filter here masks any ID-number-shaped token that slipped through, as a second line of defence.
A full disk or read-only log directory degrades to stderr only: logging must never stop service.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import sys
import time
from pathlib import Path
from typing import Any

from kiosk.privacy import mask_text

_RESERVED = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class MaskingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_text(record.getMessage())
        record.args = None
        for key, value in list(record.__dict__.items()):
            if key not in _RESERVED and isinstance(value, str):
                record.__dict__[key] = mask_text(value)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(record.created))
            + f".{int(record.msecs):03d}",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value if isinstance(value, int | float | bool | type(None)) else str(value)
        if record.exc_info:
            entry["exc"] = mask_text(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class _SafeRotatingHandler(logging.handlers.RotatingFileHandler):
    """Drops records quietly when the disk is full or read-only instead of raising into the app."""

    def handleError(self, record: logging.LogRecord) -> None:
        return


def setup_logging(log_dir: Path | None, level: int = logging.INFO, to_stderr: bool = True) -> None:
    for noisy in ("httpx", "httpcore", "escpos", "asyncio", "PIL", "hpack"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(level)
    masking = MaskingFilter()
    formatter = JsonFormatter()
    if to_stderr:
        stream = logging.StreamHandler(sys.stderr)
        stream.addFilter(masking)
        stream.setFormatter(formatter)
        root.addHandler(stream)
    if log_dir is not None:
        try:
            log_dir.mkdir(parents=True, exist_ok=True)
            handler = _SafeRotatingHandler(
                log_dir / "kiosk.log", maxBytes=5_000_000, backupCount=5, encoding="utf-8"
            )
        except OSError as exc:
            logging.getLogger(__name__).warning("file logging disabled: %s", exc.strerror)
        else:
            handler.addFilter(masking)
            handler.setFormatter(formatter)
            root.addHandler(handler)
