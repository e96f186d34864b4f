"""Resident size over many camera starts and stops, as the terminal does once per citizen (issue 21:
growth ≤ 2 MB over 2,000 sessions), beside the same decoding done in a new thread per cycle.

Each cycle starts the simulated scanner (capture and decode threads, glibc's malloc tuned as the
terminal tunes it), shows it a new code, waits until it is read, and stops it. The anchor decodes
one frame with the same decoder in a thread started for that cycle, which is what every start did
before the loops kept their threads (drivers/camera/worker.py): OpenCV's per-thread data stays
behind when a thread ends. Readings are taken after a GC pass and ``malloc_trim``, as at rest.

    .venv/bin/python bench/camera_cycle_bench.py [--cycles 1000] [--warmup 50]
"""

from __future__ import annotations

import argparse
import gc
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.app.native_memory import release_free_memory, tune_malloc


def rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * 4096 / 1e6


def at_rest_mb() -> float:
    gc.collect()
    release_free_memory()
    return rss_mb()


def measure(name: str, cycle: Callable[[int], None], cycles: int, warmup: int) -> float:
    """Growth in MB per 1,000 cycles (least squares over a reading every tenth of the run)."""
    for n in range(warmup):
        cycle(n)
    every = max(1, cycles // 10)
    readings = [(0, at_rest_mb())]
    started = time.perf_counter()
    for n in range(1, cycles + 1):
        cycle(warmup + n)
        if n % every == 0:
            readings.append((n, at_rest_mb()))
    xs, ys = [x for x, _ in readings], [y for _, y in readings]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in readings) / sum((x - mx) ** 2 for x in xs)
    print(
        f"{name}: {cycles} cycles in {time.perf_counter() - started:.0f} s; at rest "
        f"{ys[0]:.1f} -> {ys[-1]:.1f} MB ({ys[-1] - ys[0]:+.2f}); trend {slope * 1000:+.2f} MB per 1,000",
        flush=True,
    )
    return slope * 1000


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cycles", type=int, default=1000)
    p.add_argument("--warmup", type=int, default=50)
    args = p.parse_args()
    tune_malloc()

    from drivers.camera.decoder import QrDecoder
    from drivers.camera.simulated import SimulatedCamera, SimulatedQrScanner

    camera = SimulatedCamera(width=640, height=480, fps=30)
    scanner = SimulatedQrScanner(camera)
    read = threading.Event()

    def scanner_cycle(n: int) -> None:
        read.clear()
        scanner.start(lambda _text: read.set())
        camera.show(f"LZ:cycle-token-{n:06d}")
        if not read.wait(15):
            raise RuntimeError(f"cycle {n}: the code was not read")
        camera.clear()
        scanner.stop(wait=5)

    decoder = QrDecoder()
    camera.show("LZ:cycle-token-anchor")
    camera.start()
    got = camera.wait_frame(0, 10)
    camera.stop(wait=5)
    if got is None:
        raise RuntimeError("the simulated camera gave no frame")
    frame = got[1]

    def thread_per_cycle(_n: int) -> None:
        worker = threading.Thread(target=decoder.decode, args=(frame,), kwargs={"thorough": True})
        worker.start()
        worker.join()

    kept = measure("scanner start/read/stop, threads kept", scanner_cycle, args.cycles, args.warmup)
    fresh = measure("anchor: a decode in a new thread per cycle", thread_per_cycle, args.cycles, args.warmup)
    print(
        f"growth per 1,000 citizens from the camera: {kept:+.2f} MB; "
        f"each thread started per citizen instead: {fresh:+.2f} MB per 1,000"
    )


if __name__ == "__main__":
    main()
