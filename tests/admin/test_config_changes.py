"""Admin mode on a real controller: validated changes saved atomically, applied live, audited;
refusals with reasons; a crash between write and rename leaves the previous file intact."""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from kiosk.admin import AdminMode, ConfigStore
from kiosk.admin.changes import HIDDEN, diff_configs
from kiosk.audit import AuditLog
from kiosk.controller import Controller, Devices
from kiosk.settings import load_config
from tests.admin.conftest import PIN
from tests.support.ui import FakeClock, make_config

REPO = Path(__file__).resolve().parents[2]


class Staff:
    def __init__(self, tmp_path: Path, pin_hash: str) -> None:
        self.config_file = tmp_path / "terminal.toml"
        self.audit_path = tmp_path / "audit.jsonl"
        self.clock = FakeClock()
        config = make_config(
            {"admin": {"pin_hash": pin_hash}, "paths": {"state_dir": str(tmp_path / "state")}}
        )
        self.controller = Controller(config, Devices(), None, AuditLog(self.audit_path), clock=self.clock)
        self.mode = AdminMode(self.controller, ConfigStore(self.config_file, None))

    def audit(self, event: str) -> list[dict[str, Any]]:
        assert self.controller.audit.flush()  # the log's writer thread has put everything on disk
        lines = self.audit_path.read_text(encoding="utf-8").splitlines()
        return [e["data"] for e in map(json.loads, lines) if e["event"] == event]


@pytest.fixture
def staff(tmp_path: Path, pin_hash: str) -> Staff:
    return Staff(tmp_path, pin_hash)


def test_change_is_saved_applied_live_and_audited(staff: Staff) -> None:
    c, mode = staff.controller, staff.mode
    assert mode.change("timeouts.idle_seconds", 90).ok is False  # locked: nothing happens
    assert not staff.config_file.exists()
    assert mode.unlock(PIN).ok
    outcome = mode.change("timeouts.idle_seconds", 90)
    assert outcome.ok and outcome.restart == [] and outcome.message == "已保存并生效"
    assert c.machine.idle_seconds == 90 and c.config.timeouts.idle_seconds == 90
    assert tomllib.loads(staff.config_file.read_text(encoding="utf-8")) == {"timeouts": {"idle_seconds": 90}}
    assert load_config(staff.config_file, None, environ={}).timeouts.idle_seconds == 90  # a restart agrees
    change = staff.audit("config_changed")[0]
    assert change["who"] == "staff" and change["restart_required"] == []
    assert change["changes"] == [{"field": "timeouts.idle_seconds", "old": 60, "new": 90}]

    assert mode.change("services.disclosure", False).ok
    c.start_session()
    assert c.machine.step.value == "identify"  # services and timeouts apply without a restart
    backup = tomllib.loads((staff.config_file.parent / "terminal.toml.bak").read_text(encoding="utf-8"))
    assert backup == {"timeouts": {"idle_seconds": 90}}


def test_device_change_says_it_needs_a_restart(staff: Staff) -> None:
    staff.mode.unlock(PIN)
    outcome = staff.mode.change("devices.printer.paper_mm", 58)
    assert outcome.ok and outcome.restart == ["devices.printer.paper_mm"] and "重启" in outcome.message


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        ("timeouts.idle_seconds", 5, "不能小于 10"),
        ("timeouts.warning_seconds", 60, "超时提醒必须短于无操作超时"),
        ("voice.volume", 1.1, "不能大于 1"),
        ("devices.printer.kind", "cups", "cups_queue"),
        ("terminal.id", "X", "不能在屏幕上修改"),
        ("admin.pin_hash", "x", "不能在屏幕上修改"),
    ],
)
def test_invalid_values_are_refused_with_the_reason(staff: Staff, path: str, value: Any, reason: str) -> None:
    staff.mode.unlock(PIN)
    before = staff.controller.config
    outcome = staff.mode.change(path, value)
    assert not outcome.ok and reason in outcome.message
    assert staff.controller.config is before and not staff.config_file.exists()
    assert staff.audit("config_change_refused")[0]["field"] == path


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage() + repr(vars(record)))


def test_entering_admin_ends_the_citizen_session_and_inactivity_leaves(staff: Staff) -> None:
    logs = Collect()
    root = logging.getLogger()
    root.addHandler(logs)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    try:
        _enter_and_walk_away(staff)
    finally:
        root.removeHandler(logs)
        root.setLevel(old_level)
    text = "\n".join(logs.lines)
    assert PIN not in text and "000001" not in text


def _enter_and_walk_away(staff: Staff) -> None:
    c, mode = staff.controller, staff.mode
    c.start_session()
    assert c.machine.active
    c.machine.open_view("admin", staff.clock())  # what the corner gesture does
    assert not mode.unlock("000001").ok and c.machine.active  # a wrong PIN leaves the citizen alone
    assert mode.unlock(PIN).ok
    assert not c.machine.active and c.machine.view == "admin"
    assert staff.audit("session_ended")[0]["reason"] == "admin"
    staff.clock.advance(c.config.admin.inactivity_seconds - 1)
    c.machine.tick(staff.clock())
    assert mode.unlocked  # not yet: staff pages have their own, longer limit than the idle timeout
    staff.clock.advance(2)
    c.machine.tick(staff.clock())
    assert c.machine.view is None and not mode.unlocked
    assert staff.audit("admin_left") == [{"who": "staff", "reason": "timeout_or_closed"}]
    # what the entries say (not their hashes: 64 random hex digits can hold any 6-digit run)
    said = [
        json.dumps(
            {k: v for k, v in json.loads(line).items() if k not in ("hash", "prev")}, ensure_ascii=False
        )
        for line in staff.audit_path.read_text(encoding="utf-8").splitlines()
    ]
    assert said and not any(PIN in entry or "000001" in entry for entry in said)


def test_pause_blocks_new_sessions_until_resumed(staff: Staff) -> None:
    c, mode = staff.controller, staff.mode
    mode.pause("设备维护中")
    assert c.paused is None  # only in admin mode
    mode.unlock(PIN)
    mode.pause("设备维护中")
    c.start_session()
    assert c.paused == "设备维护中" and c.machine.step.value == "attract"
    mode.resume()
    c.start_session()
    assert c.paused is None and c.machine.step.value == "identify"
    assert staff.audit("terminal_paused") == [{"who": "staff", "message": "设备维护中"}]
    assert staff.audit("terminal_resumed") == [{"who": "staff"}]


def test_secret_changes_are_never_shown() -> None:
    from pydantic import SecretStr

    old = make_config()
    new = old.model_copy(
        update={"backend": old.backend.model_copy(update={"terminal_secret": SecretStr("s3")})}
    )
    changes = diff_configs(old, new)
    assert [(c.field, c.old, c.new) for c in changes] == [("backend.terminal_secret", HIDDEN, HIDDEN)]


def test_rename_failure_leaves_previous_file(staff: Staff, monkeypatch: pytest.MonkeyPatch) -> None:
    staff.mode.unlock(PIN)
    assert staff.mode.change("timeouts.idle_seconds", 90).ok
    before = staff.config_file.read_bytes()

    def broken_replace(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("kiosk.admin.atomic.os.replace", broken_replace)
    outcome = staff.mode.change("timeouts.idle_seconds", 100)
    assert not outcome.ok and "无法写入" in outcome.message
    assert staff.config_file.read_bytes() == before
    assert staff.controller.config.timeouts.idle_seconds == 90  # not applied either
    assert [p.name for p in staff.config_file.parent.iterdir() if ".tmp-" in p.name] == []


CRASH_SCRIPT = """
import os, signal, sys
from kiosk.admin import atomic
from kiosk.admin.store import ConfigStore
atomic.os.replace = lambda src, dst: os.kill(os.getpid(), signal.SIGKILL)  # power cut before the rename
ConfigStore(sys.argv[1]).save("timeouts.idle_seconds", 120)
"""


def test_kill_between_write_and_rename_keeps_previous_configuration(tmp_path: Path) -> None:
    config_file = tmp_path / "terminal.toml"
    ConfigStore(config_file).save("timeouts.idle_seconds", 90)
    before = config_file.read_bytes()
    done = subprocess.run(
        [sys.executable, "-c", CRASH_SCRIPT, str(config_file)], cwd=REPO, capture_output=True, timeout=60
    )
    assert done.returncode == -signal.SIGKILL
    assert config_file.read_bytes() == before
    assert any(".tmp-" in p.name for p in tmp_path.iterdir())  # the new version was written, not renamed
    assert load_config(config_file, None, environ={}).timeouts.idle_seconds == 90
