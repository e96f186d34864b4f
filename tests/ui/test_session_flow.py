"""The whole citizen session, tapped through on the real app, and the ways out of it."""

from __future__ import annotations

import json

from tests.support.ui import UiDriver, UiHarness, assert_header_spans_window

DEMO_NAMES = ("韦桂兰", "覃䶮", "阿依古丽·买买提", "莫海生", "陈志明", "约翰逊")
DEMO_IDS = (
    "450206195803120088",
    "450206199005170038",
    "450206199508210046",
    "450206197201010518",
    "810000198002140056",
    "94582619850706001X",
)


def assert_nothing_personal_on_screen(d: UiDriver) -> None:
    shown = " ".join(d.texts())
    for secret in DEMO_NAMES + DEMO_IDS:
        assert secret not in shown, f"{secret} visible on screen"


def test_tap_through_a_whole_session(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        assert_header_spans_window(await d.shot("flow-01-attract"))
        await d.tap_text("开始办理")
        await d.wait_step("identify")
        await d.shot("flow-02-identify")
        d.controls.insert_card("elder")
        await d.wait_step("consent")
        assert d.has_text("韦**，您好")
        assert_nothing_personal_on_screen(d)
        await d.shot("flow-03-consent")
        await d.tap_text("同意并查询")
        await d.wait(
            lambda: (
                d.machine.data is not None
                and d.machine.data.certificates
                and len(d.machine.data.records) == len(d.machine.data.certificates)
            ),
            "verified list",
        )
        await d.frames(0.3)
        assert d.find_text("有效") is not None  # the badge itself, not 有效期至
        assert_nothing_personal_on_screen(d)
        await d.shot("flow-04-certificates")
        await d.tap_text("结婚证")
        await d.wait_step("detail")
        assert_nothing_personal_on_screen(d)
        await d.shot("flow-05-detail-masked")
        await d.tap_text("显示完整信息")
        assert not d.has_text("韦桂兰")  # asks first (onlooker warning)
        await d.tap_text("确定")
        assert d.has_text("韦桂兰")
        await d.tap_text("打印凭条")
        await d.wait(lambda: d.machine.data.printing.phase == "done", "printed")
        await d.shot("flow-06-printed")
        assert d.controls.last_receipt() is not None
        await d.tap_text("下一步")
        await d.wait_step("rate")
        await d.tap_text("非常满意")
        await d.wait_step("goodbye")
        await d.shot("flow-07-goodbye")
        assert d.has_text("请取走您的身份证和凭条")
        await d.tap_text("返回首页")
        await d.wait_step("attract")
        assert d.machine.data is None
        assert_nothing_personal_on_screen(d)

    ui.run(script, name="flow")
    assert ui.last_audit is not None
    events = [json.loads(line)["event"] for line in ui.last_audit.read_text().splitlines()]
    for expected in (
        "session_started",
        "identified",
        "consent_given",
        "certificates_listed",
        "printed",
        "rated",
        "session_ended",
    ):
        assert expected in events
    audit_text = ui.last_audit.read_text()
    for secret in DEMO_NAMES + DEMO_IDS:
        assert secret not in audit_text


def test_idle_warning_continue_then_timeout_wipes(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        d.controls.insert_card("rare")
        await d.wait_step("consent")
        d.clock.advance(50)  # idle 60 s, warning from 45 s
        await d.wait(lambda: d.machine.warning_remaining is not None, "idle warning")
        await d.frames(0.3)
        assert d.has_text("您还在吗？")
        await d.shot("idle-01-warning")
        await d.tap_text("继续使用")
        assert d.machine.warning_remaining is None and d.machine.step.value == "consent"
        data = d.machine.data
        holder = data.holder
        d.clock.advance(61)
        await d.wait(lambda: d.machine.step.value == "attract", "timeout back to attract")
        await d.shot("idle-02-after-timeout")
        assert d.machine.data is None
        assert holder.name == "" and holder.id_number == ""
        assert not d.has_text("您还在吗？")
        assert_nothing_personal_on_screen(d)

    ui.run(script, name="idle")


def test_cancel_from_consent_and_back_from_identify(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        d.controls.insert_card("business")
        await d.wait_step("consent")
        await d.tap_text("取消")
        await d.wait_step("attract")
        assert d.machine.data is None
        await d.tap_text("开始办理")
        await d.wait_step("identify")
        await d.tap_text("返回")
        await d.wait_step("attract")
        assert d.machine.data is None

    ui.run(script, name="cancel")


def test_expired_card_and_unreadable_card_have_their_messages(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        d.controls.insert_card("minority")  # the demo card of this holder expired in 2025
        await d.wait_step("error")
        assert d.has_text("超过有效期")
        await d.shot("error-expired-card")
        await d.tap_text("重试")
        await d.wait_step("identify")
        d.controls.unreadable_card()
        await d.wait_step("error")
        assert d.has_text("无法读取这张卡")
        await d.tap_text("结束办理")
        await d.wait_step("attract")

    ui.run(script, name="card-errors")


def test_paper_out_offers_retry_and_phone_qr(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        d.controls.insert_card("elder")
        await d.wait_step("consent")
        await d.tap_text("同意并查询")
        await d.wait(lambda: d.machine.data.certificates and not d.machine.busy, "list")
        # the paper runs out between the list being shown and the tap (no health check in between:
        # down, out and up happen in one turn of the loop)
        from kivy.tests.common import UnitTestTouch

        await d.frames(0.3)
        button = d.find_text("打印证照清单")
        assert button is not None
        touch = UnitTestTouch(*button.to_window(*button.center))
        touch.touch_down()
        d.controls.set_paper("out")
        touch.touch_up()
        await d.wait(lambda: d.machine.data.printing.phase == "failed", "print failed")
        await d.frames(0.3)
        assert d.has_text("打印机缺纸，请联系工作人员")
        assert d.machine.data.printing.fallback_qr
        await d.shot("print-paper-out")
        d.controls.set_paper("ok")
        await d.tap_text("重新打印")
        await d.wait(lambda: d.machine.data.printing.phase == "done", "printed after refill")
        # degraded mode: once the health check knows the paper is out, printing is not offered
        await d.tap_text("下一步")
        await d.wait_step("rate")
        await d.tap_text("首页")
        d.controls.set_paper("out")
        d.controls.insert_card("elder")
        await d.wait_step("consent")
        await d.tap_text("同意并查询")
        await d.wait(lambda: d.machine.data.certificates and not d.machine.busy, "list")
        await d.controller.refresh_health()
        await d.wait(lambda: d.controller.health.printer == "down", "printer down in health")
        await d.wait(lambda: d.has_text("打印暂不可用"), "printing shown as not available")
        assert d.find_text("打印证照清单") is None

    ui.run(script, name="paper-out")


def test_a_liangzheng_code_on_the_camera_identifies_the_holder(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        await d.tap_text("开始办理")
        await d.wait_step("identify")
        d.controls.show_qr("business")  # through the simulated camera and the real decoder
        await d.wait_step("consent", timeout=30)
        assert d.machine.data.identified_by == "qr"
        assert d.has_text("莫**，您好")
        await d.tap_text("同意并查询")
        await d.wait(lambda: d.machine.data.certificates and not d.machine.busy, "token certificates")
        names = {c.name for c in d.machine.data.certificates}
        assert "营业执照" in names
        await d.shot("qr-certificates")
        d.controls.clear_qr()
        await d.tap_text("首页")
        await d.wait_step("attract")

    ui.run(script, name="qr")


def test_a_used_token_is_refused_with_its_message(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        token = d.controls.issue_token("elder")
        await d.tap_text("开始办理")
        await d.wait_step("identify")
        d.controls.devices.scanner.show(token)
        await d.wait_step("consent", timeout=30)
        await d.tap_text("首页")
        await d.wait_step("attract")
        d.controls.devices.scanner.clear()
        # the camera reads on the home page too, so it is not restarted for the next session: a
        # code counts as shown again once it was out of sight for forget_after (drivers.camera)
        await d.frames(d.controller.config.devices.camera.forget_after_seconds + 1.0)
        await d.tap_text("开始办理")
        await d.wait_step("identify")
        d.controls.devices.scanner.show(token)  # the same code again: single use
        await d.wait_step("error", timeout=30)
        assert d.has_text("已使用")
        await d.shot("qr-token-used")

    ui.run(script, name="qr-used")
