"""Landscape 1920×1080 (configurable orientation): the session screens lay out without overflow."""

from __future__ import annotations

import pytest

from tests.support.ui import UiDriver, UiHarness, assert_header_spans_window


def visible_text_widgets_inside_window(d: UiDriver) -> list[str]:
    """Texts of labels/buttons whose box falls outside the window (cut off)."""
    from kivy.core.window import Window

    outside = []
    for w in d.widgets():
        text = getattr(w, "text", None)
        if not isinstance(text, str) or not text.strip() or w.get_root_window() is None:
            continue
        if getattr(w, "opacity", 1) == 0 or w.width <= 1:
            continue
        x, y = w.to_window(w.x, w.y)
        cut = y < -1 or y + w.height > Window.height + 1 or x < -1 or x + w.width > Window.width + 1
        if cut and not any(type(p).__name__ == "ScrollView" for p in _parents(w)):
            outside.append(text)
    return outside


def _parents(w: object) -> list[object]:
    out = []
    p = getattr(w, "parent", None)
    while p is not None and p is not getattr(p, "parent", None):
        out.append(p)
        p = getattr(p, "parent", None)
    return out


@pytest.mark.window(1920, 1080)
def test_landscape_session_screens(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        assert_header_spans_window(await d.shot("landscape-01-attract"))
        assert visible_text_widgets_inside_window(d) == []
        await d.tap_text("开始办理")
        await d.wait_step("identify")
        assert_header_spans_window(await d.shot("landscape-02-identify"))
        assert visible_text_widgets_inside_window(d) == []
        # built before its screen was laid out (Kivy's 100 px), the page took the 1280x800 layout
        assert d.app.screens["identify"].built_short is False
        d.controls.insert_card("elder")
        await d.wait_step("consent")
        assert visible_text_widgets_inside_window(d) == []
        await d.tap_text("同意并查询")
        await d.wait(lambda: d.machine.data.certificates and not d.machine.busy, "list")
        assert_header_spans_window(await d.shot("landscape-03-certificates"))
        assert visible_text_widgets_inside_window(d) == []

    ui.run(
        script, overrides={"display": {"width": 1920, "height": 1080}}, size=(1920, 1080), name="landscape"
    )
