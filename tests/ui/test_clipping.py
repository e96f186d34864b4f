"""Scrolling lists and the screen area clip their drawing with a scissor box, not Kivy's stencil.

Kivy's StencilView draws a box the size of the clipped area into the stencil buffer twice a
frame; the software renderer fills it pixel by pixel (screens.clipping). Checked in the running
app: no stencil is drawn on a page with a list, and what is scrolled out of a list's box is still
not drawn, also after the page around the list moved (a screen is a RelativeLayout).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.ui import UiDriver, UiHarness

RED = (230, 0, 0)


def instructions(group: Any) -> list[Any]:
    from kivy.graphics.instructions import InstructionGroup

    found = []
    for ins in group.children:
        found.append(ins)
        if isinstance(ins, InstructionGroup):
            found += instructions(ins)
    return found


def pixel(shot: Path, x: float, y: float) -> tuple[int, int, int]:
    """The colour at window point (x, y) (Kivy's y goes up, the image's down)."""
    from PIL import Image

    with Image.open(shot) as image:
        rgb = image.convert("RGB")
        return rgb.getpixel((int(x), rgb.height - 1 - int(y)))  # type: ignore[return-value]


def near(colour: tuple[int, int, int], other: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 12 for a, b in zip(colour, other, strict=True))


def test_no_stencil_is_drawn_on_a_page_with_a_list(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        from kivy.core.window import Window
        from kivy.graphics.scissor_instructions import ScissorPush
        from kivy.graphics.stencil_instructions import StencilPush
        from kivy.uix.scrollview import ScrollView

        await d.tap_text("开始办理")
        d.controls.insert_card("elder")
        await d.wait_step("consent")
        await d.tap_text("同意并查询")
        await d.wait(lambda: d.has_text("有效"), "certificate list")
        await d.frames(0.5)
        assert any(isinstance(w, ScrollView) for w in d.widgets())
        drawn = instructions(Window.canvas)
        assert not [i for i in drawn if isinstance(i, StencilPush)]
        assert len([i for i in drawn if isinstance(i, ScissorPush)]) >= 2  # the screen area and the list

    ui.run(script, name="no-stencil")


def test_what_is_scrolled_out_of_a_list_is_not_drawn(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        from kivy.core.window import Window
        from kivy.graphics import Color, Rectangle
        from kivy.uix.relativelayout import RelativeLayout
        from kivy.uix.widget import Widget

        from screens.clipping import clip_with_scissor
        from screens.theme import rgba

        await d.frames(0.3)
        box = RelativeLayout(size_hint=(None, None), size=(400, 600), pos=(100, 400))
        from kivy.uix.scrollview import ScrollView

        view = clip_with_scissor(ScrollView(do_scroll_x=False, size_hint=(None, None), size=(300, 200)))
        view.pos = (50, 200)  # in the box: the window sees it at (150, 600)-(450, 800)
        tall = Widget(size_hint=(None, None), size=(300, 1000))
        with tall.canvas:
            Color(*rgba("#E60000"))
            rect = Rectangle(size=tall.size)
        tall.bind(pos=lambda *_: setattr(rect, "pos", tall.pos))
        view.add_widget(tall)
        box.add_widget(view)
        Window.add_widget(box)
        try:
            view.scroll_y = 0.5
            shot = await d.shot("clip-in-place")
            assert near(pixel(shot, 300, 700), RED)  # inside the list's box
            assert not near(pixel(shot, 300, 590), RED)  # just below it: scrolled out
            assert not near(pixel(shot, 300, 810), RED)  # just above it
            box.pos = (500, 300)  # the page moves; the list's own pos does not change
            shot = await d.shot("clip-moved")
            assert near(pixel(shot, 700, 600), RED)  # the list now at (550, 500)-(850, 700)
            assert not near(pixel(shot, 700, 490), RED) and not near(pixel(shot, 700, 710), RED)
            assert not near(pixel(shot, 300, 700), RED)  # nothing left where it was
        finally:
            Window.remove_widget(box)

    ui.run(script, name="clip")
