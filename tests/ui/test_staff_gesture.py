"""The hidden staff gesture (a long press in the top-left corner) belongs to the touch that started it.

Before, any touch's lifting cancelled the hold: a second finger, a palm on the screen or a citizen's
tap elsewhere while staff held the corner, and the PIN page never opened. A touch that slides out of
the corner, on the other hand, still opened it."""

from __future__ import annotations

from kiosk.admin.pin import hash_pin
from tests.support.ui import UiDriver, UiHarness

OVERRIDES = {"admin": {"pin_hash": hash_pin("246810")}}


def test_another_touch_lifting_does_not_cancel_the_corner_hold(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        from kivy.core.window import Window
        from kivy.tests.common import UnitTestTouch

        from kiosk.app.root import Root

        await d.wait_step("attract")
        staff = UnitTestTouch(10, Window.height - 10)
        staff.touch_down()
        await d.frames(0.3)
        other = UnitTestTouch(Window.width / 2, Window.height / 2)  # a second finger, mid-screen
        other.touch_down()
        await d.frames(0.1)
        other.touch_up()
        await d.wait(lambda: d.machine.view == "admin", "the PIN page", timeout=Root.HOLD_SECONDS + 10)
        staff.touch_up()
        await d.wait(lambda: d.has_text("请输入管理 PIN"), "the PIN prompt")

    ui.run(script, overrides=OVERRIDES, name="second-touch")


def test_the_holding_touch_moving_out_of_the_corner_cancels_it(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        from kivy.core.window import Window
        from kivy.tests.common import UnitTestTouch

        from kiosk.app.root import Root

        await d.wait_step("attract")
        staff = UnitTestTouch(10, Window.height - 10)
        staff.touch_down()
        await d.frames(0.3)
        staff.touch_move(Root.CORNER * 3, Window.height - Root.CORNER * 3)  # a swipe, not a hold
        await d.frames(Root.HOLD_SECONDS + 1.5)
        assert d.machine.view != "admin", "a touch that left the corner still opened the PIN page"
        staff.touch_up()
        # the same press held in the corner does open it (the check above is not vacuous)
        again = UnitTestTouch(10, Window.height - 10)
        again.touch_down()
        await d.wait(lambda: d.machine.view == "admin", "the PIN page", timeout=Root.HOLD_SECONDS + 10)
        again.touch_up()

    ui.run(script, overrides=OVERRIDES, name="moved-out")
