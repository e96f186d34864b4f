"""Detail: the face fields (照面), the verification badge and the watermark sentence."""

from __future__ import annotations

from collections.abc import Hashable

from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.i18n import _
from kiosk.views import detail_view
from screens.base import KioskScreen
from screens.theme import BADGE, BLUE, TEXT_MUTED
from screens.widgets import Badge, BigButton, KLabel, Panel, spacer


class DetailScreen(KioskScreen):
    """Personal fields are masked until the citizen taps 显示完整信息, and masked again on leaving."""

    step = "detail"
    _reveal = False

    def extra_signature(self) -> Hashable:
        return self._reveal

    def _toggle_reveal(self) -> None:
        self._reveal = not self._reveal
        self.refresh()

    def on_leave(self, *args: object) -> None:
        self._reveal = False
        self._signature = None

    def build(self) -> Widget:
        c = self.ctx.controller
        s = self.ctx.sizes
        cfg = c.config
        page = self.page()
        view = detail_view(
            c.machine, self.ctx.today, cfg.terminal.centre_name, cfg.backend.copy_valid_days, self._reveal
        )
        if view is None:
            page.add_widget(spacer())
            return page
        head = BoxLayout(orientation="horizontal", size_hint_y=None, height=dp(s.title * 1.6))
        head.add_widget(KLabel(view.title, size=s.title, bold=True, colour=BLUE))
        badge_box = BoxLayout(size_hint_x=None, width=dp(240), padding=(0, dp(12)))
        badge_box.add_widget(Badge(view.badge.label, BADGE.get(view.badge.status, BADGE["checking"]), s.body))
        head.add_widget(badge_box)
        page.add_widget(head)
        if view.reason:
            page.add_widget(
                KLabel(view.reason, size=s.body, colour=BADGE.get(view.badge.status, BADGE["revoked"]))
            )
        if c.machine.busy or view.loading:
            page.add_widget(KLabel(c.machine.busy or _("正在核验证照…"), size=s.body, colour=BLUE))
        face = BoxLayout(orientation="vertical", spacing=dp(10))
        panel = Panel(spacing=s.spacing * 0.4)
        for label, value in view.fields:
            panel.add_widget(KLabel(label, size=s.small, colour=TEXT_MUTED))
            panel.add_widget(KLabel(value, size=s.body, line_height=s.line_height))
        face.add_widget(panel)
        page.add_widget(self.scroll(face))
        if not view.loading:
            page.add_widget(
                BigButton(
                    _("隐藏个人信息") if self._reveal else _("显示完整信息"),
                    self._toggle_reveal,
                    s,
                    primary=False,
                    height=dp(s.button_height * 0.8),
                )
            )
        page.add_widget(KLabel(view.watermark, size=s.small, colour=TEXT_MUTED, line_height=s.line_height))
        actions = BoxLayout(
            orientation="horizontal", spacing=dp(28), size_hint_y=None, height=dp(s.button_height)
        )
        actions.add_widget(BigButton(_("返回列表"), c.back, s, primary=False))
        if cfg.services.print_receipt and c.printing_available() and view.badge.status == "valid":
            actions.add_widget(BigButton(_("打印凭条"), c.print_receipt, s))
        page.add_widget(actions)
        return page
