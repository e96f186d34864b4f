"""The detail page on a landscape window shows the certificate (issue 22): the page as issued whole
in the left column, never in a list that scrolls; the title, seal check, 显示完整信息, the official
sentence and the buttons in the right column, the buttons whole in view.

WHY: the left column was one list that scrolled (显示完整信息, the official sentence, the seal line,
then the certificate), and the certificate was cut at the bottom by the list's cue (1920x1080
elder) or entirely below the fold (1280x800): the thing the citizen came for took a fling to see.
Chinese elder, English normal and English elder, each window size one app start; also with the
onlooker warning (确定 / 取消) standing in the right column, its tallest state (on 1280x800 it takes
the print buttons' room while it stands). Screenshots on a finding only
(artifacts/ui/landscape-detail/).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.artifacts import artifacts_dir
from tests.support.layout_walk import Walk, _t, card_to_list, issued_done, scroll_view_of
from tests.support.ui import UiDriver, UiHarness

BUTTONS = ("返回列表", "打印凭条", "打印加注件")


def _rect(w: Any) -> tuple[float, float, float, float]:
    """``w``'s box in window coordinates (through a zoom's Scatter too): x0, y0, x1, y1."""
    x0, y0 = w.to_window(w.x, w.y)
    x1, y1 = w.to_window(w.right, w.top)
    return x0, y0, x1, y1


def _inside(inner: tuple[float, ...], outer: tuple[float, ...]) -> bool:
    return (
        inner[0] >= outer[0] - 1
        and inner[1] >= outer[1] - 1
        and inner[2] <= outer[2] + 1
        and inner[3] <= outer[3] + 1
    )


def _scrolled(w: Any) -> bool:
    return scroll_view_of(w) is not None


def check_page(d: UiDriver, where: str, buttons: tuple[str, ...] = BUTTONS) -> None:
    """The certificate whole in the page area and in no list; every button whole and in no list."""
    from screens.detail import FaceViewer

    detail = d.app.screens["detail"]
    area = _rect(d.app.manager)  # between the header and the footer
    viewers = [w for w in detail.walk(restrict=True) if isinstance(w, FaceViewer)]
    assert len(viewers) == 1, f"{where}: {len(viewers)} certificate pictures"
    viewer = viewers[0]
    assert not _scrolled(viewer), f"{where}: the certificate is in a list that scrolls"
    box, picture = _rect(viewer), _rect(viewer.image)
    assert picture[3] - picture[1] > 200, f"{where}: the certificate only {picture} high"
    assert _inside(picture, box), f"{where}: the certificate {picture} cut by its box {box}"
    assert _inside(box, area), f"{where}: the certificate {box} outside the page {area}"
    shown = [b for b in (d.find_text(_t(text)) for text in buttons) if b is not None]
    assert len(shown) == len(buttons), f"{where}: buttons {[b.text for b in shown]}"
    for button in shown:
        assert not _scrolled(button), f"{where}: {button.text!r} in a list that scrolls"
        assert _inside(_rect(button), area), f"{where}: {button.text!r} {_rect(button)} cut in {area}"


async def detail_session(d: UiDriver, walk: Walk, language: str, elder: bool) -> None:
    from kiosk.session import Step

    c, m = d.controller, d.machine
    await card_to_list(d, walk, language, elder)
    assert m.data is not None
    valid = [i for i, r in m.data.records.items() if r.verification.ok]
    assert valid
    c.select(valid[0])
    await walk.settle(lambda: m.step is Step.DETAIL and not m.busy and issued_done(c), "detail")
    face = c.issued.face(m.data.selected)
    assert face is not None and face.phase == "shown"
    await walk.audit("landscape-detail")
    mode = f"{language}-{'elder' if elder else 'normal'}"
    check_page(d, mode)
    # the onlooker warning with 确定 / 取消 in the right column: still the buttons in view
    # 显示完整信息 may be under the text column's fold (1280x800 elder): scrolled to, as by a finger
    reveal = d.find_text(_t("显示完整信息"))
    assert reveal is not None
    listing = scroll_view_of(reveal)
    if listing is not None:
        listing.scroll_to(reveal, padding=0, animate=False)
        await d.frames()
    await d.tap(reveal)
    assert d.find_text(_t("确定")) is not None
    await walk.audit("landscape-detail-warning")
    # the question to answer; on a low window (1280x800) it takes the print buttons' room meanwhile
    answers = ("取消", "确定")
    check_page(d, f"{mode} warning", answers if walk.size[1] < 900 else answers + BUTTONS)
    await d.tap_text(_t("取消"))
    c.home()
    await walk.settle(lambda: not m.active, "home")


def run(ui: UiHarness, size: tuple[int, int]) -> None:
    walks: list[Walk] = []

    async def script(d: UiDriver) -> None:
        walk = Walk(d, artifacts_dir() / "ui" / "landscape-detail", size)
        walks.append(walk)
        await detail_session(d, walk, "zh_CN", elder=True)
        await detail_session(d, walk, "en", elder=False)
        await detail_session(d, walk, "en", elder=True)  # the longest words at the largest size

    overrides = {"display": {"width": size[0], "height": size[1]}}
    ui.run(script, overrides=overrides, size=size, name="land-detail")
    assert walks and len(walks[0].audited) == 6
    assert not walks[0].findings, "\n".join(str(f) for f in walks[0].findings)


@pytest.mark.window(1920, 1080)
def test_the_landscape_detail_shows_the_certificate_whole_1920x1080(ui: UiHarness) -> None:
    run(ui, (1920, 1080))


@pytest.mark.window(1280, 800)
def test_the_landscape_detail_shows_the_certificate_whole_1280x800(ui: UiHarness) -> None:
    run(ui, (1280, 800))
