"""Staff close a citizen's help call on the admin page (待处理的呼叫 → 已处理) and the robot that took
the call gets the 已处理 follow-up; the audit log says who closed it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.admin.conftest import PIN
from tests.admin.test_admin_ui import long_press_corner, type_pin
from tests.support.robots import running_robot
from tests.support.ui import UiDriver, UiHarness


def test_staff_mark_a_help_call_handled(ui: UiHarness, pin_hash: str, tmp_path: Path) -> None:
    with running_robot("dingtalk", secret="SECui") as robot:

        async def script(d: UiDriver) -> None:
            c = d.controller
            await d.tap_text("开始办理")
            await d.tap_text("呼叫工作人员")
            call = c.help_call
            await d.wait(lambda: call.phase == "accepted", "the accepted call")
            await d.tap_text("知道了")
            await long_press_corner(d)
            await d.wait(lambda: d.machine.view == "admin", "admin page")
            await type_pin(d, PIN)
            await d.wait(lambda: d.has_text("待处理的呼叫（1）"), "the open call listed")
            assert d.has_text(call.ticket)
            await d.shot("admin-help-calls")
            await d.tap_text("已处理")
            await d.wait(lambda: not c.help_desk.calls, "call closed")
            await d.wait(lambda: not d.has_text("待处理的呼叫"), "list gone")

        overrides = {
            "admin": {"pin_hash": pin_hash},
            "paths": {"state_dir": str(tmp_path / "state")},
            "notify": {"dingtalk_url": robot.url, "dingtalk_secret": "SECui"},
        }
        ui.run(script, overrides, name="help-handled")
    assert "【已处理】" in robot.texts()[-1]
    assert ui.last_audit is not None
    entries = [json.loads(line) for line in ui.last_audit.read_text(encoding="utf-8").splitlines()]
    handled = [e["data"] for e in entries if e["event"] == "help_handled"]
    assert handled and handled[0]["who"] == "staff" and handled[0]["told"] == ["dingtalk"]
