"""政务公开: the centre's duties and its budget as charts a citizen reads at a glance.

Content comes from config/disclosure.toml (kiosk.disclosure); a broken file shows a plain message
instead of the page, never a crash (staff see the detail with ``kiosk guide check``).
"""

from __future__ import annotations

import logging
from typing import Any

from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.bundles.content import disclosure_for
from kiosk.disclosure import change_chart, sangong_chart, spending_chart
from kiosk.disclosure.charts import amount_text, change_text, other_figures
from kiosk.guide.content import ContentError
from kiosk.i18n import _
from screens.base import KioskScreen
from screens.chart_widgets import HBarChart
from screens.theme import BLUE, TEXT_MUTED
from screens.widgets import BigButton, KLabel, Panel

log = logging.getLogger(__name__)


class DisclosureScreen(KioskScreen):
    step = "disclosure"

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.show_duties = False

    def extra_signature(self) -> object:
        return self.show_duties

    def _toggle_duties(self) -> None:
        self.show_duties = not self.show_duties
        self.ctx.controller.keep_alive()
        self.refresh()

    def on_leave(self, *args: Any) -> None:
        self.show_duties = False
        self._signature = None

    def build(self) -> Widget:
        s = self.ctx.sizes
        page = self.page()
        page.add_widget(KLabel(_("政务公开"), size=s.title, bold=True, colour=BLUE))
        try:
            d = disclosure_for(self.ctx.controller)  # the applied bundle's, else the shipped file
        except ContentError as exc:
            log.error("disclosure content refused: %s", exc)
            page.add_widget(KLabel(_("政务公开信息暂时无法显示，请到咨询台查询。"), size=s.body))
            page.add_widget(Widget())
            return page
        body = BoxLayout(orientation="vertical", spacing=dp(s.spacing * 0.8))
        head = Panel(spacing=s.spacing * 0.3)
        head.add_widget(KLabel(d.centre, size=s.title * 0.62, bold=True))
        head.add_widget(
            KLabel(
                _("{year}年预算总额 {total}").format(
                    year=d.year, total=f"{amount_text(d.budget.total)} {d.unit}"
                ),
                size=s.title * 0.9,
                bold=True,
                colour=BLUE,
            )
        )
        if d.budget.previous_total is not None:
            head.add_widget(
                KLabel(
                    _("比{year}年 {change}").format(
                        year=d.previous_year, change=change_text(d.budget.total, d.budget.previous_total)
                    ),
                    size=s.body,
                )
            )
        body.add_widget(head)
        body.add_widget(HBarChart(spending_chart(d), s))
        body.add_widget(HBarChart(change_chart(d), s))
        body.add_widget(HBarChart(sangong_chart(d), s))
        figures = Panel(spacing=s.spacing * 0.3)
        figures.add_widget(KLabel(_("其他公开数据"), size=s.title * 0.62, bold=True))
        for label, text in other_figures(d):
            figures.add_widget(KLabel(f"{_(label)}：{text}", size=s.body))
        if d.staff_note:
            figures.add_widget(KLabel(d.staff_note, size=s.small, colour=TEXT_MUTED))
        body.add_widget(figures)
        duties = Panel(spacing=s.spacing * 0.4)
        duties.add_widget(KLabel(_("中心职责"), size=s.title * 0.62, bold=True))
        shown = d.duties if self.show_duties else d.duties[:3]
        for i, duty in enumerate(shown, start=1):
            duties.add_widget(KLabel(f"{i}．{duty}", size=s.small, line_height=s.line_height))
        if len(d.duties) > 3:
            duties.add_widget(
                BigButton(
                    _("收起") if self.show_duties else _("查看全部 {n} 项职责").format(n=len(d.duties)),
                    self._toggle_duties,
                    s,
                    primary=False,
                )
            )
        body.add_widget(duties)
        if d.priorities:
            work = Panel(spacing=s.spacing * 0.4)
            work.add_widget(KLabel(_("{year}年重点工作").format(year=d.year), size=s.title * 0.62, bold=True))
            for item in d.priorities:
                work.add_widget(KLabel("· " + item, size=s.small, line_height=s.line_height))
            body.add_widget(work)
        body.add_widget(
            KLabel(
                _("数据来源：{source}；金额单位：{unit}").format(source=d.source, unit=d.unit),
                size=s.small,
                colour=TEXT_MUTED,
            )
        )
        page.add_widget(self.scroll(body))
        return page
