"""The certificate list on a low landscape window, 1280x800 (issue 22), normal and elder mode.

At 1280x800 the greeting, the count line and a row of three buttons left the list about 110 px:
both cards were cut, drawn under 向下滑动查看更多 (and in elder mode the whole page scrolled, the
list paging inside it). Now the buttons stand in a column at the right, the cards take the page's
height, and the list pages (上一页 / 第 1/n 页 / 下一页): on every page each card is whole inside
the page, in no list that scrolls, every certificate on exactly one page, the page's buttons whole
in view, and no layout-audit finding (kiosk.app.layout_audit). One app start for the four modes.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.artifacts import artifacts_dir
from tests.support.layout_walk import Walk, _t, card_to_list, scroll_view_of
from tests.support.ui import UiDriver, UiHarness

SIZE = (1280, 800)
MODES = (("zh_CN", False), ("en", False), ("zh_CN", True), ("en", True))


def window_box(w: Any) -> tuple[float, float, float, float]:
    x0, y0 = w.to_window(w.x, w.y)
    x1, y1 = w.to_window(w.right, w.top)
    return x0, y0, x1, y1


def inside(w: Any, area: tuple[float, float, float, float]) -> bool:
    x0, y0, x1, y1 = window_box(w)
    return x0 >= area[0] - 1 and y0 >= area[1] - 1 and x1 <= area[2] + 1 and y1 <= area[3] + 1


async def session(d: UiDriver, walk: Walk, language: str, elder: bool, result: dict[str, Any]) -> None:
    """One citizen with many certificates (the demo's elder holder): every page of the list checked."""

    c, m = d.controller, d.machine
    await card_to_list(d, walk, language, elder)
    screen = d.app.screens["certificates"]
    assert m.data is not None
    mode = f"{language}-{'elder' if elder else 'normal'}"
    total = len(m.data.certificates)
    area = window_box(screen)  # between the header and the footer
    problems: list[str] = []
    shown: list[str] = []
    pages = 0
    while True:
        pages += 1
        await walk.audit(f"low-list-page{pages}")
        assert screen._elder is not None, f"{mode}: the list does not page"
        _box, listing, _owner = screen._elder
        cards = [w for w in listing.children if w.children]  # not the filler of an odd last row
        assert cards, f"{mode}: an empty page {pages}"
        for card in cards:
            if not inside(card, area):
                problems.append(f"{mode} page {pages}: a card cut {window_box(card)} in {area}")
            if scroll_view_of(card) is not None:
                problems.append(f"{mode} page {pages}: a card in a list that scrolls")
        for caption in ("完成", "打印证照清单", "办事指南（查看免证材料）"):
            button = d.find_text(_t(caption))
            if button is None or not inside(button, area):
                where = None if button is None else window_box(button)
                problems.append(f"{mode} page {pages}: {caption} not whole in view ({where})")
        start, end = screen.pager.pages[screen.pager.index]
        shown += [m.data.certificates[i].identifier for i in range(start, end)]
        if pages == 1:
            count = len(screen.pager.pages)
            label = d.find_text(_t("第 {n}/{total} 页").format(n=1, total=count)) if count > 1 else True
            result[f"{mode}-where"] = label
        nxt = d.find_text(_t("下一页"))
        if nxt is None:
            break
        await d.tap(nxt)
        assert pages < total, f"{mode}: more pages than certificates"
    result[f"{mode}-problems"] = problems
    result[f"{mode}-pages"] = pages
    result[f"{mode}-shown"] = shown
    result[f"{mode}-total"] = [cert.identifier for cert in m.data.certificates]
    c.home()
    await walk.settle(lambda: not m.active, "home")


@pytest.mark.window(*SIZE)
def test_the_list_pages_whole_cards_beside_its_buttons_at_1280x800(ui: UiHarness) -> None:
    result: dict[str, Any] = {}

    async def script(d: UiDriver) -> None:
        walk = Walk(d, artifacts_dir() / "ui" / "small-landscape-list", SIZE)
        result["walk"] = walk
        for language, elder in MODES:
            await session(d, walk, language, elder, result)

    ui.run(script, overrides={"display": {"width": SIZE[0], "height": SIZE[1]}}, size=SIZE, name="low-list")
    walk = result["walk"]
    assert not walk.findings, "\n".join(str(f) for f in walk.findings)
    for language, elder in MODES:
        mode = f"{language}-{'elder' if elder else 'normal'}"
        assert not result[f"{mode}-problems"], "\n".join(result[f"{mode}-problems"])
        assert result[f"{mode}-where"], f"{mode}: no 第 1/n 页"
        assert result[f"{mode}-pages"] > 1, f"{mode}: one page (five certificates)"
        # every certificate on exactly one page, in order
        assert result[f"{mode}-shown"] == result[f"{mode}-total"], mode
