"""Error: what happened, that nothing was lost, what to do, and a way on (ux.md, "Errors")."""

from __future__ import annotations

from kivy.uix.widget import Widget

from kiosk.i18n import _
from screens.base import KioskScreen
from screens.theme import BADGE, TEXT_MUTED
from screens.widgets import BigButton, KLabel, spacer


class ErrorScreen(KioskScreen):
    step = "error"

    def build(self) -> Widget:
        c = self.ctx.controller
        s = self.ctx.sizes
        err = c.machine.error
        page = self.page()
        page.add_widget(spacer())
        page.add_widget(KLabel("!", size=s.huge * 1.5, bold=True, colour=BADGE["expired"], halign="center"))
        page.add_widget(
            KLabel(
                _(err.message) if err else _("出现问题"),  # backend messages are Chinese msgids
                size=s.title * 0.8,
                bold=True,
                halign="center",
                line_height=s.line_height,
            )
        )
        page.add_widget(
            KLabel(
                _("您的信息没有丢失，也没有被保存在本机。"), size=s.body, colour=TEXT_MUTED, halign="center"
            )
        )
        page.add_widget(spacer())
        again = err is not None and err.return_to is not None
        page.add_widget(BigButton(_("重试") if again else _("返回首页"), c.acknowledge_error, s))
        if again:
            page.add_widget(BigButton(_("结束办理"), c.home, s, primary=False))
        return page
