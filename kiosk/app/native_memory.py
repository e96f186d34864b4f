"""Keep the C heap from creeping up over days: glibc's malloc, tuned for a process that never ends.

WHY: the terminal's native memory (Kivy's textures and text surfaces, SDL, Mesa's software
renderer, OpenCV) is allocated and freed all day long in blocks of every size, from several threads.
With glibc's defaults two things made the resident size creep up in the soak although no object
leaked (live widgets, textures and Python objects stayed flat):

- every thread that allocates gets its own malloc arena (up to 8 per CPU), and freed memory in one
  arena is of no use to another: the anonymous mappings grew by 163 MB in 1,800 sessions;
- the threshold above which a block gets its own mapping (returned to the system when freed) moves
  up each time such a block is freed, so label-sized pixel buffers (a few hundred KB) end up inside
  the heap, where they fragment it.

Measured in the soak (bench/soak.py, 500 sessions): resident size after 100 sessions 668 -> 487 MB,
and the anonymous mappings flat (+2 MB instead of +90 MB in the same stretch).

The settings are the ones glibc reads from MALLOC_ARENA_MAX, MALLOC_MMAP_THRESHOLD_ and
MALLOC_TRIM_THRESHOLD_; setting them with mallopt() here means they hold however the terminal was
started (systemd unit, demo command, tests). Elsewhere than glibc this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import time
from functools import cache

log = logging.getLogger(__name__)

# mallopt() parameters, from glibc's <malloc.h>
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8

ARENAS = 2  # the UI thread's arena and one shared by every other thread
OWN_MAPPING_FROM = 128 * 1024  # glibc's starting value, now fixed: big buffers go back when freed
TRIM_ABOVE = 128 * 1024  # free memory at the top of the heap beyond this is returned at once


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
    except (OSError, AttributeError):  # not glibc (musl has no mallopt): nothing to tune
        return None
    return libc


def tune_malloc() -> bool:
    """Set the arena count and fixed thresholds; call before threads start. False where not glibc."""
    libc = _libc()
    if libc is None:
        return False
    done = all(
        libc.mallopt(param, value) == 1
        for param, value in (
            (M_ARENA_MAX, ARENAS),
            (M_MMAP_THRESHOLD, OWN_MAPPING_FROM),
            (M_TRIM_THRESHOLD, TRIM_ABOVE),
        )
    )
    if not done:
        log.warning("malloc could not be tuned: the resident size may creep up over days")
    return done


def release_free_memory() -> float:
    """Give free pages anywhere in the heap back to the system (malloc_trim); returns the seconds.

    Called at rest, after the garbage collector's pass between citizens has freed the last
    session's objects: the holes they leave inside the heap are returned, not only its top.
    """
    libc = _libc()
    started = time.perf_counter()
    if libc is not None:
        libc.malloc_trim(0)
    return time.perf_counter() - started


class _MallInfo2(ctypes.Structure):
    """glibc's ``struct mallinfo2`` (glibc 2.33 and later: Debian 12 has 2.36)."""

    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def heap_usage() -> dict[str, int] | None:
    """What malloc holds, in bytes: ``in_use`` (live blocks in its arenas), ``free`` (freed blocks it
    keeps inside them) and ``mapped`` (big blocks in mappings of their own), or None where not glibc.

    WHY: when the resident size creeps up, this tells a leak (``in_use`` grows: something keeps
    what it allocates) from fragmentation (``free`` grows: freed holes no new block fits)."""
    libc = _libc()
    mallinfo2 = getattr(libc, "mallinfo2", None)
    if mallinfo2 is None:
        return None
    mallinfo2.restype = _MallInfo2
    info = mallinfo2()
    return {"in_use": info.uordblks, "free": info.fordblks, "mapped": info.hblkhd}
