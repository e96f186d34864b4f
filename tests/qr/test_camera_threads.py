"""The camera's capture and decode loops run on threads kept for the scanner's life
(drivers.camera.worker): OpenCV leaves its per-thread data behind when a thread ends, so a thread
per start grew the terminal by a little for every citizen."""

from __future__ import annotations

import gc
import threading
import time

from drivers.camera.simulated import SimulatedCamera, SimulatedQrScanner
from drivers.camera.worker import Worker
from tests.qr.conftest import Collector


def test_every_restart_runs_on_the_same_capture_and_decode_threads(
    scanners: list, collector: Collector
) -> None:
    scanner = SimulatedQrScanner(SimulatedCamera(width=320, height=240, fps=30))
    scanners.append(scanner)
    seen: list[tuple[int | None, int | None]] = []
    for n in range(3):
        scanner.start(collector)
        scanner.show(f"LZ:restart-token-{n:02d}")
        assert collector.wait_for(n + 1)[-1] == f"LZ:restart-token-{n:02d}"
        decode, capture = scanner._thread, scanner.source._thread
        assert decode is not None and capture is not None
        seen.append((decode.native_id, capture.native_id))
        scanner.camera.clear()
        scanner.stop(wait=5)
        assert not decode.is_alive() and not capture.is_alive()  # each run ended with its stop
    assert len(set(seen)) == 1, seen
    decode_id, capture_id = seen[0]
    assert decode_id is not None and capture_id is not None and decode_id != capture_id
    alive = {t.native_id for t in threading.enumerate()}
    assert decode_id in alive and capture_id in alive  # parked, waiting for the next citizen


class _Owner:
    """Stands for a scanner: the worker's thread lives as long as this does."""


def test_a_run_that_joins_itself_returns_at_once() -> None:
    owner = _Owner()
    worker = Worker("test-worker-self", owner)
    took: list[float] = []
    runs: list = []
    ready = threading.Event()

    def stop_from_inside() -> None:
        ready.wait(5)
        started = time.monotonic()
        runs[0].join(10)  # a scanner callback calling stop(wait=…) on its own decode thread
        took.append(time.monotonic() - started)

    runs.append(worker.submit(stop_from_inside))
    ready.set()
    runs[0].join(15)
    assert not runs[0].is_alive()
    assert took and took[0] < 1.0


def test_runs_queue_in_order_and_a_failing_run_does_not_end_the_thread() -> None:
    owner = _Owner()
    worker = Worker("test-worker-order", owner)
    order: list[str] = []
    gate = threading.Event()

    def first() -> None:
        gate.wait(10)
        order.append("first")

    def broken() -> None:
        order.append("broken")
        raise RuntimeError("a device that failed")

    runs = [worker.submit(first), worker.submit(broken), worker.submit(order.append, "third")]
    time.sleep(0.2)
    assert order == [] and all(r.is_alive() for r in runs)  # queued behind the run still going
    gate.set()
    runs[-1].join(10)
    assert order == ["first", "broken", "third"]
    assert len({r.native_id for r in runs}) == 1


def test_the_thread_ends_when_its_owner_is_collected() -> None:
    owner = _Owner()
    worker = Worker("test-worker-owner", owner)
    worker.submit(lambda: None).join(10)
    thread = worker.thread
    assert thread is not None and thread.is_alive()
    del owner
    gc.collect()
    thread.join(10)
    assert not thread.is_alive()
