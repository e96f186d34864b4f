"""The stall sampler names where the UI thread was while no frame was drawn."""

from __future__ import annotations

import linecache
import threading
import time

from kiosk.ops.stalls import StallSampler


def _busy_in_a_known_place(stop: threading.Event) -> None:
    while not stop.is_set():
        sum(range(2000))  # pure Python: the sampler can take the GIL between bytecodes


def test_a_stall_is_recorded_with_its_length_context_and_place() -> None:
    frame = {"at": time.perf_counter()}
    stop = threading.Event()
    worker = threading.Thread(target=_busy_in_a_known_place, args=(stop,))
    worker.start()
    sampler = StallSampler(lambda: frame["at"], thread_id=worker.ident or 0, context=lambda: "identify")
    linecache.clearcache()
    sampler.start()
    try:
        time.sleep(0.4)  # no frame for 400 ms: one stall
        frame["at"] = time.perf_counter()  # a frame: the stall ends
        time.sleep(0.05)
    finally:
        sampler.stop()
        stop.set()
        worker.join()
    assert len(sampler.stalls) == 1
    seconds, where, places = sampler.longest(1)[0]
    assert 0.3 < seconds < 0.6 and where == "identify"
    assert any("_busy_in_a_known_place" in place for place, _s in places)
    assert sampler.stalled_seconds > 0  # samples × interval: fewer when the GIL is contended
    # file and line only: no source file read into memory (the soak's process is the one measured)
    assert __file__ not in linecache.cache
    sampler.clear()
    assert sampler.stalls == [] and sampler.stall_places == [] and sampler.stalled_seconds == 0
