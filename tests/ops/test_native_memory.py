"""glibc's malloc, tuned (kiosk.app.native_memory): freed buffers go back to the system.

Each case runs in a fresh interpreter, since malloc's settings and its heap are per process. The
pattern is the terminal's: a buffer the size of a label's pixels is allocated and freed, then many
such buffers live among small long-lived allocations and are freed; what the process keeps
resident afterwards is measured.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import sys
sys.path.insert(0, {root!r})
from kiosk.app.native_memory import release_free_memory, tune_malloc
from kiosk.ops.memory import resident_bytes

mode = {mode!r}
if mode == "tuned":
    assert tune_malloc()
big = bytearray(4 << 20)  # freeing a mapped 4 MB block raises glibc's default mapping threshold
del big
before = resident_bytes()
buffers, pins = [], []
for _ in range(200):
    pixels = bytearray(256 << 10)  # label-sized pixel buffers: 50 MB in all
    pixels[::4096] = b"x" * len(range(0, len(pixels), 4096))  # written, so resident
    buffers.append(pixels)
    pins.append(bytearray(1000))  # a small block that stays, between them
    pins[-1][0] = 1
del buffers
if mode == "trimmed":
    release_free_memory()
print((resident_bytes() - before) / 1e6)
"""


def kept_mb(mode: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", CHILD.format(root=str(ROOT), mode=mode)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return float(out.stdout.strip())


def test_untuned_malloc_keeps_freed_buffers_resident() -> None:
    """The problem the tuning solves (glibc's defaults), shown so the next test means something."""
    assert kept_mb("default") > 40


def test_tuned_malloc_gives_freed_buffers_back() -> None:
    assert kept_mb("tuned") < 5


def test_release_free_memory_returns_the_holes_left_in_the_heap() -> None:
    assert kept_mb("trimmed") < 5


def test_heap_usage_tells_live_blocks_from_freed_holes() -> None:
    """The soak's reading: blocks kept count as in use; freed ones pinned inside the heap by a
    small block after them count as free (fragmentation), not as in use."""
    child = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from kiosk.app.native_memory import heap_usage, tune_malloc
tune_malloc()
start = heap_usage()
kept = [bytearray(64 << 10) for _ in range(100)]  # 6.4 MB below the mapping threshold: in the heap
pin = bytearray(1000)
held = heap_usage()
del kept[:50]  # 3.2 MB freed, below the pin: a hole the heap keeps
freed = heap_usage()
print(held["in_use"] - start["in_use"], freed["in_use"] - held["in_use"], freed["free"] - held["free"])
"""
    out = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, timeout=60, check=True
    )
    grown, shrunk, holes = (int(v) / 1e6 for v in out.stdout.split())
    assert grown > 6.0
    assert shrunk < -3.0
    assert holes > 3.0
