"""Where certificate signatures are checked: in a separate worker process, not in a thread.

WHY a process: SM2 in gmssl is pure Python and takes tens of milliseconds a record. In a thread it
holds the GIL, and the UI thread, which gives the GIL up on every blocking call, waits up to a
switch interval to get it back each time. (On the 2-CPU build machine moving it made no measurable
difference to the soak's frame gaps, whose causes were elsewhere; it keeps the crypto from ever
competing with the UI for one interpreter.) A spawned process (not forked: forking a process that
runs SDL, GL and driver threads is unsafe) has its own interpreter; the records it receives pass
through a pipe and live only in its memory, like in this process. If the worker dies, the pool
is rebuilt; if a process cannot be started at all, verification falls back to a thread (same
result).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

log = logging.getLogger("kiosk.backend")
T = TypeVar("T")

_lock = threading.Lock()
_pool: Executor | None = None
_fallback = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sm2-verify")


# the worker's nice value: verification yields the CPU to the UI and its software renderer. WHY:
# on a 2-CPU terminal, records verified while the certificate list fills in slowed the GL raster
# of those frames; a badge that turns green a little later is better than a stuttering screen
WORKER_NICE = 10


def _start_worker(parent: int) -> None:
    """In the worker: run below the app's priority, and leave when the terminal app is gone."""
    with contextlib.suppress(OSError):  # not allowed to change it: verify at the normal priority
        # relative to the app's main thread, not to the thread that happened to start the pool: the
        # backend client's loop thread already runs 5 nicer, and a worker started from it ran at 15
        target = min(19, os.getpriority(os.PRIO_PROCESS, parent) + WORKER_NICE)
        if target > os.getpriority(os.PRIO_PROCESS, 0):
            os.setpriority(os.PRIO_PROCESS, 0, target)
    # Ctrl+C at a terminal reaches the whole process group: the app shuts the pool down itself, and
    # a worker interrupted mid-wait only printed a KeyboardInterrupt traceback over the demo's note
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent(parent)


def _exit_with_parent(parent: int) -> None:
    """Leave when the terminal app is gone (even killed with SIGKILL), so no orphan keeps a record
    in memory. Polling the parent id is simple and works whichever of the app's threads started the
    worker (PR_SET_PDEATHSIG would follow that thread, not the app)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _executor() -> Executor:
    global _pool
    with _lock:
        if _pool is None:
            try:
                _pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker,
                    initargs=(os.getpid(),),
                )
            except (OSError, NotImplementedError) as exc:  # no /dev/shm, no semaphores...
                log.warning("backend: no verifier process (%s); verifying in a thread", exc)
                _pool = _fallback
        return _pool


def _discard(broken: Executor) -> None:
    global _pool
    with _lock:
        if _pool is broken:
            _pool = None
    broken.shutdown(wait=False, cancel_futures=True)


def warm_up() -> None:
    """Start the worker process now (at app start), so the first citizen does not wait for it."""
    _executor().submit(int)


async def run_verifier(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in the verifier process (``fn`` and its arguments must pickle)."""
    loop = asyncio.get_running_loop()
    executor = _executor()
    try:
        return await loop.run_in_executor(executor, fn, *args)
    except BrokenProcessPool:
        log.warning("backend: the verifier process died; starting a new one")
        _discard(executor)
        return await loop.run_in_executor(_executor(), fn, *args)
