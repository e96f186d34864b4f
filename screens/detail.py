"""Detail: the face fields (照面), the verification badge, and the watermark sentence — or, for a
certificate not verified valid, the plain notice that it cannot serve as proof (never the official
sentence)."""

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
    """Personal fields are masked until the citizen taps 显示完整信息 and confirms the onlooker
    warning; the session masks them again after ``timeouts.reveal_seconds`` and on leaving."""

    step = "detail"
    _confirming = False  # the onlooker warning with 确定 / 取消 is shown in place of the button

    def extra_signature(self) -> Hashable:
        m = self.ctx.machine
        unfetched = bool(m.data and m.data.selected in m.data.unfetched)
        return (self._confirming, m.revealed, unfetched)

    def _ask_reveal(self) -> None:
        self._confirming = True
        self.ctx.controller.keep_alive()
        self.refresh()

    def _confirm_reveal(self) -> None:
        self._confirming = False
        self.ctx.controller.reveal_details()
        self.refresh()

    def _cancel_reveal(self) -> None:
        self._confirming = False
        self.ctx.controller.keep_alive()
        self.refresh()

    def _conceal(self) -> None:
        self.ctx.controller.conceal_details()
        self.refresh()

    def on_leave(self, *args: object) -> None:
        self._confirming = False
        self._signature = None

    def _reveal_controls(self, revealed: bool) -> Widget:
        """显示完整信息; after a tap, the onlooker warning with 确定 / 取消; 隐藏 while shown."""
        s = self.ctx.sizes
        h = dp(s.button_height * 0.8)
        if revealed:
            box = BoxLayout(orientation="vertical", size_hint_y=None, spacing=dp(8))
            box.add_widget(BigButton(_("隐藏个人信息"), self._conceal, s, primary=False, height=h))
            seconds = self.ctx.controller.config.timeouts.reveal_seconds
            note = KLabel(
                _("个人信息将在 {n} 秒后自动隐藏").format(n=seconds), size=s.small, colour=TEXT_MUTED
            )
            box.add_widget(note)
            box.bind(minimum_height=box.setter("height"))
            return box
        if not self._confirming:
            return BigButton(_("显示完整信息"), self._ask_reveal, s, primary=False, height=h)
        panel = Panel(spacing=s.spacing * 0.5)
        panel.add_widget(
            KLabel(_("请注意遮挡，防止他人看到您的个人信息"), size=s.body, bold=True, colour=BLUE)
        )
        buttons = BoxLayout(orientation="horizontal", spacing=dp(28), size_hint_y=None, height=h)
        buttons.add_widget(BigButton(_("取消"), self._cancel_reveal, s, primary=False, height=h))
        buttons.add_widget(BigButton(_("确定"), self._confirm_reveal, s, height=h))
        panel.add_widget(buttons)
        return panel

    def build(self) -> Widget:
        c = self.ctx.controller
        s = self.ctx.sizes
        cfg = c.config
        page = self.page()
        view = detail_view(c.machine, self.ctx.today, cfg.terminal.centre_name, cfg.backend.copy_valid_days)
        if view is None:
            page.add_widget(spacer())
            return page
        head = BoxLayout(orientation="horizontal", size_hint_y=None, height=dp(s.title * 1.6))
        head.add_widget(KLabel(view.title, size=s.title, bold=True, colour=BLUE))
        badge_box = BoxLayout(size_hint_x=None, width=dp(240), padding=(0, dp(12)))
        badge_box.add_widget(Badge(view.badge.label, BADGE.get(view.badge.status, BADGE["checking"]), s.body))
        head.add_widget(badge_box)
        page.add_widget(head)
        if view.acting_for:
            page.add_widget(KLabel(view.acting_for, size=s.body, bold=True, colour=TEXT_MUTED))
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
        if view.maskable:
            page.add_widget(self._reveal_controls(view.revealed))
        if view.watermark:
            page.add_widget(
                KLabel(view.watermark, size=s.small, colour=TEXT_MUTED, line_height=s.line_height)
            )
        elif view.notice:
            page.add_widget(
                KLabel(
                    view.notice, size=s.body, bold=True, colour=BADGE["revoked"], line_height=s.line_height
                )
            )
        actions = BoxLayout(
            orientation="horizontal", spacing=dp(28), size_hint_y=None, height=dp(s.button_height)
        )
        actions.add_widget(BigButton(_("返回列表"), c.back, s, primary=False))
        if cfg.services.print_receipt and c.printing_available() and view.badge.status == "valid":
            actions.add_widget(BigButton(_("打印凭条"), c.print_receipt, s))
        page.add_widget(actions)
        return page
