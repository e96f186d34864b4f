"""A demo session through the face check on the real app: card → face → consent → certificates,
and the camera that is down (a clear message and the staff path, never a silent skip)."""

from __future__ import annotations

import json

import pytest

from tests.support.ui import UiDriver, UiHarness

pytestmark = pytest.mark.ui

FACE = {"face": {"required": "always", "kind": "simulated"}}


def test_card_then_face_then_certificates(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        await d.tap_text("开始办理")
        await d.wait_step("identify")
        d.controls.insert_card("elder")
        await d.wait_step("face")
        assert d.has_text("演示")  # the demo says it is one
        assert d.has_text("在哪里比对") and d.has_text("电子证照系统")  # what is compared, and where
        await d.shot("face-01-intro")
        await d.tap_text("同意并开始核验")
        await d.wait(lambda: d.machine.data.face.phase.value == "challenge", "head-turn challenge")
        assert d.has_text("请慢慢向左转头") or d.has_text("请慢慢向右转头")
        await d.shot("face-02-challenge")
        await d.wait_step("consent", timeout=30)
        assert d.machine.data.face is None or not d.machine.data.face.samples  # frames wiped
        await d.tap_text("同意并查询")
        await d.wait(lambda: bool(d.machine.data and d.machine.data.certificates), "certificates")
        await d.shot("face-03-certificates")

    ui.run(script, FACE, name="face-pass")
    assert ui.last_audit is not None
    entries = [json.loads(line) for line in ui.last_audit.read_text(encoding="utf-8").splitlines()]
    events = [e["event"] for e in entries]
    assert events.index("identified") < events.index("face_checked") < events.index("consent_given")
    face = next(e for e in entries if e["event"] == "face_checked")
    assert face["data"]["outcome"] == "passed"


def test_camera_down_says_so_and_sends_to_staff(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        d.controller.face.camera.unplug()
        await d.tap_text("开始办理")
        await d.wait_step("identify")
        d.controls.insert_card("elder")
        await d.wait_step("face")
        await d.tap_text("同意并开始核验")
        await d.wait(lambda: d.machine.data.face.phase.value == "camera_down", "camera down")
        assert d.has_text("摄像头暂时无法使用")
        assert d.has_text("请到窗口办理")
        assert d.machine.step.value == "face"  # never on to the certificates unchecked
        await d.shot("face-04-camera-down")
        await d.tap_text("结束")
        await d.wait_step("attract")

    ui.run(script, FACE, name="face-down")
    assert ui.last_audit is not None
    assert '"outcome": "camera_down"' in ui.last_audit.read_text(encoding="utf-8").replace('":"', '": "')
