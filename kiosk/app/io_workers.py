"""The worker threads that run the terminal's blocking calls, all started at once.

WHY: ``asyncio.to_thread`` (card reads, printer status, receipts, disk checks) uses the event loop's
default thread pool, which starts a thread only when a call finds none idle. On a terminal that
runs for weeks that made the thread count creep up whenever two calls overlapped for the first
time (the soak saw one more thread after 600 sessions), which looks like a leak to whoever
watches it. Started in full, the pool is as large as Python's default one and never changes.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait

from kiosk.thread_priority import run_below_the_screen


def default_size() -> int:
    """Python's own default for the pool (``ThreadPoolExecutor``): CPUs + 4, at most 32."""
    return min(32, (os.cpu_count() or 1) + 4)


def started_pool(workers: int | None = None, name: str = "kiosk-io") -> ThreadPoolExecutor:
    """A thread pool whose workers are all running when it is returned, each a little below the
    screen's priority (kiosk.thread_priority)."""
    size = workers or default_size()
    pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix=name, initializer=run_below_the_screen)
    # each task waits until every worker holds one, so the pool has to start them all
    all_started = threading.Barrier(size)
    started = [pool.submit(all_started.wait, 10) for _ in range(size)]
    done, _ = wait(started, timeout=15)
    if len(done) != size:  # cannot happen short of a starved machine; the pool still works
        all_started.abort()
    return pool
