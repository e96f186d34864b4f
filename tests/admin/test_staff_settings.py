"""Staff changes go to the state directory, the one place the sandboxed app may write (issue 20).

The unit's ProtectSystem makes /etc read-only for the app, yet the admin page used to write
/etc/kiosk/terminal.toml. Now it writes ``<state_dir>/staff.toml``, which the loader layers over the
terminal's file (defaults < terminal < staff < secrets < environment), and which may hold only the
settings the admin page edits.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from kiosk.admin import AdminMode
from kiosk.audit import AuditLog
from kiosk.cli import main
from kiosk.controller import Controller, Devices
from kiosk.settings import ConfigError, load_config
from tests.admin.conftest import PIN
from tests.support.ui import FakeClock, make_config

TERMINAL = (
    '# 一楼 07 号终端\n[terminal]\nid = "LJ-ZZ-07"\nname = "自助终端 07"\n\n[timeouts]\nidle_seconds = 70\n'
)


@pytest.fixture
def terminal(tmp_path: Path) -> Path:
    path = tmp_path / "etc" / "terminal.toml"
    path.parent.mkdir()
    path.write_text(TERMINAL, encoding="utf-8")
    os.chmod(path, 0o640)
    return path


def _controller(tmp_path: Path, pin_hash: str, terminal: Path) -> Controller:
    state = tmp_path / "state"
    config = make_config({"admin": {"pin_hash": pin_hash}, "paths": {"state_dir": str(state)}})
    controller = Controller(config, Devices(), None, AuditLog(tmp_path / "audit.jsonl"), clock=FakeClock())
    controller.config_file = terminal  # what kiosk run sets from --config
    return controller


def test_the_admin_page_writes_the_staff_file_not_the_terminals(
    tmp_path: Path, pin_hash: str, terminal: Path
) -> None:
    mode = AdminMode(_controller(tmp_path, pin_hash, terminal))
    os.chmod(
        terminal.parent, 0o555
    )  # what ProtectSystem does to /etc (root ignores it; the check below doesn't)
    assert mode.unlock(PIN).ok
    assert mode.change("timeouts.idle_seconds", 90).ok
    staff = tmp_path / "state" / "staff.toml"
    assert tomllib.loads(staff.read_text(encoding="utf-8")) == {"timeouts": {"idle_seconds": 90}}
    assert stat.S_IMODE(staff.stat().st_mode) == 0o600
    assert terminal.read_text(encoding="utf-8") == TERMINAL  # /etc untouched
    assert mode.change("timeouts.idle_seconds", 100).ok
    assert (tmp_path / "state" / "staff.toml.bak").is_file()

    # a restart reads it over the terminal's file: the state dir comes from the unit's environment
    env = {"KIOSK__PATHS__STATE_DIR": str(tmp_path / "state")}
    assert load_config(terminal, None, environ=env).timeouts.idle_seconds == 100
    env["KIOSK__TIMEOUTS__IDLE_SECONDS"] = "120"  # the environment still wins over staff
    assert load_config(terminal, None, environ=env).timeouts.idle_seconds == 120


def test_layer_order_and_where_each_value_came_from(
    tmp_path: Path, terminal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / "staff.toml").write_text(
        "[timeouts]\nidle_seconds = 90\n[voice]\nvolume = 0.5\n", encoding="utf-8"
    )
    os.chmod(state / "staff.toml", 0o600)
    config = terminal.read_text(encoding="utf-8") + f'[paths]\nstate_dir = "{state}"\n'
    terminal.write_text(config, encoding="utf-8")
    assert load_config(terminal, None, environ={}).timeouts.idle_seconds == 90  # staff over terminal
    assert main(["config", "check", str(terminal)]) == 0
    out = capsys.readouterr().out
    order = [
        out.index(name) for name in ("shipped defaults:", "terminal file:", "staff settings (admin page):")
    ]
    assert order == sorted(order)
    assert f"timeouts.idle_seconds = 90    ({state / 'staff.toml'})" in out
    assert f"terminal.id = 'LJ-ZZ-07'    ({terminal})" in out


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('[backend]\nurl = "https://attacker.example"\n', "backend.url"),
        ('[paths]\nstate_dir = "/tmp"\n', "paths.state_dir"),
        ('[terminal]\nname = "x"\n', "terminal.name"),  # shown on the admin page, but read-only there
        ('[admin]\npin_hash = "scrypt$1"\n', "admin.pin_hash"),
    ],
)
def test_the_staff_file_holds_only_what_staff_may_change(tmp_path: Path, text: str, field: str) -> None:
    staff = tmp_path / "staff.toml"
    staff.write_text(text, encoding="utf-8")
    os.chmod(staff, 0o600)
    with pytest.raises(ConfigError) as err:
        load_config(None, None, environ={}, staff_file=staff)
    assert any(p.source == str(staff) and p.field == field for p in err.value.problems)


def test_a_staff_file_others_can_write_is_refused(tmp_path: Path) -> None:
    staff = tmp_path / "staff.toml"
    staff.write_text("[timeouts]\nidle_seconds = 90\n", encoding="utf-8")
    os.chmod(staff, 0o620)
    with pytest.raises(ConfigError) as err:
        load_config(None, None, environ={}, staff_file=staff)
    assert [(p.source, p.reason) for p in err.value.problems] == [
        (str(staff), "writable by others than its owner: chmod 600")
    ]


def test_no_staff_file_yet_is_fine_and_a_configured_path_is_used(tmp_path: Path) -> None:
    env = {"KIOSK__PATHS__STATE_DIR": str(tmp_path / "none")}
    assert load_config(None, None, environ=env).timeouts.idle_seconds == 60
    custom = tmp_path / "custom.toml"
    custom.write_text("[timeouts]\ngoodbye_seconds = 5\n", encoding="utf-8")
    os.chmod(custom, 0o600)
    env["KIOSK__PATHS__STAFF_FILE"] = str(custom)
    assert load_config(None, None, environ=env).timeouts.goodbye_seconds == 5


def test_a_staff_change_the_terminal_file_would_make_invalid_is_refused(
    tmp_path: Path, pin_hash: str, terminal: Path
) -> None:
    terminal.write_text(TERMINAL.replace("idle_seconds = 70", "idle_seconds = 30"), encoding="utf-8")
    controller = _controller(tmp_path, pin_hash, terminal)
    mode = AdminMode(controller)
    mode.unlock(PIN)
    # the running config says idle 60; after a restart the terminal's file says 30: a warning of 25 is
    # fine either way, 40 passes the running config but not the files the terminal will start from
    assert mode.change("timeouts.warning_seconds", 25).ok
    outcome = mode.change("timeouts.warning_seconds", 40)
    assert (
        not outcome.ok
        and "保存后的配置无法通过检查" in outcome.message
        and "warning_seconds" in outcome.message
    )
    staff = tomllib.loads((tmp_path / "state" / "staff.toml").read_text(encoding="utf-8"))
    assert staff == {"timeouts": {"warning_seconds": 25}}
