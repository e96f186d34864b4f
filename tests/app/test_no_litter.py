"""A start leaves nothing behind in the temporary folder: a terminal restarted by its watchdog for
months, and every CLI call, must not fill /tmp (66 python-escpos folders were found on one machine)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

KIOSK = Path(sys.executable).with_name("kiosk")
ROOT = Path(__file__).resolve().parents[2]


def private_env(home: Path, **extra: str) -> dict[str, str]:
    tmp = home / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "TMPDIR")}
    env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    env.pop("XDG_CACHE_HOME", None)
    env.update(HOME=str(home), TMPDIR=str(tmp), PYTHONPATH=str(ROOT), **extra)
    return env


def test_the_printer_drivers_keep_python_escpos_out_of_tmp(tmp_path: Path) -> None:
    """python-escpos made a mkdtemp() folder at every import, even with its variable set."""
    env = private_env(tmp_path)
    for _ in range(2):  # the first run writes the pickle into the cache, the second loads it
        subprocess.run([sys.executable, "-c", "import drivers.printer"], env=env, check=True, timeout=60)
    assert list((tmp_path / "tmp").iterdir()) == []
    cache = tmp_path / ".cache" / "kiosk" / "escpos"
    assert [p.name.endswith(".capabilities.pickle") for p in cache.iterdir()] == [True]
    assert cache.stat().st_mode & 0o077 == 0  # the pickle is loaded: nobody else may write there

    own = tmp_path / "own"
    own.mkdir()
    env["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(own)  # a caller's own folder wins
    subprocess.run([sys.executable, "-c", "import drivers.printer"], env=env, check=True, timeout=60)
    assert list((tmp_path / "tmp").iterdir()) == []
    assert len(list(own.iterdir())) == 1


def test_a_cache_folder_others_can_write_is_not_used(tmp_path: Path) -> None:
    cache = tmp_path / ".cache" / "kiosk" / "escpos"
    cache.mkdir(parents=True)
    cache.chmod(0o777)  # a planted pickle there would run as the kiosk's user
    env = private_env(tmp_path)
    code = (
        "import os, drivers.printer; d = os.environ['ESCPOS_CAPABILITIES_PICKLE_DIR']; "
        "print(d); assert os.path.isdir(d)"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60, capture_output=True)
    used = done.stdout.decode().strip()
    assert used != str(cache) and list(cache.iterdir()) == []
    assert list((tmp_path / "tmp").iterdir()) == []  # the private stand-in is removed at exit


def start_and_stop(command: str, home: Path) -> None:
    """``kiosk <command>`` offscreen until its first frame is drawn, then SIGTERM, as systemd stops it."""
    logs = home / "logs"
    env = private_env(
        home,
        KIOSK__PATHS__STATE_DIR=str(home / "state"),
        KIOSK__PATHS__LOG_DIR=str(logs),
        KIOSK__BACKEND__TERMINAL_SECRET="litter-test-secret",
        SDL_AUDIODRIVER="dummy",
        # a session's runtime folder, as logind gives the terminal's user: without one, libpulse
        # (loaded by espeak-ng as the voice prompts are made) keeps its folder in TMPDIR, one per
        # user and reused through ~/.config/pulse, not one per start
        XDG_RUNTIME_DIR=str(home / "run"),
    )
    (home / "run").mkdir(mode=0o700)
    proc = subprocess.Popen([str(KIOSK), command], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        log_file = logs / "kiosk.log"
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                assert proc.stderr is not None
                pytest.fail(f"kiosk {command} exited with {proc.returncode}: {proc.stderr.read()[-2000:]!r}")
            if log_file.is_file() and any(
                json.loads(line).get("msg") == "first frame drawn"
                for line in log_file.read_text(encoding="utf-8").splitlines()
                if line.startswith("{")
            ):
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"kiosk {command}: no first frame")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.ui
@pytest.mark.parametrize("command", ["run", "demo"])
def test_a_start_and_stop_leave_the_temporary_folder_empty(tmp_path: Path, command: str) -> None:
    start_and_stop(command, tmp_path)
    assert sorted(p.name for p in (tmp_path / "tmp").iterdir()) == []


def test_a_kivy_home_left_by_a_killed_process_is_removed_at_the_next_start(tmp_path: Path) -> None:
    """A watchdog's SIGABRT or a SIGKILL runs no exit handler: the next start sweeps what it left,
    and leaves alone a live process's folder and any folder not named by a pid."""
    env = private_env(tmp_path)
    tmp = tmp_path / "tmp"
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    stale = tmp / f"kiosk-kivy-{gone.pid}-abc123"
    (stale / "mods").mkdir(parents=True)
    alive = tmp / f"kiosk-kivy-{os.getpid()}-def456"  # this test's own process is alive
    alive.mkdir()
    other = tmp / "kiosk-kivy-notapid"
    other.mkdir()
    code = "from kiosk.app.environment import lock_down_kivy; print(lock_down_kivy())"
    done = subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60, capture_output=True)
    home = done.stdout.decode().strip()
    assert Path(home).parent == tmp and not Path(home).exists()  # its own: removed at its exit
    assert sorted(p.name for p in tmp.iterdir()) == sorted([alive.name, other.name])
