"""Staff who chose English read the admin mode's messages in English, while the audit log keeps the
plain Chinese reason (one language in the log, whoever was at the screen). And every text the admin
page shows through ``_(variable)`` (the settings table, pydantic's reasons) has its English entry:
tests/experience/test_translations.py only finds ``_("literal")`` calls."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from kiosk.admin import store
from kiosk.admin.auth import AuthResult
from kiosk.admin.fields import FIELDS
from kiosk.i18n import _parse_po, set_language
from tests.admin.conftest import PIN
from tests.admin.test_config_changes import Staff

PO = Path(__file__).resolve().parents[2] / "kiosk" / "locale" / "en" / "LC_MESSAGES" / "kiosk.po"
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture
def staff(tmp_path: Path, pin_hash: str) -> Any:
    staff = Staff(tmp_path, pin_hash)
    staff.controller.set_language("en")  # as the language button does (the prefs follow it)
    yield staff
    set_language("zh_CN")


def test_every_settings_text_and_reason_has_english() -> None:
    catalogue = _parse_po(PO.read_text(encoding="utf-8"))
    wanted = {"开", "关", *store._REASONS.values()}
    for field in FIELDS:
        wanted |= {field.label, field.group, *field.choice_labels}
    missing = sorted(t for t in wanted if CJK.search(t) and t not in catalogue)
    assert not missing, missing


def test_refusals_and_pin_messages_in_english_audit_in_chinese(staff: Staff) -> None:
    assert staff.mode.unlock(PIN).message == "Admin mode entered"
    outcome = staff.mode.change("timeouts.idle_seconds", 5)
    assert not outcome.ok
    assert outcome.message == "“Idle timeout (s)” = 5 was not accepted: must be at least 10"
    assert staff.mode.last_message == outcome.message
    assert staff.mode.change("terminal.id", "X").message == "This setting cannot be changed on screen"
    reasons = [entry["reason"] for entry in staff.audit("config_change_refused")]
    assert reasons == ["“无操作超时（秒）”设为 5 未被接受：不能小于 10", "此项不能在屏幕上修改"]
    ok = staff.mode.change("timeouts.idle_seconds", 90)
    assert ok.ok and ok.message == "Saved and applied"
    assert AuthResult(False, "wrong", remaining_attempts=3).message == "Wrong PIN: 3 tries left"
    assert AuthResult(False, "locked", locked_seconds=7200).message == (
        "Too many wrong PINs: locked, try again in about 2 h"
    )
