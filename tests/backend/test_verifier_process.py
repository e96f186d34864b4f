"""Where signatures are checked: with native SM2 in a thread of the app, below its priority; on the
pure-Python fallback in a worker process that never outlives the terminal app."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.processes import alive

REPO = Path(__file__).resolve().parents[2]
CHILD = """
import os, sys, time
from kiosk.crypto import sm2
sm2.use_pure_python("test: the fallback")
from kiosk.backend.verifier import _executor, warm_up
warm_up()
pool = _executor()
print(pool.submit(os.getpid).result(timeout=60), flush=True)
time.sleep(120)
"""


def test_on_the_fallback_the_worker_is_another_process_and_leaves_when_the_app_is_killed() -> None:
    app = subprocess.Popen(
        [sys.executable, "-c", CHILD], cwd=REPO, stdout=subprocess.PIPE, text=True, env={**os.environ}
    )
    try:
        assert app.stdout is not None
        worker = int(app.stdout.readline())
        assert worker != app.pid and alive(worker)  # its own interpreter: no GIL shared with the UI
        os.kill(app.pid, signal.SIGKILL)  # no clean shutdown at all
        app.wait(10)
        deadline = time.monotonic() + 10
        while alive(worker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(worker), "the verifier outlived the app"
    finally:
        app.kill()


def test_with_native_sm2_the_verifier_is_a_thread_of_the_app() -> None:
    """No process to spawn, no records pickled through a pipe, no second interpreter resident."""
    import asyncio
    import threading

    from kiosk.backend import verifier
    from kiosk.crypto import sm2

    assert sm2.backend() == sm2.NATIVE
    assert verifier.mode() == "thread"
    pid, name = asyncio.run(verifier.run_verifier(_where))
    assert pid == os.getpid() and name.startswith("sm2-verify") and name != threading.current_thread().name


def _where() -> tuple[int, str]:
    import threading

    return os.getpid(), threading.current_thread().name


def test_the_verifier_and_the_embedded_server_yield_the_cpu_to_the_screen(tmp_path: Path) -> None:
    """Verification and the demo's stand-in backend run below the app's priority, so on a 2-CPU
    terminal they do not slow the software renderer's frames."""
    import asyncio

    from kiosk.backend.verifier import THREAD_NICE, run_verifier
    from kiosk.wiring.backend import EMBEDDED_SERVER_NICE, start_embedded_refserver

    ours = os.getpriority(os.PRIO_PROCESS, 0)
    worker = asyncio.run(run_verifier(os.getpriority, os.PRIO_PROCESS, 0))  # the thread's own
    assert worker == min(19, ours + THREAD_NICE) and worker > ours
    server = start_embedded_refserver(tmp_path / "server")
    try:
        assert os.getpriority(os.PRIO_PROCESS, server.process.pid) == min(19, ours + EMBEDDED_SERVER_NICE)
    finally:
        server.stop()


NICED_START = """
import asyncio, json, os, sys, threading
from kiosk.crypto import sm2
if sys.argv[1] == "python":
    sm2.use_pure_python("test: the fallback")
from kiosk.backend.verifier import run_verifier
seen = {}
def from_a_niced_thread():
    os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), os.getpriority(os.PRIO_PROCESS, 0) + 5)
    seen["worker"] = asyncio.run(run_verifier(os.getpriority, os.PRIO_PROCESS, 0))
t = threading.Thread(target=from_a_niced_thread)
t.start(); t.join()
print(json.dumps({"app": os.getpriority(os.PRIO_PROCESS, 0), **seen}))
"""


@pytest.mark.parametrize("sm2_path", ["openssl", "python"])
def test_the_verifier_runs_below_the_app_whichever_thread_started_it(sm2_path: str) -> None:
    """The pool starts from whichever thread verifies first, often the backend client's loop thread,
    which runs 5 nicer than the UI: the verifier's priority is set from the app's, so the fallback's
    process runs 10 nicer than the app (not 15), and the native path's thread 5."""
    import json
    import subprocess
    import sys

    from kiosk.backend.verifier import THREAD_NICE, WORKER_NICE

    done = subprocess.run(
        [sys.executable, "-c", NICED_START, sm2_path], capture_output=True, text=True, timeout=60, check=True
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    nice = THREAD_NICE if sm2_path == "openssl" else WORKER_NICE
    assert seen["worker"] == min(19, seen["app"] + nice)
