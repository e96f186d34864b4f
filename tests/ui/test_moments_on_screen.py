"""Moments that go wrong, on the real app (issue 22): a card left at the idle timeout, a paused
terminal, the printer down, the reader and the camera down on the identify page, the consent's
rows, the rating's equal grades, the footer's step and countdown, and the PIN page's message."""

from __future__ import annotations

from typing import Any

from tests.support.ui import UiDriver, UiHarness


def labels_with(d: UiDriver, fragment: str) -> list[Any]:
    return [w for w in d.widgets() if fragment in str(getattr(w, "text", ""))]


def buttons(d: UiDriver) -> list[Any]:
    from kivy.uix.button import Button

    return [w for w in d.widgets() if isinstance(w, Button)]


def test_moments_that_go_wrong(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        from kivy.metrics import dp

        from screens.theme import sizes

        c = d.controller
        # ------------------------------------------------ a card left in the reader at the timeout
        d.controls.insert_card("elder")
        await d.wait_step("consent")
        assert labels_with(d, "步骤 2/4") and labels_with(d, "剩余 ")  # the footer: step and seconds
        volume = d.app.voice.volume
        assert d.find_text("重听") is not None
        await d.tap_text("音量")  # the citizens' volume key, in the footer
        assert d.app.voice.volume != volume
        rows = set(d.texts())
        assert "办理事项（用证事由）" in rows and "用证事由" not in rows and "办理事项" not in rows
        d.clock.advance(c.machine.effective_idle_seconds + 1)
        await d.wait_step("attract")
        await d.frames(0.3)
        banner = d.find_text("请取走您的身份证")
        assert banner is not None and c.card_left
        assert banner.font_size >= dp(sizes(False).title)  # large, and first on the page
        assert d.find_text("如何开始") is None  # the banner is in its place
        await d.shot("moments-1-card-left")
        start = d.find_text("开始办理")
        d.controls.pull_card()
        await d.wait(lambda: not c.card_left, "card taken")
        await d.frames(0.3)
        assert d.find_text("请取走您的身份证") is None
        assert d.find_text("如何开始") is not None
        assert d.find_text("开始办理") is start  # swapped in place: the home page was not built again

        # ------------------------------------------------ the printer down: no 打印 promised
        d.controls.set_paper("out")
        await c.refresh_health()
        await d.wait(lambda: d.has_text("打印暂不可用"), "printing unavailable said")
        assert not d.has_text("查询、核验、打印您的电子证照")
        d.controls.set_paper("ok")
        await c.refresh_health()
        await d.wait(lambda: d.has_text("查询、核验、打印您的电子证照"), "printing back")

        # ------------------------------------------------ paused: a large notice, nothing it cannot do
        c.pause("设备维护中，暂停服务，请到服务窗口办理。")
        await d.wait(lambda: d.find_text("暂停服务") is not None, "paused page")
        await d.frames(0.3)
        title = d.find_text("暂停服务")
        assert title is not None
        assert title.font_size >= dp(sizes(False).huge)
        assert d.find_text("开始办理") is None and not d.has_text("读卡区") and not d.has_text("亮证码")
        await d.shot("moments-2-paused")
        c.resume()
        await d.wait(lambda: d.find_text("开始办理") is not None, "resumed")

        # ------------------------------------------------ the reader and the camera down
        d.app.controller.devices.card.unplug()
        await d.wait(lambda: c.health.card == "down", "reader down")
        await d.tap_text("开始办理")
        await d.wait_step("identify")
        assert d.has_text("读卡器暂不可用") and d.has_text("请使用右侧的亮证码")
        assert not d.has_text("将身份证平放在读卡区")  # no card instructions after "unavailable"
        await d.shot("moments-3-reader-down")
        d.app.controller.devices.card.replug()
        await d.tap_text("首页")
        await d.wait_step("attract")
        await d.wait(lambda: c.health.card != "down", "reader back")
        d.app.controller.devices.scanner.source.unplug()  # the camera is lost while it streams
        await d.wait(lambda: c.devices.scanner.health() == "down", "camera lost", timeout=30)
        await c.refresh_health()
        assert c.health.camera == "down"
        await d.tap_text("开始办理")
        await d.wait_step("identify")
        assert d.has_text("摄像头暂不可用，无法识别亮证码")
        assert not d.has_text("请将手机二维码对准摄像头")
        from screens.identify import Preview

        assert not [w for w in d.widgets() if isinstance(w, Preview)]  # no empty frame
        await d.shot("moments-4-camera-down")
        d.app.controller.devices.scanner.source.replug()

        # ------------------------------------------------ the rating: five equal grades
        d.controls.insert_card("elder")
        await d.wait_step("consent")
        await d.tap_text("同意并查询")
        await d.wait_records()
        c.finish_service()
        await d.wait_step("rate")
        grades = [b for b in buttons(d) if b.text in ("非常满意", "满意", "基本满意", "不满意", "非常不满意")]
        assert len(grades) == 5
        looks = {(tuple(b.background_color), tuple(b.color), b.font_size, b.height) for b in grades}
        assert len(looks) == 1, looks  # none filled, none steered to
        await d.shot("moments-5-rate")
        await d.tap_text("不满意")
        await d.frames(0.3)
        assert not [b for b in buttons(d) if "请先选择原因" in b.text]  # a hint, not a button
        assert d.find_text("请先选择原因，再提交评价") is not None
        await d.tap_text("等待时间太长")
        assert d.find_text("提交评价") is not None
        await d.tap_text("填写补充说明")  # Chinese by pinyin (screens/pinyin_keyboard.py)
        for letter in "paidui":
            await d.tap_text(letter)
        await d.wait(lambda: d.find_text("排队") is not None, "candidate 排队")
        await d.tap_text("排队")
        await d.tap_text("完成")
        assert d.find_text("排队") is not None  # the comment on the reasons page
        await d.tap_text("提交评价")
        await d.wait_step("goodbye")
        d.controls.pull_card()
        await d.tap_text("返回首页")
        await d.wait_step("attract")

        # ------------------------------------------------ the PIN page: a wrong PIN moves nothing
        c.open_view("admin")
        await d.wait(lambda: d.find_text("请输入管理 PIN") is not None, "PIN page")
        await d.frames(0.3)
        key = d.find_text("1")
        assert key is not None
        before = key.to_window(*key.pos)
        for digit in "1111":
            await d.tap_text(digit)
        await d.tap_text("确定")
        from kiosk.admin import admin_for

        await d.wait(lambda: admin_for(c).last_message != "", "the wrong PIN's message")
        assert d.find_text(admin_for(c).last_message) is not None
        await d.frames(0.5)
        key = d.find_text("1")
        assert key is not None
        assert key.to_window(*key.pos) == before  # the keypad stays under the finger
        await d.shot("moments-6-wrong-pin")

    ui.run(script, name="moments")
