"""Disk and clock self-checks: a terminal that runs for months must say when it is running out of
disk, cannot write its state, or has a clock far from the backend's (signatures, audit times and
receipts all depend on it) — and keep serving citizens while it says so."""

from __future__ import annotations

import contextlib
import math
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DiskStatus:
    free_bytes: int
    writable: bool
    low: bool

    @property
    def state(self) -> str:
        return "down" if not self.writable else ("degraded" if self.low else "ok")


def check_state_dir(state_dir: Path, min_free_mb: int) -> DiskStatus:
    """Blocking (run it in a worker thread): free space, and whether a small file can be written."""
    try:
        free = shutil.disk_usage(state_dir).free
    except OSError:
        free = 0
    probe = state_dir / f".write-probe-{secrets.token_hex(4)}"
    writable = True
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, b"\0" * 512)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        writable = False
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()
    return DiskStatus(free, writable, free < min_free_mb * 1_000_000)


def clock_skewed(offset_seconds: float, limit_seconds: float) -> bool:
    """Beyond the limit — or not a number at all (NaN compares false with any limit)."""
    return not math.isfinite(offset_seconds) or abs(offset_seconds) > limit_seconds
