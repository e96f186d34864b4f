"""Staff at the real app: the corner gesture, the PIN pad, a live setting change, diagnostics, pause,
leaving by inactivity — with the audit log and the configuration file checked afterwards."""

from __future__ import annotations

import json
import socket
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.admin.conftest import PIN
from tests.support.ui import UiDriver, UiHarness


def audit_entries(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


async def long_press_corner(d: UiDriver) -> None:
    from kivy.core.window import Window

    await d.tap_at(10, Window.height - 10, hold=3.2)


async def type_pin(d: UiDriver, pin: str) -> None:
    for digit in pin:
        await d.tap_text(digit)
    await d.tap_text("确定")


async def tap_editor(d: UiDriver, label: str, button_text: str | None = None) -> None:
    """Tap the editor button in the settings row whose label is ``label``."""
    from screens.widgets import BigButton

    await d.frames(0.15)
    row_label = d.find_text(label)
    assert row_label is not None, f"no settings row {label!r}"
    buttons = [w for w in row_label.parent.walk(restrict=True) if isinstance(w, BigButton)]
    if button_text is not None:
        buttons = [b for b in buttons if b.text == button_text]
    assert buttons, f"no editor button in row {label!r}"
    await d.tap(buttons[0])


@pytest.fixture
def staff_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config_file = tmp_path / "terminal.toml"
    monkeypatch.setenv("KIOSK_CONFIG", str(config_file))
    monkeypatch.delenv("KIOSK_SECRETS", raising=False)  # no secrets file: the hash comes from the config
    return config_file


def test_staff_change_a_setting_live_run_diagnostics_and_pause(
    ui: UiHarness, pin_hash: str, staff_env: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"

    async def script(d: UiDriver) -> None:
        c = d.controller
        # a citizen is mid-session when staff arrive
        await d.tap_text("开始办理")
        await d.wait_step("identify")
        await long_press_corner(d)
        await d.wait(lambda: d.machine.view == "admin", "admin page")
        assert d.has_text("请输入管理 PIN")
        await type_pin(d, "1")
        await d.wait(lambda: d.has_text("PIN 不正确，还可以再试 4 次"), "refusal")
        assert d.machine.step.value == "identify"  # a wrong PIN changes nothing for the citizen
        await d.shot("admin-01-pin-pad")
        await type_pin(d, PIN)
        await d.wait(lambda: d.has_text("管理模式"), "settings")
        assert d.machine.step.value == "attract" and d.machine.view == "admin"  # the session ended first

        # disable 政务公开 and lengthen the idle timeout: applied at once
        assert c.config.services.disclosure
        await tap_editor(d, "政务公开")
        await d.wait(lambda: not c.config.services.disclosure, "disclosure off")
        await d.tap_text("超时")  # the settings are grouped in tabs
        await tap_editor(d, "无操作超时（秒）", "＋")
        await d.wait(lambda: c.machine.idle_seconds == 70, "idle timeout 70 s")
        assert d.has_text("已保存并生效")
        # a value the model refuses is not saved, and the reason is shown
        for _ in range(3):
            await tap_editor(d, "超时提醒（秒）", "－")  # 15 → 10 → 5 s are saved; 0 s is refused
        await d.wait(lambda: d.has_text("不能小于 5"), "refusal reason")
        assert c.config.timeouts.warning_seconds == 5
        await d.shot("admin-03-changed")

        # diagnostics from admin mode
        await d.tap_text("设备诊断")
        await d.wait(lambda: d.machine.view == "diagnostics", "diagnostics page")
        await d.tap_text("摄像头预览")  # the live preview decodes what the camera sees
        c.devices.scanner.show("KIOSK-PREVIEW-TEST")
        await d.wait(lambda: d.has_text("识别到：KIOSK-PREVIEW-TEST"), "decoded in the preview")
        await d.tap_text("关闭预览")
        c.devices.scanner.clear()
        await d.tap_text("开始检测")
        await d.wait(lambda: d.has_text("总体："), "diagnostics report", timeout=40)
        titles = ("身份证读卡器", "摄像头（亮证码）", "凭条打印机", "电子证照后台", "系统时钟", "中文字体")
        for title in titles:
            assert d.has_text(title), title
        await d.shot("admin-04-diagnostics")
        await d.tap_text("返回管理")
        await d.wait(lambda: d.machine.view == "admin", "back to admin")

        # pause with a preset message, leave: the attract screen says so and starts nothing
        await d.tap_text("暂停服务")
        await d.tap_text("系统升级中，请稍后再来。")
        await d.wait(lambda: c.paused is not None, "paused")
        await d.tap_text("退出管理")
        await d.wait(lambda: d.machine.view is None, "left admin")
        assert d.has_text("系统升级中，请稍后再来。") and d.find_text("开始办理") is None
        assert d.find_text("政务公开：中心职责与预算") is None  # the disabled service is gone, no restart
        c.start_session()
        assert d.machine.step.value == "attract"
        await d.shot("admin-05-paused-attract")

        # walking away from the PIN pad: the staff page closes by itself
        await long_press_corner(d)
        await d.wait(lambda: d.machine.view == "admin", "admin page again")
        assert d.has_text("请输入管理 PIN")  # leaving locked admin mode
        d.clock.advance(c.config.admin.inactivity_seconds + 1)
        await d.wait(lambda: d.machine.view is None, "inactivity exit", timeout=5)

        # degraded mode, from real health checks: backend unreachable, printer out of paper (on the
        # terminal in service: the 暂停服务 page shows nothing but the pause)
        c.resume()
        from kiosk.backend.client import HttpBackend

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            dead_port = probe.getsockname()[1]
        dead = HttpBackend(
            c.config.backend.model_copy(update={"url": f"http://127.0.0.1:{dead_port}"}), "LJ-ZZ-DEMO"
        )
        live, c.backend = c.backend, dead
        d.controls.set_paper("out")
        try:
            await c.refresh_health()
            await d.wait(lambda: d.has_text("电子证照系统暂时无法连接"), "backend-down notice")
            assert c.health.backend == "down" and c.health.printer == "down" and not c.printing_available()
            await d.shot("admin-06-degraded-attract")
        finally:
            c.backend = live
            await dead.aclose()
            d.controls.set_paper("ok")

    overrides = {"admin": {"pin_hash": pin_hash}, "paths": {"state_dir": str(state)}}
    ui.run(script, overrides=overrides, name="staff")
    assert ui.last_audit is not None
    entries = audit_entries(ui.last_audit)
    events = [e["event"] for e in entries]
    ended = [e for e in entries if e["event"] == "session_ended"]
    assert ended and ended[0]["data"]["reason"] == "admin"
    assert events.index("session_ended") < events.index("admin_entered")
    changed = [e["data"] for e in entries if e["event"] == "config_changed"]
    assert {"field": "services.disclosure", "old": True, "new": False} in changed[0]["changes"]
    assert {"field": "timeouts.idle_seconds", "old": 60, "new": 70} in changed[1]["changes"]
    assert all(e["data"]["who"] == "staff" for e in entries if e["event"] == "config_changed")
    assert "config_change_refused" in events
    assert {"terminal_paused", "diagnostics_run", "admin_left"} <= set(events)
    assert [e["data"]["reason"] for e in entries if e["event"] == "admin_left"] == ["left"]
    assert any(e["event"] == "idle_timeout" and e["data"]["step"] == "view:admin" for e in entries)
    # the PIN is nowhere in what the audit log says (its hex hashes can hold any digits by chance)
    assert not any(PIN in json.dumps([e["event"], e["data"], e["ts"]], ensure_ascii=False) for e in entries)
    # the override file holds the two saved changes, and the previous version was kept
    saved = tomllib.loads(staff_env.read_text(encoding="utf-8"))
    assert saved["services"]["disclosure"] is False
    assert saved["timeouts"]["idle_seconds"] == 70
    assert saved["timeouts"]["warning_seconds"] == 5
    previous = tomllib.loads(staff_env.with_name("terminal.toml.bak").read_text(encoding="utf-8"))
    assert previous["timeouts"]["warning_seconds"] == 10
