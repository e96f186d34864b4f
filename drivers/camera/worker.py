"""One long-lived thread per camera loop, reused by every run, instead of a new thread per start.

WHY: OpenCV keeps per-thread data (its random generator, the state of its parallel loops) in
thread-local storage that it does not free when the thread ends; its maintainers advise a thread
pool over a thread per task (opencv/opencv#9745, #23912). The camera is started for each citizen
and stopped after, so a thread per start left about 0.9 KB behind per thread (the anchor of
bench/camera_cycle_bench.py), two threads a session (capture and decoding), for as long as the
terminal runs: bench/camera_cycle_bench.py measured +2.19 MB per 1,000 start/read/stop cycles
of the scanner before this change and +0.36 MB after, against issue 21's 2 MB over 2,000 sessions.

A ``Worker`` runs what is submitted to it one run after another on the same daemon thread. A run
submitted while the previous one is still finishing (a stop that did not wait for a hung device)
starts once that one has returned, which is what the capture loop needs anyway: the device is
released before it is opened again. The thread ends when its owner is collected.
"""

from __future__ import annotations

import logging
import queue
import threading
import weakref
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


_this_thread = threading.local()


def setup_once(setup: Callable[[], None] | None) -> None:
    """Call ``setup`` in the calling thread unless it already ran there.

    WHY: a run's thread setup lowers the thread's priority relative to where it is
    (kiosk.thread_priority); called at every run of a kept thread, it would lower it again each
    time a citizen came, down to the lowest, and the camera would lose every contended core.
    """
    if setup is None:
        return
    done: list[Callable[[], None]] = _this_thread.__dict__.setdefault("setups", [])
    if setup in done:
        return
    setup()
    done.append(setup)


class Run:
    """One submitted call: what a per-run ``threading.Thread`` used to answer (alive, join, name)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.native_id: int | None = None  # the worker thread's, once the run has begun
        self._ident: int | None = None
        self._done = threading.Event()

    def is_alive(self) -> bool:
        """Whether the run is queued or running (a finished run's thread goes on serving others)."""
        return not self._done.is_set()

    def join(self, timeout: float | None = None) -> None:
        """Wait up to ``timeout`` seconds for the run to return; at once when called from the run
        itself (a callback of the run stopping its own loop cannot wait for itself)."""
        if self._ident is not None and self._ident == threading.get_ident():
            return
        self._done.wait(timeout)


class Worker:
    """A daemon thread named ``name`` that runs the submitted calls in order, for its owner's life."""

    def __init__(self, name: str, owner: object) -> None:
        self.name = name
        self._jobs: queue.SimpleQueue[tuple[Run, Callable[..., Any], tuple[Any, ...]] | None] = (
            queue.SimpleQueue()
        )
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        # the owner gone, the thread ends (it holds no reference to the owner between runs)
        weakref.finalize(owner, self._jobs.put, None)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Run:
        run = Run(self.name)
        with self._lock:
            self._jobs.put((run, fn, args))
            if self._thread is None or not self._thread.is_alive():
                thread = threading.Thread(target=_serve, args=(self._jobs,), name=self.name, daemon=True)
                thread.start()
                self._thread = thread
        return run

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread


def _serve(jobs: queue.SimpleQueue[tuple[Run, Callable[..., Any], tuple[Any, ...]] | None]) -> None:
    """The worker thread: a module function, so that the thread keeps no reference to the owner."""
    while True:
        job = jobs.get()
        if job is None:
            return
        run, fn, args = job
        run.native_id, run._ident = threading.get_native_id(), threading.get_ident()
        try:
            fn(*args)
        except Exception:  # a run's failure is its own: the thread goes on serving the next one
            log.exception("%s: a run failed", run.name)
        finally:
            run._done.set()
            del job, fn, args  # nothing of this run is held while the thread waits for the next
