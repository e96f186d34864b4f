"""呼叫工作人员 on the real screen: the notice says 已通知工作人员 only when the robot accepted the call,
and the configured fallback when it refused (screenshots of both, Chinese, nothing cut off)."""

from __future__ import annotations

from tests.support.robots import running_robot
from tests.support.ui import UiDriver, UiHarness

FALLBACK = "请到一楼综合咨询台，或拨打 0772-7212345"


def inside_window(widget: object) -> bool:
    from kivy.core.window import Window

    x, y = widget.to_window(widget.x, widget.y)  # type: ignore[attr-defined]
    w, h = widget.width, widget.height  # type: ignore[attr-defined]
    return x >= 0 and y >= 0 and x + w <= Window.width and y + h <= Window.height


def test_help_notice_follows_the_robots_answer(ui: UiHarness) -> None:
    # the first call is refused on every try, the second accepted
    with running_robot("wecom", script=[("errcode", 93000)] * 2) as robot:

        async def script(d: UiDriver) -> None:
            await d.tap_text("开始办理")
            await d.tap_text("呼叫工作人员")
            first = d.controller.help_call
            await d.wait(lambda: first.phase == "fallback", "the refused call")
            await d.wait(lambda: d.has_text(FALLBACK), "the fallback notice")
            assert not d.has_text("已通知工作人员")
            notice = d.app._help_notice
            assert inside_window(notice.title_label) and inside_window(notice.body_label)
            await d.shot("help-call-fallback")
            await d.tap_text("知道了")
            await d.tap_text("呼叫工作人员")
            second = d.controller.help_call
            await d.wait(lambda: second.phase == "accepted", "the accepted call")
            await d.wait(lambda: d.has_text(f"已通知工作人员，请稍候（编号 {second.ticket}）"), "the claim")
            assert not d.has_text(FALLBACK)
            notice = d.app._help_notice
            assert inside_window(notice.title_label) and inside_window(notice.body_label)
            await d.shot("help-call-accepted")

        notify = {"wecom_url": robot.url, "tries": 2, "backoff_seconds": 0.1, "fallback_text": FALLBACK}
        ui.run(script, {"notify": notify}, name="help-call")
    assert len(robot.received) == 3  # two refused tries, one accepted
