"""A page rebuilt for a reason the citizen did not cause (a device's status arriving) neither takes
a tap with it nor what is being typed: the key pressed when it came still types, the page changes
once the finger lifts, and the pinyin being composed is still there afterwards. A finger left on
the glass does not freeze the pages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.ui import UiDriver, UiHarness

pytestmark = pytest.mark.ui


def a_device_status_changes(d: UiDriver) -> None:
    """What the health check does when the camera's status changes (every page that shows the
    terminal's health is built again)."""
    health = d.controller.health
    health.camera = "error" if health.camera == "ok" else "ok"
    d.controller._notify()


async def open_the_complaint_text(d: UiDriver) -> Any:
    await d.tap_text("咨询投诉")
    await d.wait(lambda: d.machine.view == "complaint", "the complaint page")
    await d.tap_text("我要投诉")
    await d.tap_text("其他")
    screen = d.app.screens["complaint"]
    await d.wait(lambda: screen._page == "text" and screen.children, "the text page")
    return screen


def press(widget: Any) -> Any:
    from kivy.tests.common import UnitTestTouch

    touch = UnitTestTouch(*widget.to_window(*widget.center))
    touch.touch_down()
    return touch


def test_a_key_pressed_while_the_page_is_rebuilt_still_types(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        root = d.app._root
        root.page_hold.LONGEST = 30.0  # however slow this machine, the finger counts as a tap
        screen = await open_the_complaint_text(d)
        await d.tap_text("排队时间太长")
        await d.tap_text("下一步")
        await d.wait(lambda: screen._page == "phone" and screen.children, "the phone page")
        key = d.find_text("2")
        assert key is not None
        shown = screen._signature
        touch = press(key)
        await d.frames(0.2)
        a_device_status_changes(d)
        await d.frames(0.6)  # frames enough for the page to have been built and shown
        assert screen._signature == shown and key.get_root_window() is not None, (
            "the page was replaced under the finger"
        )
        touch.touch_up()
        await d.wait(lambda: screen._phone == "2", "the digit typed")
        await d.wait(lambda: screen._signature != shown, "the new page, once the finger lifted")
        assert key.get_root_window() is None  # rebuilt: the key pressed is gone, its digit kept
        assert d.has_text("2") and screen._phone_label.text == "2"
        await d.shot("rebuild-01-phone-after-lift")

    ui.run(script, name="key-during-rebuild")


def test_the_pinyin_being_typed_survives_a_rebuilt_page(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        screen = await open_the_complaint_text(d)
        for ch in "tousu":
            await d.tap_text(ch)
        keyboard = screen._keyboards["text"]
        assert keyboard.composer.letters == "tousu"
        shown = screen._signature
        a_device_status_changes(d)
        await d.wait(lambda: screen._signature != shown, "the page built again")
        assert keyboard.get_root_window() is not None, "the page shows another keyboard"
        assert d.has_text("拼音：tousu")
        await d.tap_text("投诉")  # the candidate for what was typed before the rebuild
        assert screen._text == "投诉"
        await d.tap_text("英")  # plain letters: the mode, too, outlives a rebuild
        shown = screen._signature
        a_device_status_changes(d)
        await d.wait(lambda: screen._signature != shown, "the page built again")
        await d.tap_text("A")
        assert screen._text == "投诉A"
        await d.shot("rebuild-02-pinyin-kept")

    ui.run(script, name="pinyin-during-rebuild")


def test_a_finger_left_on_the_glass_does_not_freeze_the_page(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        root = d.app._root
        screen = await open_the_complaint_text(d)
        panel = d.find_text("排队时间太长")
        shown = screen._signature
        touch = press(panel)  # and left there: a resting hand, a sleeve, a fault of the glass
        await d.frames(0.1)
        a_device_status_changes(d)
        await d.wait(
            lambda: screen._signature != shown,
            "the page built again while the finger stays",
            timeout=root.page_hold.LONGEST + 10,
        )
        assert root.page_hold.remaining() == 0
        touch.touch_up()

    ui.run(script, name="finger-left-on-glass")
