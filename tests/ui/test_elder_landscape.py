"""Elder mode on landscape windows (issue 22): the certificate list pages as in portrait, and the
English detail page with 打印加注件 fits.

(a) The list: 上一页 / 第 1/3 页 / 下一页 with the cards that fit the room, every card whole on its
page, never a list that scrolls (that was the landscape fallback: a fling is hard for many elderly
citizens and hides that more follows). On 1280x800 the elder page is taller than the window and
scrolls as a whole with its cue (screens.base.show_page); the list in it still pages, a row of
cards high (it was a list that scrolled inside the page that scrolled).

(b) The detail of a valid certificate in English with its three buttons (Back to the list, Print a
receipt, Print A4 copy): no layout finding (kiosk.app.layout_audit), every word English but the
citizen's own masked data (the seal's name was Chinese). One window size a test (one app start).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.artifacts import artifacts_dir
from tests.support.layout_walk import Walk, _t, card_to_list, issued_done
from tests.support.ui import UiDriver, UiHarness

CJK = re.compile(r"[\u3400-\u9fff]")


async def elder_session(d: UiDriver, walk: Walk, language: str, result: dict[str, Any]) -> None:
    """One elder citizen: every page of the list checked, then the detail of a valid certificate."""
    from kivy.uix.scrollview import ScrollView

    from kiosk.session import Step

    c, m = d.controller, d.machine
    await card_to_list(d, walk, language, True)
    screen = d.app.screens["certificates"]
    assert m.data is not None
    total = len(m.data.certificates)
    shown: list[str] = []
    pages = 0
    while True:
        pages += 1
        await walk.audit(f"list-page{pages}")
        assert screen._elder is not None
        box, listing, _owner = screen._elder
        # no list that scrolls: the cards are on the page itself, each whole inside the list's room
        assert not any(isinstance(w, ScrollView) for w in box.walk(restrict=True)), "the list scrolls"
        assert listing.children, "an empty page"
        bottom, top = box.to_window(box.x, box.y)[1], box.to_window(box.x, box.top)[1]
        for card in listing.children:
            y0, y1 = card.to_window(card.x, card.y)[1], card.to_window(card.x, card.top)[1]
            where = f"page {pages}: {y0}-{y1} in {bottom}-{top}"
            assert y0 >= bottom - 1 and y1 <= top + 1, f"a card cut on {where}"
        start, end = screen.pager.pages[screen.pager.index]
        shown += [c.machine.data.certificates[i].identifier for i in range(start, end)]
        if pages == 1:
            count = len(screen.pager.pages)
            result[f"{language}-where"] = d.find_text(_t("第 {n}/{total} 页").format(n=1, total=count))
        nxt = d.find_text(_t("下一页"))
        if nxt is None:
            break
        await d.tap(nxt)
        assert pages < total
    result[f"{language}-pages"] = pages
    result[f"{language}-shown"] = shown
    result[f"{language}-total"] = [cert.identifier for cert in m.data.certificates]
    # the detail of a certificate verified valid, with its seal checked: 打印加注件 is offered
    valid = [i for i, r in m.data.records.items() if r.verification.ok]
    assert valid
    c.select(valid[0])
    await walk.settle(lambda: m.step is Step.DETAIL and not m.busy and issued_done(c), "detail")
    await walk.audit("detail")
    detail = d.app.screens["detail"]
    texts = [str(w.text) for w in detail.walk(restrict=True) if isinstance(getattr(w, "text", None), str)]
    result[f"{language}-detail"] = texts
    # the issuer's own words on the certificate (a 结婚证's 备注: 测试数据) are data, not translated
    from kiosk.views import detail_view

    cfg = c.config
    view = detail_view(m, detail.ctx.today, cfg.terminal.centre_name, cfg.backend.copy_valid_days)
    assert view is not None
    result[f"{language}-values"] = [value for _label, value in view.fields]
    c.home()
    await walk.settle(lambda: not m.active, "home")


def check(result: dict[str, Any], walk: Walk) -> None:
    assert not walk.findings, "\n".join(str(f) for f in walk.findings)
    for language in ("zh_CN", "en"):
        pages = result[f"{language}-pages"]
        assert pages > 1, f"{language}: one page (the list scrolled or all fit)"
        assert result[f"{language}-where"] is not None, f"{language}: no 第 1/n 页"
        # every certificate on exactly one page, in order
        assert result[f"{language}-shown"] == result[f"{language}-total"]
    english = result["en-detail"]
    assert "Print A4 copy" in english and "Print a receipt" in english and "Back to the list" in english
    # the citizen's own data (masked: 韦**, 广西壮族自治区柳州****) is the one Chinese text: a name or
    # an address is not translated
    values = set(result["en-values"])
    chinese = [t for t in english if CJK.search(t) and "*" not in t and t not in values]
    assert not chinese, chinese


def run(ui: UiHarness, size: tuple[int, int]) -> None:
    result: dict[str, Any] = {}

    async def script(d: UiDriver) -> None:
        walk = Walk(d, artifacts_dir() / "ui" / "elder-landscape", size)
        result["walk"] = walk
        for language in ("zh_CN", "en"):
            await elder_session(d, walk, language, result)

    ui.run(script, overrides={"display": {"width": size[0], "height": size[1]}}, size=size, name="elder-land")
    check(result, result["walk"])


@pytest.mark.window(1920, 1080)
def test_elder_list_pages_and_english_detail_fit_1920x1080(ui: UiHarness) -> None:
    run(ui, (1920, 1080))


@pytest.mark.window(1280, 800)
def test_elder_list_pages_and_english_detail_fit_1280x800(ui: UiHarness) -> None:
    run(ui, (1280, 800))
