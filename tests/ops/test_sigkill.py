"""A terminal killed with SIGKILL in the middle of a session (power cut, OOM killer, watchdog):

* while it ran, systemd got READY=1 after the first frame and WATCHDOG=1 pings from the UI loop —
  and none while that loop was frozen;
* the restarted process starts at the attract screen (no half session survives a restart);
* nothing personal is on disk (state, logs, HOME, TMPDIR), in UTF-8, UTF-16 or GBK;
* the audit chain verifies, also after a torn last line (``audit_recovered``).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from tests.ops.scan import scan_files

ROOT = Path(__file__).resolve().parents[2]
KIOSK = Path(sys.executable).with_name("kiosk")


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


def test_sigkill_mid_session_leaves_no_half_session_and_no_personal_data(
    tmp_path: Path, ops_server: Any
) -> None:
    for d in ("home", "tmp", "state"):
        (tmp_path / d).mkdir()
    state = tmp_path / "state"
    info = {
        "url": ops_server.url,
        "secret": ops_server.secret,
        "issuer_keys": ops_server.issuer_keys,
        "terminal_id": ops_server.terminal_id,
    }
    (tmp_path / "server.json").write_text(json.dumps(info), encoding="utf-8")
    os.chmod(tmp_path / "server.json", 0o600)

    sock_path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(sock_path))
    messages: list[str] = []
    stop = threading.Event()

    def collect() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                messages.append(sock.recv(4096).decode())
            except TimeoutError:
                continue

    reader = threading.Thread(target=collect, daemon=True)
    reader.start()
    proc = _child(tmp_path, state, "session", sock_path)
    try:
        assert _wait_line(proc, "FIRST_STEP") == "FIRST_STEP attract"
        _wait_line(proc, "IDENTIFIED")
        _wait_line(proc, "WAITING_FOR_KILL")
        os.kill(proc.pid, signal.SIGKILL)  # mid-session: a citizen's certificates are on screen
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        stop.set()
        reader.join(timeout=5)
        sock.close()

    # the watchdog: READY first, pings from the loop, none while the loop was frozen, pings after
    assert messages and messages[0].startswith("READY=1")
    start, end = messages.index("STATUS=freeze-start"), messages.index("STATUS=freeze-end")
    before, during, after = messages[:start], messages[start + 1 : end], messages[end + 1 :]
    assert before.count("WATCHDOG=1") >= 1
    assert "WATCHDOG=1" not in during
    assert after.count("WATCHDOG=1") >= 1

    # a power cut could also tear the audit's last line: the restart must cope with that too
    with (state / "audit.jsonl").open("ab") as fh:
        fh.write(b'{"seq":999,"event":"sess')
    again = _child(tmp_path, state, "start")
    try:
        assert _wait_line(again, "FIRST_STEP") == "FIRST_STEP attract"  # no half session
        assert again.wait(timeout=60) == 0
    finally:
        if again.poll() is None:
            again.kill()
            again.wait()

    verify = subprocess.run(
        [str(KIOSK), "audit", "verify", str(state / "audit.jsonl")], capture_output=True, text=True
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    audit = (state / "audit.jsonl").read_text(encoding="utf-8")
    assert '"audit_recovered"' in audit and '"identified"' in audit

    searched, hits = scan_files([state, tmp_path / "home", tmp_path / "tmp"])
    assert searched >= 2 and not hits, hits
