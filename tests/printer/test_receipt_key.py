"""The receipt check code has a key of its own (issue 19 item 3): ``[receipt] code_key`` from the
secrets file, never the backend terminal secret, which every printed code would otherwise expose to
offline guessing (the code is an HMAC under the key and the paper is left in public)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from kiosk.audit import AuditLog
from kiosk.controller import Controller, Devices
from kiosk.domain.holder import Holder
from kiosk.printing import _prepare
from kiosk.receipt.codes import verify_receipt_code
from kiosk.settings import ConfigError, load_config
from tests.support.ui import FakeClock, make_config

TERMINAL_SECRET = "backend-terminal-secret-for-this-test"
CODE_KEY = "receipt-code-key-for-this-test"


class PaperOnly:
    """Just what the print preparation reads of a printer."""

    paper_width_dots = 576


def printed_code(tmp_path: Path, secrets: dict[str, dict[str, str]]) -> tuple[Controller, str]:
    """The check code of a receipt as the print step prepares it for an identified citizen."""
    config = make_config(secrets)
    printer: Any = PaperOnly()
    ctl = Controller(config, Devices(printer=printer), None, AuditLog(tmp_path / "audit.jsonl"), FakeClock())
    m = ctl.machine
    m.begin(0)
    m.identified(Holder("韦桂兰", "450206195803120088", evidence={"kind": "id_card"}), "card", 0)
    m.agree(0)
    job = _prepare(ctl, m.session_id or "")
    assert job is not None
    (code,) = job.receipt.qr_payloads()
    return ctl, code


def test_the_code_is_keyed_with_the_receipt_key_not_the_terminal_secret(tmp_path: Path) -> None:
    ctl, code = printed_code(
        tmp_path, {"backend": {"terminal_secret": TERMINAL_SECRET}, "receipt": {"code_key": CODE_KEY}}
    )
    assert verify_receipt_code(code, CODE_KEY.encode())
    assert not verify_receipt_code(code, TERMINAL_SECRET.encode())
    ctl.audit.close()


def test_without_a_receipt_key_a_random_one_per_run_never_the_terminal_secret(tmp_path: Path) -> None:
    ctl, code = printed_code(tmp_path, {"backend": {"terminal_secret": TERMINAL_SECRET}})
    assert not verify_receipt_code(code, TERMINAL_SECRET.encode())
    assert verify_receipt_code(code, ctl.receipt_secret())  # this run can still check its own paper
    ctl.audit.close()


def test_the_receipt_key_lives_only_in_the_secrets_file(tmp_path: Path) -> None:
    leak = tmp_path / "terminal.toml"
    leak.write_text(f'[receipt]\ncode_key = "{CODE_KEY}"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(leak, environ={})
    assert any(p.field == "receipt.code_key" and "secrets file" in p.reason for p in err.value.problems)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'[receipt]\ncode_key = "{CODE_KEY}"\n', encoding="utf-8")
    os.chmod(secrets, 0o600)
    cfg = load_config(None, secrets, environ={})
    assert cfg.receipt.code_key.get_secret_value() == CODE_KEY
    assert CODE_KEY not in repr(cfg)
