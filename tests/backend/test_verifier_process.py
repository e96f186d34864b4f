"""Signatures are checked in a worker process that never outlives the terminal app."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.processes import alive

REPO = Path(__file__).resolve().parents[2]
CHILD = """
import os, sys, time
from kiosk.backend.verifier import _executor, warm_up
warm_up()
pool = _executor()
print(pool.submit(os.getpid).result(timeout=60), flush=True)
time.sleep(120)
"""


def test_worker_is_another_process_and_leaves_when_the_app_is_killed() -> None:
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


def test_the_verifier_and_the_embedded_server_yield_the_cpu_to_the_screen(tmp_path: Path) -> None:
    """Verification (pure-Python SM2) and the demo's stand-in backend run below the app's priority,
    so on a 2-CPU terminal they do not slow the software renderer's frames."""
    import asyncio

    from kiosk.backend.verifier import WORKER_NICE, run_verifier
    from kiosk.wiring.backend import EMBEDDED_SERVER_NICE, start_embedded_refserver

    ours = os.getpriority(os.PRIO_PROCESS, 0)
    worker = asyncio.run(run_verifier(os.getpriority, os.PRIO_PROCESS, 0))
    assert worker == min(19, ours + WORKER_NICE) and worker > ours
    server = start_embedded_refserver(tmp_path / "server")
    try:
        assert os.getpriority(os.PRIO_PROCESS, server.process.pid) == min(19, ours + EMBEDDED_SERVER_NICE)
    finally:
        server.stop()


NICED_START = """
import asyncio, json, os, threading
from kiosk.backend.verifier import run_verifier
seen = {}
def from_a_niced_thread():
    os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), os.getpriority(os.PRIO_PROCESS, 0) + 5)
    seen["worker"] = asyncio.run(run_verifier(os.getpriority, os.PRIO_PROCESS, 0))
t = threading.Thread(target=from_a_niced_thread)
t.start(); t.join()
print(json.dumps({"app": os.getpriority(os.PRIO_PROCESS, 0), **seen}))
"""


def test_the_verifier_is_10_nicer_than_the_app_whichever_thread_started_it() -> None:
    """The pool starts from whichever thread verifies first, often the backend client's loop thread,
    which runs 5 nicer than the UI: the worker's priority is set from the app's, not inherited."""
    import json
    import subprocess
    import sys

    from kiosk.backend.verifier import WORKER_NICE

    done = subprocess.run(
        [sys.executable, "-c", NICED_START], capture_output=True, text=True, timeout=60, check=True
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["worker"] == min(19, seen["app"] + WORKER_NICE)
