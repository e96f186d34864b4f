"""The guide and the disclosure on the real app (offscreen, simulated devices, real reference server).

One run visits: 政务公开 (figures on screen = the data file's), 办事指南 list, keypad search "BDC",
a matter with its flowchart, identification by card from the matter page, the certificates screen's
guide button, the identified citizen's 免证 checklist, printing it, and the list with 可免交 badges.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from kiosk.disclosure import change_chart, default_disclosure, sangong_chart, spending_chart
from kiosk.guide import MaterialState, default_catalogue, session_readiness
from tests.support.ui import UiDriver, UiHarness

PEOPLE = ("覃䶮", "450206199005170038", "0038")


def scroll_view(d: UiDriver) -> Any:
    from kivy.uix.scrollview import ScrollView

    screen = d.app.manager.current_screen
    return next(w for w in screen.walk(restrict=True) if isinstance(w, ScrollView))


async def scroll_to(d: UiDriver, y: float) -> None:
    scroll_view(d).scroll_y = y
    await d.frames(0.3)


async def show_chart(d: UiDriver, title: str) -> None:
    """Scroll the page so that the chart with this title is at the top of the view."""
    from screens.chart_widgets import HBarChart

    view = scroll_view(d)
    chart = next(w for w in view.walk(restrict=True) if isinstance(w, HBarChart) and w.chart.title == title)
    view.scroll_to(chart, padding=10, animate=False)
    await d.frames(0.3)


def test_guide_and_disclosure_on_screen(ui: UiHarness) -> None:
    async def script(d: UiDriver) -> None:
        # ---------------------------------------------------------------- 政务公开
        await d.tap_text("政务公开：中心职责与预算")
        await d.wait(lambda: d.machine.view == "disclosure", "disclosure page")
        await d.frames(0.3)
        shown = set(d.texts())
        data = default_disclosure()
        for chart in (spending_chart(data), change_chart(data), sangong_chart(data)):
            assert chart.title in shown and chart.subtitle in shown
            for bar in chart.bars:
                assert bar.label in shown and bar.value_text in shown
                if bar.detail and not chart.compare:
                    assert bar.detail in shown
                if chart.compare:
                    assert bar.previous_text in shown and bar.detail in shown
        assert "676.73 万元" in shown and "占 72.14%" in shown and "−1.8（−10%）" in shown
        assert any("938.09 万元" in t for t in shown) and "人员编制：55 名" in shown
        await d.shot("disclosure-1-top")
        await show_chart(d, change_chart(data).title)
        await d.shot("disclosure-2-change")
        await show_chart(d, sangong_chart(data).title)
        await d.shot("disclosure-3-sangong")
        # 查看全部 opens the duties where the citizen reads: no rebuild, no jump to the top (issue 22)
        screen = d.app.screens["disclosure"]
        page, view = screen.children[0], scroll_view(d)
        more = d.find_text(f"查看全部 {len(data.duties)} 项职责")
        assert more is not None
        view.scroll_to(more, padding=40, animate=False)
        await d.frames(0.3)
        before = screen._offset(view)
        assert before > 0
        assert not d.has_text(data.duties[-1])
        await d.tap(more)
        await d.frames(0.3)
        assert screen.children[0] is page  # the same page, not rebuilt
        assert abs(screen._offset(view) - before) < 2  # and the view where it was
        for duty in data.duties:  # all of them, word for word
            assert d.find_text(duty) is not None, duty
        assert d.has_text("以下照录《柳江区政务服务中心2024年单位预算情况说明》原文")
        await d.shot("disclosure-4-all-duties")
        view.scroll_to(more, padding=40, animate=False)  # the same button, now 收起, further down
        await d.frames(0.3)
        assert more.text == "收起"
        await d.tap(more)
        await d.frames(0.3)
        assert screen.children[0] is page and not d.has_text(data.duties[-1])
        await d.tap_text("返回")
        await d.wait(lambda: d.machine.view is None, "back to attract")

        # ---------------------------------------------------------------- 办事指南, nobody identified
        await d.tap_text("办事指南：一件事一次办")
        await d.wait(lambda: d.machine.view == "guide", "guide page")
        catalogue = default_catalogue()
        for m in catalogue.matters[:4]:
            assert d.has_text(m.name)
        for key in "hunyin":  # pinyin, then the word from the candidate bar (issue 22)
            await d.tap_text(key)
        await d.wait(lambda: d.find_text("婚姻") is not None, "candidate 婚姻")
        await d.tap_text("婚姻")
        assert d.has_text("搜索：婚姻") and d.has_text("婚姻登记（结婚登记）")
        await d.tap_text("删除")
        await d.tap_text("删除")
        await d.tap_text("英")  # initials, as before
        for key in "BDC":
            await d.tap_text(key)
        assert d.has_text("搜索：BDC") and d.has_text("不动产登记（二手房转移登记）")
        assert not d.has_text("婚姻登记（结婚登记）")
        await d.shot("guide-1-search-bdc")
        await d.tap_text("不动产登记（二手房转移登记）")
        matter = catalogue.get("estate-transfer")
        assert matter is not None
        for step in matter.steps:
            assert d.has_text(step.title)
        assert d.has_text(matter.window) and d.has_text(matter.time_limit)
        await scroll_to(d, 0.0)
        await d.shot("guide-2-matter-flowchart")

        # ---------------------------------------------------------------- identify from the matter page
        await d.tap_text("刷身份证查看免证材料")
        await d.wait_step("identify")
        d.controls.insert_card("rare")
        await d.wait_step("consent")
        await d.tap_text("同意并查询")
        await d.wait(
            lambda: (
                d.machine.data is not None
                and bool(d.machine.data.certificates)
                and len(d.machine.data.records) == len(d.machine.data.certificates)
            ),
            "verified list",
            timeout=60,
        )
        await d.tap_text("办事指南（查看免证材料）")
        await d.wait(lambda: d.machine.view == "guide", "guide over the session")
        await d.frames(0.3)
        ready = session_readiness(catalogue, matter, d.machine.data, date.today())
        assert {c.material.name for c in ready.covered} == {"买卖双方身份证明", "不动产权属证书"}
        assert d.has_text("您有 2 项材料已由电子证照核验，无需提交纸质材料")
        assert d.texts().count("免证") == 2
        assert d.texts().count("需携带") == len([c for c in ready.checks if c.state is MaterialState.BRING])
        assert d.has_text("您的电子结婚证已注销，请携带纸质材料")
        shown_text = " ".join(d.texts())
        for secret in PEOPLE[:2]:
            assert secret not in shown_text
        await d.shot("guide-3-identified-checklist")

        await d.tap_text("打印材料清单")
        await d.wait(lambda: d.controller.guide_printing.phase == "done", "checklist printed", timeout=60)
        await d.frames(0.3)
        assert d.has_text("材料清单已打印，请取走凭条")
        image = d.controls.last_receipt()
        assert image is not None and image.height > 600
        image.save(d.shots_dir / "guide-checklist-printed.png")

        await d.tap_text("‹ 全部事项")
        await d.frames(0.3)
        assert d.has_text("可免交 2 项")
        await d.shot("guide-4-list-identified")
        await d.tap_text("首页")
        await d.wait_step("attract")
        assert d.machine.data is None
        assert d.controller.guide_printing.phase == "idle" and d.controller.guide_printing.fallback_qr is None

    ui.run(script, name="guide")
    assert ui.last_audit is not None
    events = [json.loads(line) for line in ui.last_audit.read_text(encoding="utf-8").splitlines()]
    printed = [e for e in events if e.get("event") == "guide_checklist_printed"]
    assert printed and printed[0]["data"]["matter"] == "estate-transfer"
    text = ui.last_audit.read_text(encoding="utf-8")
    assert PEOPLE[0] not in text and PEOPLE[1] not in text
