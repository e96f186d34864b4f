"""Goodbye: take your card and receipt; a countdown back to the attract screen (session wiped)."""

from __future__ import annotations

from kivy.metrics import dp
from kivy.uix.widget import Widget

from kiosk.i18n import _
from screens.base import KioskScreen
from screens.in_view import low_landscape
from screens.theme import BADGE, BLUE, TEXT_MUTED
from screens.widgets import BigButton, KLabel, spacer


class GoodbyeScreen(KioskScreen):
    step = "goodbye"
    personal = False  # the same words for everyone: kept built from one citizen to the next
    in_place = frozenset({"countdown"})  # the seconds tick in the label, the page is not rebuilt
    page_parts = ("_countdown",)
    _countdown: KLabel | None = None

    def update_in_place(self) -> bool:
        n = self.ctx.controller.machine.goodbye_remaining
        if self._countdown is None or n is None:
            return False
        self._countdown.text = _("{n} 秒后返回首页").format(n=n)
        return True

    def build(self) -> Widget:
        c = self.ctx.controller
        s = self.ctx.sizes
        page = self.page()
        # a low landscape page (1280x800: about 530 px) had 返回首页 under a scroll cue
        short = low_landscape()
        if short:
            page.padding = (dp(48), dp(20))
        page.add_widget(spacer())
        thanks = s.title * 1.2 if short else s.huge
        page.add_widget(KLabel(_("感谢您的使用"), size=thanks, bold=True, colour=BLUE, halign="center"))
        page.add_widget(
            KLabel(
                _("请取走您的身份证和凭条"), size=s.title, bold=True, colour=BADGE["expired"], halign="center"
            )
        )
        page.add_widget(
            KLabel(_("您的个人信息已从本机清除"), size=s.body, colour=TEXT_MUTED, halign="center")
        )
        n = c.machine.goodbye_remaining
        self._countdown = None
        if n is not None:
            self._countdown = KLabel(_("{n} 秒后返回首页").format(n=n), size=s.body, halign="center")
            page.add_widget(self._countdown)
        page.add_widget(spacer())
        page.add_widget(BigButton(_("返回首页"), c.home, s))
        return page
