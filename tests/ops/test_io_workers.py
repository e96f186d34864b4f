"""The pool for blocking calls starts all its threads at once, so the thread count never creeps."""

from __future__ import annotations

import os
import threading
import time

from kiosk.app.io_workers import started_pool
from kiosk.thread_priority import BACKGROUND_NICE


def pool_threads() -> int:
    return sum(t.name.startswith("test-io") for t in threading.enumerate())


def slow_echo(i: int) -> int:
    time.sleep(0.05)
    return i


def test_every_worker_runs_before_the_first_call_and_no_more_appear() -> None:
    pool = started_pool(3, name="test-io")
    try:
        assert pool_threads() == 3
        # more overlapping calls than workers: they queue, no thread is added
        results = list(pool.map(slow_echo, range(9)))
        assert results == list(range(9))
        assert pool_threads() == 3
    finally:
        pool.shutdown(wait=True)
    assert pool_threads() == 0


def own_nice(_: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, 0)  # on Linux: the calling thread's own value


def test_the_workers_run_below_the_screen_and_the_caller_keeps_its_priority() -> None:
    before = os.getpriority(os.PRIO_PROCESS, 0)
    pool = started_pool(2, name="test-io")
    try:
        assert set(pool.map(own_nice, range(4))) == {before + BACKGROUND_NICE}
        assert os.getpriority(os.PRIO_PROCESS, 0) == before  # the UI thread is not lowered
    finally:
        pool.shutdown(wait=True)
