"""The PIN hash on disk, wrong PINs, the lockout, and a restart during the lockout."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from kiosk.admin.auth import STATE_FILE, UNAVAILABLE_MESSAGE, AdminAuth
from kiosk.admin.pin import PinFormatError, hash_pin, verify_pin
from tests.admin.as_user import TEST_GID, TEST_UID, as_user
from tests.admin.conftest import PIN

REPO = Path(__file__).resolve().parents[2]


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_hash_is_salted_scrypt_and_verifies(pin_hash: str) -> None:
    scheme, n, r, p, salt, digest = pin_hash.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert len(base64.b64decode(salt)) == 16 and len(base64.b64decode(digest)) == 32
    assert PIN not in pin_hash
    assert verify_pin(PIN, pin_hash) and not verify_pin("482916", pin_hash)
    assert hash_pin(PIN) != pin_hash  # a fresh salt every time


@pytest.mark.parametrize(
    "stored", ["", "plain", "scrypt$1$1$1$!!$!!", "sha256$x$y$z$a$b", "scrypt$a$b$c$d$e"]
)
def test_malformed_hash_never_verifies(stored: str) -> None:
    assert not verify_pin(PIN, stored)


@pytest.mark.parametrize(
    "pin", ["1234", "12345678901234", "48291a", "１２３４５６", "000000", "123456", "654321"]
)
def test_weak_or_malformed_pins_are_refused(pin: str) -> None:
    with pytest.raises(PinFormatError):
        hash_pin(pin)


def test_wrong_pins_then_lockout_that_survives_a_restart(tmp_path: Path, pin_hash: str) -> None:
    clock = Clock()
    auth = AdminAuth(tmp_path, pin_hash, max_attempts=3, lockout_seconds=300, clock=clock)
    first = auth.attempt("111111")
    assert (first.status, first.remaining_attempts) == ("wrong", 2)
    assert "还可以再试 2 次" in first.message
    assert auth.attempt("222222").remaining_attempts == 1
    locked = auth.attempt("333333")
    assert locked.status == "locked" and locked.locked_seconds == 300
    assert auth.attempt(PIN).status == "locked"  # even the right PIN waits

    state = (tmp_path / STATE_FILE).read_text(encoding="utf-8")
    assert PIN not in state and "scrypt" not in state and "111111" not in state
    assert set(json.loads(state)) == {"failures", "locked_until", "lockouts", "until_reset"}

    clock.now += 120
    restarted = AdminAuth(tmp_path, pin_hash, max_attempts=3, lockout_seconds=300, clock=clock)
    again = restarted.attempt(PIN)
    assert again.status == "locked" and again.locked_seconds == 180
    assert "3 分钟" in again.message

    clock.now += 181
    assert restarted.attempt(PIN).ok
    assert restarted.attempt("999999").remaining_attempts == 2  # a fresh count after success


def test_unreadable_state_file_locks_rather_than_unlocks(tmp_path: Path, pin_hash: str) -> None:
    (tmp_path / STATE_FILE).write_text("{torn", encoding="utf-8")
    assert AdminAuth(tmp_path, pin_hash, clock=Clock()).attempt(PIN).status == "locked"


def test_no_pin_set_is_said_plainly(tmp_path: Path) -> None:
    result = AdminAuth(tmp_path, "").attempt(PIN)
    assert result.status == "not_set" and "kiosk admin set-pin" in result.message


def _set_pin(secrets: Path, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "admin", "set-pin", "--stdin", "--secrets", str(secrets)],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )


def test_set_pin_cli_writes_only_the_hash(tmp_path: Path) -> None:
    from kiosk.settings import load_config

    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[backend]\nterminal_secret = "s3cr3t-terminal"\n', encoding="utf-8")
    os.chmod(secrets, 0o600)
    done = _set_pin(secrets, PIN + "\n")
    assert done.returncode == 0, done.stderr
    assert PIN not in done.stdout + done.stderr
    text = secrets.read_text(encoding="utf-8")
    assert PIN not in text
    data = tomllib.loads(text)
    assert data["backend"]["terminal_secret"] == "s3cr3t-terminal"  # other secrets kept
    assert verify_pin(PIN, data["admin"]["pin_hash"])
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    assert (tmp_path / "secrets.toml.bak").is_file()
    config = load_config(None, secrets, environ={})
    assert verify_pin(PIN, config.admin.pin_hash.get_secret_value())

    refused = _set_pin(secrets, "1234\n")
    assert refused.returncode == 1 and "6–12 位数字" in refused.stderr
    assert tomllib.loads(secrets.read_text(encoding="utf-8")) == data  # unchanged


# ------------------------------------------------------------------ fails closed, escalates (issue 19 item 8)
def test_a_read_only_state_dir_accepts_no_pin(shared_tmp: Path, pin_hash: str) -> None:
    """As the kiosk user, with a state directory it cannot write: 20 wrong PINs used to leave the pad
    open for ever, and then the right PIN worked."""
    state = shared_tmp / "state"
    state.mkdir(mode=0o755)  # root's: readable, not writable, by the test user

    def try_pins() -> list[tuple[str, str]]:
        auth = AdminAuth(state, pin_hash, max_attempts=5, lockout_seconds=300)
        results = [auth.attempt(f"{111111 + i}") for i in range(20)] + [auth.attempt(PIN)]
        return [(r.status, r.message) for r in results]

    results = as_user(try_pins)
    assert results == [("unavailable", UNAVAILABLE_MESSAGE)] * 21
    assert UNAVAILABLE_MESSAGE == "无法记录尝试次数，管理入口已锁定，请联系技术人员"


def test_an_unreadable_state_file_accepts_no_pin(shared_tmp: Path, pin_hash: str) -> None:
    state = shared_tmp / "state"
    state.mkdir()
    os.chmod(state, 0o777)
    (state / STATE_FILE).write_text('{"failures": 0, "locked_until": 0}', encoding="utf-8")
    os.chmod(state / STATE_FILE, 0o600)  # root's, as `kiosk admin unlock` used to leave it

    def right_pin() -> str:
        return AdminAuth(state, pin_hash).attempt(PIN).status

    assert as_user(right_pin) == "unavailable"


def test_the_admin_page_says_the_pad_is_locked_when_the_state_cannot_be_written(
    tmp_path: Path, pin_hash: str
) -> None:
    from kiosk.admin import AdminMode, ConfigStore
    from kiosk.audit import AuditLog
    from kiosk.controller import Controller, Devices
    from tests.support.ui import FakeClock, make_config

    blocker = tmp_path / "not-a-dir"
    blocker.write_text("", encoding="utf-8")  # a state dir below a file: every write fails, even as root
    config = make_config({"admin": {"pin_hash": pin_hash}, "paths": {"state_dir": str(blocker / "state")}})
    audit = AuditLog(tmp_path / "audit.jsonl")
    controller = Controller(config, Devices(), None, audit, clock=FakeClock())
    mode = AdminMode(controller, ConfigStore(tmp_path / "terminal.toml"))
    assert mode.pad_notice() == UNAVAILABLE_MESSAGE  # said as the pad opens, before any PIN
    result = mode.unlock(PIN)
    assert not result.ok and not mode.unlocked
    assert mode.last_message == UNAVAILABLE_MESSAGE  # what the PIN pad shows (screens/admin.py)
    assert audit.flush()
    lines = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {"event": "admin_pin_refused", "status": "unavailable"} in [
        {"event": e["event"], "status": e["data"].get("status")} for e in lines
    ]


def _five_wrong(auth: AdminAuth) -> list[str]:
    return [auth.attempt(f"{300000 + i}").status for i in range(5)]


def test_lockouts_escalate_until_a_technician_unlocks(tmp_path: Path, pin_hash: str) -> None:
    clock = Clock()
    auth = AdminAuth(tmp_path, pin_hash, max_attempts=5, lockout_seconds=300, clock=clock)
    waits = []
    for _round in range(3):
        assert _five_wrong(auth) == ["wrong"] * 4 + ["locked"]
        result = auth.attempt(PIN)
        assert result.status == "locked"  # even the right PIN waits
        waits.append((result.locked_seconds, result.message))
        clock.now += result.locked_seconds + 1
    assert waits == [
        (300, "PIN 错误次数过多，已锁定，请 5 分钟后再试"),
        (1800, "PIN 错误次数过多，已锁定，请 30 分钟后再试"),
        (7200, "PIN 错误次数过多，已锁定，请约 2 小时后再试"),
    ]
    assert _five_wrong(auth) == ["wrong"] * 4 + ["locked"]
    clock.now += 30 * 24 * 3600  # a month later, after restarts
    for again in (auth, AdminAuth(tmp_path, pin_hash, clock=clock)):
        result = again.attempt(PIN)
        assert (result.status, result.until_reset) == ("locked", True)
        assert result.message == "PIN 错误次数过多，管理入口已锁定，请联系技术人员解锁"
        assert again.peek() == result  # the pad says so as it opens

    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "admin", "unlock", "--state-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "管理入口已解锁" in done.stdout and "锁定 4 次" in done.stdout
    entries = [
        json.loads(line) for line in (tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert [(e["event"], e["data"]["who"], e["data"]["until_reset"]) for e in entries] == [
        ("admin_unlocked", "technician", True)
    ]
    assert auth.attempt(PIN).ok
    assert _five_wrong(auth)[-1] == "locked" and auth.attempt(PIN).locked_seconds == 300  # escalation over


def test_a_right_pin_ends_the_escalation(tmp_path: Path, pin_hash: str) -> None:
    clock = Clock()
    auth = AdminAuth(tmp_path, pin_hash, max_attempts=5, lockout_seconds=300, clock=clock)
    _five_wrong(auth)
    clock.now += 301
    assert auth.attempt(PIN).ok
    _five_wrong(auth)
    assert auth.attempt(PIN).locked_seconds == 300  # not 30 minutes: a right PIN came between


def test_each_attempt_is_on_disk_before_the_pin_is_checked(
    tmp_path: Path, pin_hash: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killing the app during the slow scrypt check must not forget the try."""
    import kiosk.admin.auth as auth_module

    seen: list[int] = []
    real = auth_module.verify_pin

    def spy(pin: str, stored: str) -> bool:
        seen.append(json.loads((tmp_path / STATE_FILE).read_text(encoding="utf-8"))["failures"])
        return real(pin, stored)

    monkeypatch.setattr(auth_module, "verify_pin", spy)
    auth = AdminAuth(tmp_path, pin_hash, clock=Clock())
    auth.attempt("111111")
    auth.attempt(PIN)
    assert seen == [1, 2]  # each try counted as wrong while it was checked
    assert json.loads((tmp_path / STATE_FILE).read_text(encoding="utf-8"))["failures"] == 0


def test_unlock_as_root_leaves_the_state_to_the_kiosk_user(shared_tmp: Path, pin_hash: str) -> None:
    state = shared_tmp / "state"
    state.mkdir()
    os.chown(state, TEST_UID, TEST_GID)  # the unit's StateDirectory, owned by the kiosk user
    os.chmod(state, 0o700)
    from kiosk.cli import main

    assert main(["admin", "unlock", "--state-dir", str(state)]) == 0
    for name in (STATE_FILE, "audit.jsonl"):
        st = (state / name).stat()
        assert (st.st_uid, st.st_gid) == (TEST_UID, TEST_GID), name

    def use() -> tuple[bool, str]:
        auth = AdminAuth(state, pin_hash, clock=Clock())
        return auth.attempt("111111").status == "wrong", auth.attempt(PIN).status

    assert as_user(use) == (True, "ok")
