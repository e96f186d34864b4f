"""A small landscape screen (1280×800): the header, the guide with its pinyin keyboard, the identify
page and the idle warning read right in every mode (issue 22).

WHY a test of its own beside tests/ui/test_layout_audit.py: the whole-app audit runs for minutes and
only compares against its baseline; this one audits just these pages (kiosk.app.layout_audit) in
Chinese/English × normal/elder and asks for no finding at all, with the header one band high, so
that a regression on these pages names itself. At 1280×800 the page area is about 460 px high in
elder mode: the keyboard, the hot words and the results had to share it, and the header's English
name took a third line.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.artifacts import artifacts_dir
from tests.support.layout_walk import Walk
from tests.support.ui import UiDriver, UiHarness

MODES = (("zh_CN", False), ("zh_CN", True), ("en", False), ("en", True))


@pytest.mark.window(1280, 800)
def test_header_guide_identify_and_idle_warning_fit_a_small_landscape_screen(ui: UiHarness) -> None:
    result: dict[str, Any] = {}

    async def script(d: UiDriver) -> None:
        from kiosk.app.layout_audit import rendered_lines  # imports Kivy's window: not before ui.run

        walk = Walk(d, artifacts_dir() / "ui" / "small-landscape", (1280, 800))
        result["walk"] = walk
        c, m = d.controller, d.machine
        headers = result["headers"] = []
        for language, elder in MODES:
            c.set_language(language)
            if bool(m.prefs.elder_mode) != elder:
                c.toggle_elder_mode()
            await walk.audit("attract")
            header = d.app.header
            headers.append(
                (f"{language}-{elder}", [rendered_lines(x) for x in (header.centre, header.terminal)])
            )
            c.open_view("guide")
            await walk.settle(lambda: d.app.manager.current == "guide" and not m.busy, "guide")
            await walk.audit("guide")
            assert d.app.screens["guide"].built_short is True
            keyboard = d.app.screens["guide"]._keyboard
            assert keyboard is not None
            for letter in "kaiban":  # the candidate bar filled, on the small screen too
                keyboard.press_letter(letter)
            await walk.audit("guide-typing")
            c.close_view()
            await walk.drawn()
            c.start_session()
            await d.wait_step("identify")
            await walk.audit("identify")
            assert d.app.screens["identify"].built_short is True
            d.clock.advance(m.effective_idle_seconds - m.warning_seconds + 2)
            await walk.settle(lambda: m.warning_remaining is not None, "idle warning")
            await walk.audit("idle-warning")
            c.home()
            await walk.settle(lambda: not m.active, "home")

    ui.run(script, overrides={"display": {"width": 1280, "height": 800}}, size=(1280, 800), name="small")
    walk = result["walk"]
    assert len(walk.audited) == 5 * len(MODES)
    assert not walk.findings, "\n".join(str(f) for f in walk.findings)
    # the header is one band: the centre's and the terminal's names each on one line, whole
    for mode, lines in result["headers"]:
        assert [len(name) for name in lines] == [1, 1], (mode, lines)
