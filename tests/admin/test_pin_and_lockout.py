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

from kiosk.admin.auth import STATE_FILE, AdminAuth
from kiosk.admin.pin import PinFormatError, hash_pin, verify_pin
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
    assert set(json.loads(state)) == {"failures", "locked_until"}

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
