"""Kill a terminal process with SIGKILL mid-session and restart it (tests/ops/test_sigkill.py and
bench/faults.py): returns what a test asserts and the fault matrix reports."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.ops.scan import Hit, scan_files

ROOT = Path(__file__).resolve().parents[2]
KIOSK = Path(sys.executable).with_name("kiosk")


@dataclass
class KillOutcome:
    notify_messages: list[str] = field(default_factory=list)
    killed_rc: int | None = None
    restart_first_step: str = ""
    restart_rc: int | None = None
    verify_rc: int | None = None
    verify_output: str = ""
    audit_text: str = ""
    files_searched: int = 0
    hits: list[Hit] = field(default_factory=list)


def _child(tmp: Path, state: Path, mode: str, notify: Path | None = None) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "NOTIFY_SOCKET")}
    env.update(HOME=str(tmp / "home"), TMPDIR=str(tmp / "tmp"), XDG_CACHE_HOME=str(tmp / "home" / ".cache"))
    env["PYTHONPATH"] = str(ROOT)
    if notify is not None:
        env.update(NOTIFY_SOCKET=str(notify), WATCHDOG_USEC="400000")  # a ping every 0.2 s
    cmd = [sys.executable, "-m", "tests.ops.kill_child", str(state), str(tmp / "server.json"), mode]
    return subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )


def _wait_line(proc: subprocess.Popen[str], marker: str, timeout: float = 120) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"child ended (rc={proc.wait()}) before {marker!r}")
        if line.startswith(marker):
            return line.strip()
    raise AssertionError(f"no {marker!r} within {timeout} s")


def kill_mid_session(tmp_path: Path, server: Any) -> KillOutcome:
    """Run a session in a child process, SIGKILL it after identification, tear the audit's last
    line as a power cut would, restart it, and look at everything it left on disk."""
    out = KillOutcome()
    for d in ("home", "tmp", "state"):
        (tmp_path / d).mkdir(parents=True, exist_ok=True)
    state = tmp_path / "state"
    info = {
        "url": server.url,
        "secret": server.secret,
        "issuer_keys": server.issuer_keys,
        "terminal_id": server.terminal_id,
    }
    (tmp_path / "server.json").write_text(json.dumps(info), encoding="utf-8")
    os.chmod(tmp_path / "server.json", 0o600)

    sock_path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(sock_path))
    stop = threading.Event()

    def collect() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                out.notify_messages.append(sock.recv(4096).decode())
            except TimeoutError:
                continue

    reader = threading.Thread(target=collect, daemon=True)
    reader.start()
    proc = _child(tmp_path, state, "session", sock_path)
    try:
        _wait_line(proc, "FIRST_STEP")
        _wait_line(proc, "IDENTIFIED")
        _wait_line(proc, "WAITING_FOR_KILL")
        os.kill(proc.pid, signal.SIGKILL)  # mid-session: a citizen's certificates are on screen
        out.killed_rc = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        stop.set()
        reader.join(timeout=5)
        sock.close()

    with (state / "audit.jsonl").open("ab") as fh:  # a power cut could also tear the last line
        fh.write(b'{"seq":999,"event":"sess')
    again = _child(tmp_path, state, "start")
    try:
        out.restart_first_step = _wait_line(again, "FIRST_STEP").split()[-1]
        out.restart_rc = again.wait(timeout=60)
    finally:
        if again.poll() is None:
            again.kill()
            again.wait()
    verify = subprocess.run(
        [str(KIOSK), "audit", "verify", str(state / "audit.jsonl")], capture_output=True, text=True
    )
    out.verify_rc, out.verify_output = verify.returncode, verify.stdout + verify.stderr
    out.audit_text = (state / "audit.jsonl").read_text(encoding="utf-8")
    out.files_searched, out.hits = scan_files([state, tmp_path / "home", tmp_path / "tmp"])
    return out
