"""政务公开: the centre's duties and its budget as charts a citizen reads at a glance.

Content comes from config/disclosure.toml (kiosk.disclosure); a broken file shows a plain message
instead of the page, never a crash (staff see the detail with ``kiosk guide check``).
"""

from __future__ import annotations

import logging
from typing import Any

from kivy.clock import Clock
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.bundles.content import disclosure_for
from kiosk.disclosure import change_chart, sangong_chart, spending_chart
from kiosk.disclosure.charts import amount_text, other_figures, published_change
from kiosk.guide.content import ContentError
from kiosk.i18n import _
from screens.base import KioskScreen
from screens.chart_widgets import HBarChart
from screens.theme import BLUE, TEXT_MUTED
from screens.widgets import BigButton, KLabel, Panel

log = logging.getLogger(__name__)


SHOWN_DUTIES = 3  # the first duties; the rest on 查看全部
HOLD_SECONDS = 1.0  # how long the view is held in place while the duties' labels lay out


class DisclosureScreen(KioskScreen):
    step = "disclosure"
    page_parts = ("_duties", "_more", "_toggle", "_scroller")
    _duties: Panel | None = None
    _more: list[Widget] | None = None
    _toggle: BigButton | None = None
    _scroller: ScrollView | None = None

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.show_duties = False

    def _toggle_duties(self) -> None:
        """查看全部 / 收起 in place: the other duties are added or taken out of the panel, the page
        is not rebuilt, and the view stays where the citizen is reading (it jumped to the top)."""
        self.ctx.controller.keep_alive()
        panel, more, button, view = self._duties, self._more, self._toggle, self._scroller
        if panel is None or more is None or button is None or view is None:
            return
        self.show_duties = not self.show_duties
        offset = self._offset(view)
        if self.show_duties:
            at = panel.children.index(button) + 1  # Kivy's children run last to first
            for label in more:
                panel.add_widget(label, index=at)
        else:
            for label in more:
                panel.remove_widget(label)
        button.text = self._toggle_text(len(more) + SHOWN_DUTIES)
        # the labels take their heights over the next frames: hold the view where it was while the
        # content grows or shrinks, then let go
        content = view.children[0]

        def hold(*_args: Any) -> None:
            self._keep_offset(view, offset)

        content.bind(height=hold)
        hold()
        Clock.schedule_once(lambda _dt: content.unbind(height=hold), HOLD_SECONDS)

    @staticmethod
    def _offset(view: ScrollView) -> float:
        """How far below the top of its content the view shows, in pixels."""
        content = view.children[0] if view.children else None
        room = (content.height - view.height) if content is not None else 0
        return max(0.0, (1 - view.scroll_y) * room)

    @staticmethod
    def _keep_offset(view: ScrollView, offset: float) -> None:
        content = view.children[0] if view.children else None
        room = (content.height - view.height) if content is not None else 0
        view.scroll_y = 1.0 if room <= 0 else min(1.0, max(0.0, 1 - offset / room))

    def _toggle_text(self, total: int) -> str:
        return _("收起") if self.show_duties else _("查看全部 {n} 项职责").format(n=total)

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
        change = published_change(d.budget, d.budget.total, d.budget.previous_total)
        if change:
            head.add_widget(
                KLabel(_("比{year}年 {change}").format(year=d.previous_year, change=change), size=s.body)
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
        verbatim = d.duties_form == "verbatim"
        duties.add_widget(
            KLabel(
                (_("以下照录《{source}》原文") if verbatim else _("以下为摘要，原文见《{source}》")).format(
                    source=d.source
                ),
                size=s.small,
                colour=TEXT_MUTED,
                line_height=s.line_height,
            )
        )
        labels = [
            # verbatim duties carry the statement's own numbering; a summary is numbered here
            KLabel(duty if verbatim else f"{i}．{duty}", size=s.small, line_height=s.line_height)
            for i, duty in enumerate(d.duties, start=1)
        ]
        for label in labels[:SHOWN_DUTIES] + (labels[SHOWN_DUTIES:] if self.show_duties else []):
            duties.add_widget(label)
        self._duties, self._more, self._toggle = duties, labels[SHOWN_DUTIES:], None
        if len(labels) > SHOWN_DUTIES:
            self._toggle = BigButton(self._toggle_text(len(labels)), self._toggle_duties, s, primary=False)
            duties.add_widget(self._toggle)
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
        self._scroller = self.scroll(body)
        page.add_widget(self._scroller)
        return page
