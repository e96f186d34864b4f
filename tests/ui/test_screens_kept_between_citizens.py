"""What is rebuilt between citizens, and what is not.

The attract page shows nothing of anyone, so it stays built from one citizen to the next (its
开始办理 pulse stops while it is hidden and starts again when it is back); a screen that showed
a citizen is dropped as soon as the citizen leaves it, and all of them when the session ends.
The goodbye countdown ticks in its label instead of rebuilding the page each second. Both keep
work and garbage off the UI thread.
"""

from __future__ import annotations

from typing import Any

from tests.support.ui import UiDriver, UiHarness


def attract_page(d: UiDriver) -> Any:
    screen = d.app.screens["attract"]
    return screen.children[0] if screen.children else None


async def pulses(d: UiDriver) -> bool:
    """Whether 开始办理's opacity moves (its pulse) over a little more than half a cycle."""
    button = d.app.screens["attract"]._start
    assert button is not None
    seen = set()
    for _ in range(14):
        seen.add(round(float(button.opacity), 3))
        await d.frames(0.1)
    return len(seen) > 1


def test_the_attract_page_stays_built_and_personal_screens_are_dropped(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        await d.frames(0.3)
        before = attract_page(d)
        assert before is not None and await pulses(d)
        d.controls.insert_card("elder")
        await d.wait_step("consent")
        consent = d.app.screens["consent"]
        assert consent.children  # built: it shows the masked name
        assert not await pulses(d)  # the hidden attract page does not animate
        await d.tap_text("取消")
        await d.wait_step("attract")
        await d.frames(0.3)
        assert attract_page(d) is before  # the same page, not a rebuilt one
        assert await pulses(d)
        assert not consent.children  # the citizen's screen was dropped with the session

    ui.run(script, name="kept")


def test_the_goodbye_countdown_ticks_in_place(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        d.controls.insert_card("elder")
        await d.wait_step("consent")
        await d.tap_text("同意并查询")
        await d.wait(lambda: bool(d.machine.data and d.machine.data.certificates), "list")
        assert not d.app.screens["consent"].children  # the screen the citizen left is dropped at once
        await d.tap_text("完成")
        await d.wait(lambda: d.machine.step.value in ("rate", "goodbye"), "rate or goodbye")
        if d.machine.step.value == "rate":
            await d.tap_text("非常满意")
        await d.wait_step("goodbye")
        await d.wait(lambda: d.machine.goodbye_remaining is not None, "countdown")
        page = d.app.screens["goodbye"].children[0]
        first = d.machine.goodbye_remaining
        assert d.has_text(f"{first} 秒后返回首页")
        d.clock.advance(2)
        await d.wait(lambda: d.machine.goodbye_remaining not in (None, first), "countdown moved")
        now = d.machine.goodbye_remaining
        await d.frames(0.2)
        assert d.has_text(f"{now} 秒后返回首页") and not d.has_text(f"{first} 秒后返回首页")
        assert d.app.screens["goodbye"].children[0] is page  # the label changed, not the page

    ui.run(script, name="goodbye-countdown")
