"""Label and button textures as wide as their text, placed where the label's alignment says.

Kivy gives a label with a wrap width a texture as wide as that width; the software renderer then
blends every pixel of a mostly empty 984 px strip each frame. ``KLabel`` measures its text: one
that fits on a line gets a tight texture drawn at the left, centre or right of the label; longer
text still wraps to the label's width. Checked on real pages of the running app.
"""

from __future__ import annotations

from typing import Any

from tests.support.ui import UiDriver, UiHarness


def drawn_at(label: Any) -> tuple[float, float, float, float]:
    """The texture rectangle the label's canvas really draws (pos and size)."""
    from kivy.graphics import Rectangle

    rects = [i for i in label.canvas.children if isinstance(i, Rectangle) and i.texture is label.texture]
    assert len(rects) == 1, label.text
    (x, y), (w, h) = rects[0].pos, rects[0].size
    return x, y, w, h


def labels(d: UiDriver) -> list[Any]:
    from screens.widgets import KLabel

    return [w for w in d.widgets() if isinstance(w, KLabel) and w.text and w.texture is not None]


def big_buttons(d: UiDriver) -> list[Any]:
    from screens.widgets import BigButton

    return [w for w in d.widgets() if isinstance(w, BigButton) and w.text]


def test_short_lines_get_tight_textures_in_the_right_place(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        await d.tap_text("开始办理")
        d.controls.insert_card("elder")
        await d.wait_step("consent")
        await d.tap_text("同意并查询")
        await d.wait(lambda: d.has_text("有效"), "certificate list")
        await d.frames(0.5)
        seen = labels(d)
        buttons = big_buttons(d)
        await d.tap_text("打印证照清单")
        await d.wait(lambda: d.has_text("打印完成") or d.has_text("未能打印"), "print result")
        await d.frames(0.5)
        seen += labels(d)  # the print page has centred lines

        tight = [w for w in seen if w.texture_size[0] < w.width - 1]
        assert len(tight) >= 8, [w.text for w in seen]
        for w in seen:
            x, y, tw, th = drawn_at(w)
            assert (tw, th) == tuple(w.texture_size)
            assert tw <= w.width + 1, w.text  # never wider than the label: nothing cut off
            assert abs((y + th / 2) - w.center_y) <= 1, w.text  # vertically centred
            if w.halign == "left":
                assert abs(x - w.x) <= 1, w.text
            elif w.halign == "center":
                assert abs((x + tw / 2) - w.center_x) <= 1, w.text
        assert any(w.halign == "center" for w in tight) and any(w.halign == "left" for w in tight)
        # short captions: narrower than the wrap width Kivy would have made them (width - 16 dp)
        assert buttons and all(b.texture_size[0] < b.width - b.height * 0.2 for b in buttons)
        for b in buttons:  # the Button rule centres the texture
            x, _y, tw, _th = drawn_at(b)
            assert abs((x + tw / 2) - b.center_x) <= 1, b.text

    ui.run(script, name="label-textures")


def test_text_longer_than_a_line_wraps_to_the_label_width(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        from screens.widgets import KLabel

        await d.frames(0.3)  # the app is up: its fonts are registered
        label = KLabel("如需帮助，请到一楼综合咨询台，或点击“呼叫工作人员”。" * 3, size=28)
        label.width = 400
        await d.frames(0.2)
        assert tuple(label.text_size) == (400, None)
        assert label.texture_size[0] == 400 and label.texture_size[1] > 3 * label.font_size
        label.text = "短句"  # the same label, new text that fits: tight again
        await d.frames(0.2)
        assert tuple(label.text_size) == (None, None) and label.texture_size[0] < 100

    ui.run(script, name="label-wrap")
