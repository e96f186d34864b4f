"""A planned restart when the process has grown too big, taken only while nobody is at the terminal.

WHY: a terminal runs for months. Memory that the process itself does not leak can still grow inside
native libraries it does not own: measured here, Mesa's llvmpipe (the software OpenGL used where
there is no GPU driver) grew the heap by megabytes a session while it queued unpaced frames
(bench/gl_texture_growth.py; display.pace_frames is the fix), and a driver or font library can do
the same in ways not yet seen. Rather than let such growth end in the kernel's OOM killer in the
middle of a citizen's session, the app leaves cleanly once it is above a configured size and the
terminal has been at rest for a while; systemd (``Restart=always``) starts it again within seconds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


def resident_bytes() -> int:
    """This process's resident set size, from /proc (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


@dataclass(frozen=True)
class MemoryPolicy:
    """``limit_mb`` 0 never restarts; otherwise restart above it after ``rest_seconds`` at rest."""

    limit_mb: int
    rest_seconds: float

    def should_restart(self, rss_bytes: int, at_rest_for: float | None) -> bool:
        """``at_rest_for``: seconds on the attract screen with no citizen, ``None`` while in use."""
        if self.limit_mb <= 0 or rss_bytes <= self.limit_mb * 1_000_000:
            return False
        return at_rest_for is not None and at_rest_for >= self.rest_seconds
