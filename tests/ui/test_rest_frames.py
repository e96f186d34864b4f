"""A terminal at rest draws (almost) nothing: on a static page no frame is drawn unless something on
it changed, and the attract page's cue changes at most once a second.

A 24-hour terminal spends most of its hours waiting; on a machine without a graphics card every
frame is drawn by the CPU (a whole 1080x1920 screen each time), so a frame a second is the budget
for an attention cue, not sixty.
"""

from __future__ import annotations

from typing import Any

from tests.support.ui import UiDriver, UiHarness

SECONDS = 3.0


async def frames_drawn(d: UiDriver, seconds: float) -> int:
    from kivy.core.window import Window

    count = 0

    def counted(*_: Any) -> None:
        nonlocal count
        count += 1

    Window.bind(on_flip=counted)
    try:
        await d.frames(seconds)
    finally:
        Window.unbind(on_flip=counted)
    return count


def test_static_pages_draw_at_most_a_frame_a_second(ui: UiHarness) -> None:
    from kiosk.controller import ATTRACT_CUE_SECONDS

    async def script(d: UiDriver) -> None:
        await d.frames(1.0)  # the first frames, the start-up GC pass
        attract = await frames_drawn(d, SECONDS)
        # the cue's steps (one every 1.2 s) and, at a minute's turn, the header's clock
        assert attract <= SECONDS / 1.2 + 2, f"attract page: {attract} frames in {SECONDS} s"
        await d.tap_text("办事指南：一件事一次办")
        await d.wait(lambda: d.machine.view == "guide", "guide open")
        await d.frames(1.0)
        guide = await frames_drawn(d, SECONDS)
        assert guide <= 2, f"guide page: {guide} frames in {SECONDS} s"
        d.controller.close_view()  # back to the home page (the footer's 返回)
        await d.wait(lambda: d.machine.view is None, "home again")
        d.clock.advance(ATTRACT_CUE_SECONDS + 1)  # nobody touched; the camera films a still counter
        await d.frames(1.5)
        quiet = await frames_drawn(d, SECONDS)
        assert quiet <= 1, f"attract page with nobody near: {quiet} frames in {SECONDS} s"  # the clock
        d.controller.touch()  # someone at the screen: the cue plays again
        await d.frames(0.1)
        assert await frames_drawn(d, SECONDS) >= 2

    ui.run(script, name="rest-frames")
