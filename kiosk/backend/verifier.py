"""Where certificate signatures are checked: a thread when SM2 is native, else a worker process.

With OpenSSL's SM2 (kiosk.crypto.sm2) a record takes about 0.2-0.4 ms, nearly all of it inside
libcrypto with the GIL released (ctypes lets it go): a thread of this process does it, with no
process to spawn at app start, no pickling of records through a pipe, and no second interpreter
resident all day (25 MB and more).

WHY a process on the pure-Python fallback (gmssl, tens of milliseconds a record): in a thread it
holds the GIL, and the UI thread, which gives the GIL up on every blocking call, waits up to a
switch interval to get it back each time. A spawned process (not forked: forking a process that
runs SDL, GL and driver threads is unsafe) has its own interpreter; the records it receives pass
through a pipe and live only in its memory, like in this process. If the worker dies, the pool
is rebuilt; if a process cannot be started at all, verification falls back to a thread (same
result).

Either way the work runs below the app's priority (the thread at THREAD_NICE, the process at
WORKER_NICE), so the software renderer wins a contended core.
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

from kiosk.crypto import sm2

log = logging.getLogger("kiosk.backend")
T = TypeVar("T")

_lock = threading.Lock()
_pool: Executor | None = None


# the worker's nice value: verification yields the CPU to the UI and its software renderer. WHY:
# on a 2-CPU terminal, records verified while the certificate list fills in slowed the GL raster
# of those frames; a badge that turns green a little later is better than a stuttering screen
WORKER_NICE = 10
# the verifier thread's, with native SM2: its work is a few milliseconds a list, like the other
# background threads' (kiosk.thread_priority)
THREAD_NICE = 5


def _below_the_app(app: int, nice: int) -> None:
    """Lower the calling thread (or worker process) to the app's main thread's priority + ``nice``.

    Relative to the app, not to the thread that happened to start the pool: the backend client's
    loop thread already runs 5 nicer, and a worker started from it would otherwise run at 15."""
    with contextlib.suppress(OSError):  # not allowed to change it: verify at the normal priority
        target = min(19, os.getpriority(os.PRIO_PROCESS, app) + nice)
        if target > os.getpriority(os.PRIO_PROCESS, 0):
            os.setpriority(os.PRIO_PROCESS, 0, target)


def _start_worker(parent: int) -> None:
    """In the worker: run below the app's priority, and leave when the terminal app is gone."""
    _below_the_app(parent, WORKER_NICE)
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


def _thread_pool() -> Executor:
    return ThreadPoolExecutor(
        max_workers=1,
        thread_name_prefix="sm2-verify",
        initializer=_below_the_app,
        initargs=(os.getpid(), THREAD_NICE),
    )


def mode() -> str:
    """``"thread"`` or ``"process"``: where signatures are checked (diagnostics, tests)."""
    return "process" if isinstance(_executor(), ProcessPoolExecutor) else "thread"


def _executor() -> Executor:
    global _pool
    with _lock:
        if _pool is None and sm2.backend() == sm2.NATIVE:
            _pool = _thread_pool()
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
                _pool = _thread_pool()
        return _pool


def _discard(broken: Executor) -> None:
    global _pool
    with _lock:
        if _pool is broken:
            _pool = None
    broken.shutdown(wait=False, cancel_futures=True)


def warm_up() -> None:
    """Load libcrypto and start the verifier thread or worker process now (at app start), so the
    first citizen does not wait for it."""
    _executor().submit(int)


async def run_verifier(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in the verifier thread or process (``fn`` and its arguments must pickle: the
    pure-Python fallback sends them to a process)."""
    loop = asyncio.get_running_loop()
    executor = _executor()
    try:
        return await loop.run_in_executor(executor, fn, *args)
    except BrokenProcessPool:
        log.warning("backend: the verifier process died; starting a new one")
        _discard(executor)
        return await loop.run_in_executor(_executor(), fn, *args)
