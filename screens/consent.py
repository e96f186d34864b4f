"""Consent: the matter, the use cause, what will be fetched, the privacy promise; 同意 / 取消."""

from __future__ import annotations

from collections.abc import Hashable

from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.i18n import _
from kiosk.views import holder_view
from screens.base import KioskScreen
from screens.in_view import actions_in_view
from screens.theme import BADGE, BLUE, TEXT_MUTED
from screens.widgets import BigButton, KLabel, Panel, spacer

MATTER = "免证办：电子证照查询与打印"


def _plain(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def consent_lines(use_cause: str) -> list[tuple[str, str]]:
    """The label/value rows of the consent panel, translated.

    The use cause (用证事由) is what the terminal sends the platform and prints on copies; where a
    terminal configured it as the matter itself (the shipped default), the two rows said the same
    thing twice, so they become one row. A different use cause keeps its own row.
    """
    matter, cause = (
        _("免证办：电子证照查询与打印"),
        _(use_cause),
    )  # the literal: found by the translation test
    if _plain(use_cause) == _plain(MATTER) or _plain(cause) == _plain(matter):
        rows = [(_("办理事项（用证事由）"), matter)]
    else:
        rows = [(_("办理事项"), matter), (_("用证事由"), cause)]
    return [*rows, (_("将查询"), _("您本人名下的电子证照（仅用于本次办理）"))]


class ConsentScreen(KioskScreen):
    """The same page for every citizen but for the greeting: kept built, the greeting in place."""

    step = "consent"
    in_place = frozenset({"holder"})
    page_parts = ("_greeting",)
    _greeting: KLabel | None = None

    def session_signature(self) -> Hashable:
        return self.ctx.machine.data is not None

    def update_in_place(self) -> bool:
        if self._greeting is None:
            return False
        holder = holder_view(self.ctx.machine)
        self._greeting.text = holder.greeting if holder else ""
        return True

    def blank_in_place(self) -> None:
        if self._greeting is not None:
            self._greeting.text = ""

    def build(self) -> Widget:
        c = self.ctx.controller
        s = self.ctx.sizes
        page = self.page()
        holder = holder_view(c.machine)
        self._greeting = KLabel(holder.greeting if holder else "", size=s.title, bold=True, colour=BLUE)
        page.add_widget(self._greeting)
        page.add_widget(KLabel(_("请确认授权"), size=s.title * 0.8, bold=True))
        info = Panel(spacing=s.spacing * 0.5)
        for label, value in consent_lines(c.config.session.use_cause):
            info.add_widget(KLabel(label, size=s.small, colour=TEXT_MUTED))
            info.add_widget(KLabel(value, size=s.body, line_height=s.line_height))
        page.add_widget(info)
        root: Widget = page
        landscape = self.landscape()
        button_height = dp(s.button_height * (1.0 if landscape else 1.2))
        if landscape:  # the promise and the buttons go to a second column
            # the matter's column the wider, the two columns 48 dp apart (not twice the page's
            # margin) and the buttons one button high: at half the page each value took two lines
            # in elder English, and one column or the other was taller than a 1920x1080 page
            page.size_hint_x = 1.3
            page.padding = (dp(48), dp(36), dp(24), dp(36))
            page.add_widget(spacer())
            root = BoxLayout(orientation="horizontal")
            root.add_widget(page)
            page = self.page()
            page.padding = (dp(24), dp(36), dp(48), dp(36))
        promise = Panel(spacing=s.spacing * 0.4)
        promise.add_widget(KLabel(_("本机不保存您的个人信息"), size=s.body, bold=True, colour=BADGE["valid"]))
        promise.add_widget(
            KLabel(
                _("查询记录按规定由电子证照系统留存。离开本机或超时无操作时，屏幕上的信息会立即清除。"),
                size=s.body,
                colour=TEXT_MUTED,
                line_height=s.line_height,
            )
        )
        page.add_widget(promise)
        page.add_widget(spacer())
        if c.machine.busy:
            page.add_widget(KLabel(c.machine.busy, size=s.body, colour=BLUE, halign="center"))
        buttons = BoxLayout(orientation="horizontal", spacing=dp(28), size_hint_y=None, height=button_height)
        buttons.add_widget(BigButton(_("取消"), c.home, s, primary=False, height=button_height))
        agree = BigButton(_("同意并查询"), c.agree, s, height=button_height)
        agree.size_hint_x = 1.6
        buttons.add_widget(agree)
        if not landscape:
            page.add_widget(buttons)
            return root
        # a low landscape page (1280x800): the promise may scroll, the buttons stay in view
        root.add_widget(actions_in_view(page, [buttons], s.small))
        return root
