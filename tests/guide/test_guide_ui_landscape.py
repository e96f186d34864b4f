"""The guide in landscape (1920×1080): keypad beside the results, flowchart beside the details,
nothing cut off; a checklist that cannot be printed (paper out) offers a retry and a phone QR.

Marked ``window(1920, 1080)``: after portrait tests it runs in a fresh process with a landscape
window (tests/conftest.py), and each screenshot is checked to be drawn across the whole width.
"""

from __future__ import annotations

import pytest

from tests.support.layout_walk import scroll_view_of
from tests.support.ui import UiDriver, UiHarness, assert_header_spans_window


def cut_off_texts(d: UiDriver) -> list[str]:
    """Texts of labels/buttons outside the window that are not inside a scroll view."""
    from kivy.core.window import Window

    out = []
    for w in d.widgets():
        text = getattr(w, "text", None)
        if not isinstance(text, str) or not text.strip() or w.get_root_window() is None or w.width <= 1:
            continue
        x, y = w.to_window(w.x, w.y)
        outside = y < -1 or y + w.height > Window.height + 1 or x < -1 or x + w.width > Window.width + 1
        if outside and scroll_view_of(w) is None:
            out.append(text)
    return out


def c_printing(d: UiDriver) -> bool:
    return bool(d.controller.printing_available())


@pytest.mark.window(1920, 1080)
def test_guide_landscape_and_print_failure(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        await d.tap_text("办事指南：一件事一次办")
        await d.wait(lambda: d.machine.view == "guide", "guide page")
        await d.tap_text("英")
        for key in "GJJ":
            await d.tap_text(key)
        assert d.has_text("住房公积金提取（购买自住住房）")
        assert cut_off_texts(d) == []
        assert_header_spans_window(await d.shot("guide-landscape-1-search"))
        await d.tap_text("住房公积金提取（购买自住住房）")
        await d.frames(0.3)
        assert d.has_text("办理流程") and d.has_text("可免证")
        assert cut_off_texts(d) == []
        d.controls.set_paper("out")
        await d.tap_text("打印材料清单")
        await d.wait(lambda: d.controller.guide_printing.phase == "failed", "print failure", timeout=60)
        await d.frames(0.3)
        assert d.has_text("您可以用手机扫描下方二维码保存凭条内容：")
        # 重新打印 is offered while the printer is not known to be down (the health poll, every
        # 10 s, may already have found the paper out: then the page says 打印暂不可用 instead)
        assert (d.find_text("重新打印") is not None) == c_printing(d)
        phone = d.controller.guide_printing.fallback_qr
        assert phone and "住房公积金提取" in phone and "申请材料" in phone
        assert_header_spans_window(await d.shot("guide-landscape-2-paper-out"))
        d.controls.set_paper("ok")
        await d.controller.refresh_health()  # as the next poll would
        await d.tap_text("重新打印")
        await d.wait(lambda: d.controller.guide_printing.phase == "done", "printed after retry", timeout=60)
        assert d.controller.guide_printing.attempts == 2
        # the citizen walks away (no session): the next one finds the guide fresh (issue 22)
        await d.tap_text("返回")
        await d.wait(lambda: d.machine.view is None, "home page")
        await d.tap_text("办事指南：一件事一次办")
        await d.wait(lambda: d.machine.view == "guide", "guide page again")
        await d.frames(0.3)
        assert not d.has_text("搜索：GJJ") and not d.has_text("办理流程")
        assert d.has_text("输入拼音，或点“英”输首字母")

    ui.run(
        script, overrides={"display": {"width": 1920, "height": 1080}}, size=(1920, 1080), name="landscape"
    )
