"""The reference server embedded in demo mode (and the soak) never outlives the process that started it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from tests.support.processes import alive

REPO = Path(__file__).resolve().parents[2]
PARENT = """
import json, sys, time
from pathlib import Path
from kiosk.wiring.backend import start_embedded_refserver
server = start_embedded_refserver(Path(sys.argv[1]))
print(json.dumps({"pid": server.pid, "url": server.url}), flush=True)
time.sleep(120)
"""


def accepts(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return True
    except OSError:
        return False


def test_the_embedded_server_leaves_when_its_parent_is_killed(tmp_path: Path) -> None:
    """SIGKILL runs no handler in the parent: the server must notice by itself (its stdin pipe)."""
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(tmp_path / "server")],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    pid = 0
    try:
        assert parent.stdout is not None
        started = json.loads(parent.stdout.readline())
        pid, url = int(started["pid"]), str(started["url"])
        assert alive(pid) and accepts(url)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 15
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(pid), "the reference server outlived its parent"
        assert not accepts(url), "its port still answers"
    finally:
        parent.kill()
        if pid and alive(pid):
            os.kill(pid, signal.SIGKILL)
