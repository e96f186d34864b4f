"""Attract screen: what the terminal does, how to start, elder mode and language. Never personal data."""

from __future__ import annotations

import functools
from collections.abc import Hashable
from typing import Any

from kivy.clock import Clock
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.i18n import _
from screens.base import KioskScreen
from screens.in_view import actions_in_view, low_landscape
from screens.theme import BADGE, BLUE, TEXT_MUTED, WHITE
from screens.widgets import BigButton, KLabel, Panel, spacer

PULSE_SECONDS = 1.2  # one change of the start button's cue every 1.2 s


class AttractScreen(KioskScreen):
    step = "attract"
    personal = False  # kept built between citizens: it shows nothing of anyone
    # 请取走您的身份证 comes and goes in place of 如何开始: a card left at the goodbye page (or at
    # the idle timeout) rebuilt the whole page twice, once for the banner and once as the card was
    # taken, each a frame of 20-odd labels drawn again (bench/soak.py: the longest frames in sessions)
    in_place = frozenset({"card_left"})
    page_parts = ("_start", "_how", "_banner", "_column")

    _pulsing: Widget | None = None
    _pulse_event: Any = None
    _start: Widget | None = None
    _how: Widget | None = None  # 如何开始, on the page unless a card was left in the reader
    _banner: Widget | None = None  # 请取走您的身份证, built the first time a card is left
    _column: BoxLayout | None = None  # the column that holds one or the other
    _how_index = 0  # where 如何开始 goes back (Kivy counts children from the bottom)

    def _stop_pulse(self) -> None:
        if self._pulse_event is not None:
            self._pulse_event.cancel()
            self._pulse_event = None
        if self._pulsing is not None:
            self._pulsing.opacity = 1.0
            self._pulsing = None

    def _start_pulse(self) -> None:
        """Let 开始办理 breathe while this screen is shown, in steps (stopped on leave).

        A smooth Animation changed the button's opacity every frame, and every change redraws the
        whole screen: on a terminal without a graphics card that was 60 frames a second and more
        than a core of CPU for a cue nobody could tell from a still button. One step every
        PULSE_SECONDS is one frame drawn each time, and the screen rests in between; and only
        while someone may be near (kiosk.controller.attract_cue_wanted), so that the terminal
        draws nothing through a night nobody passes.
        """
        self._stop_pulse()
        if self._start is None:
            return
        self._pulsing = self._start
        self._pulse_event = Clock.schedule_interval(self._pulse_step, PULSE_SECONDS)

    def _pulse_step(self, _dt: float) -> None:
        if self._pulsing is None:
            return
        if not self.ctx.controller.attract_cue_wanted():
            self._pulsing.opacity = 1.0  # still while nobody is near (no change: nothing drawn)
            return
        # 0.92 at the faintest: white on the blue still ≥ 6:1 (0.82 measured 4.2:1 on the pixels)
        self._pulsing.opacity = 1.0 if self._pulsing.opacity < 1.0 else 0.92

    def extra_signature(self) -> Hashable:
        c = self.ctx.controller
        return (c.paused, c.printing_available())

    def in_place_value(self, part: str) -> Hashable:
        if part == "card_left":
            return bool(getattr(self.ctx.controller, "card_left", False))
        return super().in_place_value(part)

    def update_in_place(self) -> bool:
        """The banner in place of 如何开始, or back; the paused page is built again instead."""
        if self._column is None or self._how is None:
            return False
        self._show_card_left(bool(getattr(self.ctx.controller, "card_left", False)))
        return True

    def _show_card_left(self, left: bool) -> None:
        column, how, banner = self._column, self._how, self._banner
        assert column is not None and how is not None
        if left:
            if how.parent is column:
                self._how_index = column.children.index(how)
                column.remove_widget(how)
            if banner is None:
                banner = self._banner = self._card_left_banner()
            if banner.parent is None:  # large and first on the page
                column.add_widget(banner, index=len(column.children))
        else:
            if banner is not None and banner.parent is column:
                column.remove_widget(banner)
            if how.parent is None:
                column.add_widget(how, index=self._how_index)

    def build(self) -> Widget:
        c = self.ctx.controller
        self._stop_pulse()  # a repeating animation holds its widget (and the old page) forever
        self._start = self._how = self._banner = self._column = None
        if c.paused is not None:  # staff paused the terminal (暂停服务): say so first, offer nothing
            return self._paused_page(c.paused)
        root = self._home_page()
        if getattr(c, "card_left", False):  # a card left in the reader: asked for until it is taken
            self._show_card_left(True)
        return root

    def _home_page(self) -> Widget:
        c = self.ctx.controller
        s = self.ctx.sizes
        cfg = c.config
        page = self.page()
        # landscape: the columns are half as wide; at the full size "Certificate-free service" took
        # two lines of the elder page and both columns were taller than a 1920x1080 page
        landscape = self.landscape()
        title = s.title if low_landscape() else s.huge * (0.7 if landscape else 1.0)
        page.add_widget(KLabel(_("免证办"), size=title, bold=True, colour=BLUE, halign="center"))
        page.add_widget(
            KLabel(_("电子证照查询与打印 · 无需携带纸质证件"), size=s.title * 0.75, halign="center")
        )
        if c.health.backend == "down":
            page.add_widget(
                KLabel(
                    _("电子证照系统暂时无法连接，查询证照可能失败，请到窗口办理。"),
                    size=s.body,
                    colour=BADGE["revoked"],
                    halign="center",
                )
            )
        how = Panel(spacing=s.spacing * 0.6)
        how.add_widget(KLabel(_("如何开始"), size=s.title * 0.7, bold=True))
        steps = []  # only the ways that work now: a reader or camera that is down is not offered
        if cfg.services.card_identify and c.health.card != "down":
            steps.append(_("将身份证平放在下方读卡区"))
        if cfg.services.qr_identify and c.health.camera != "down":
            steps.append(_("打开手机“亮证码”，对准摄像头"))
        steps.append(_("点击下方“开始办理”按钮"))
        for i, line in enumerate(steps):
            text = "①②③"[i] + " " + (line if i == 0 else _("或{step}").format(step=line))
            how.add_widget(KLabel(text, size=s.body, line_height=s.line_height))
        # where staff help is (also shown by 呼叫工作人员); the elder page has no room for it
        if cfg.terminal.help_text and not c.machine.prefs.elder_mode:
            how.add_widget(
                KLabel(_(cfg.terminal.help_text), size=s.body, colour=TEXT_MUTED, line_height=s.line_height)
            )
        page.add_widget(how)  # the banner takes its place while a card is left (_show_card_left)
        self._how, self._column = how, page
        root: Widget = page
        if landscape:  # two columns: what and how on the left, the actions on the right
            page.add_widget(spacer())
            root = BoxLayout(orientation="horizontal")
            root.add_widget(page)
            page = self.page()
        services = Panel(spacing=s.spacing * 0.5)
        services.add_widget(KLabel(_("本机可以办理"), size=s.title * 0.7, bold=True))
        printing = c.printing_available() and cfg.services.print_receipt
        what = _("免证办：查询、核验、打印您的电子证照") if printing else _("免证办：查询、核验您的电子证照")
        services.add_widget(KLabel("· " + what, size=s.body, colour=TEXT_MUTED))
        if not printing:  # the printer is down (or printing is off): nothing here promises paper
            services.add_widget(
                KLabel(
                    _("打印暂不可用：证照可在屏幕上查看，需要纸质材料请到窗口办理"),
                    size=s.body,
                    colour=BADGE["expired"],
                    line_height=s.line_height,
                )
            )
        pages = []
        if cfg.services.guide and "guide" in c.available_views:
            # elder mode: the short name, so the larger text stays on one line
            pages.append(
                (_("办事指南") if c.machine.prefs.elder_mode else _("办事指南：一件事一次办"), "guide")
            )
        if cfg.services.disclosure and "disclosure" in c.available_views:
            pages.append(
                (_("政务公开") if c.machine.prefs.elder_mode else _("政务公开：中心职责与预算"), "disclosure")
            )
        if pages:
            tiles = BoxLayout(
                orientation="horizontal", spacing=dp(24), size_hint_y=None, height=dp(s.button_height)
            )
            for label, view in pages:
                tiles.add_widget(BigButton(label, functools.partial(c.open_view, view), s, primary=False))
            services.add_widget(tiles)
        page.add_widget(services)
        page.add_widget(spacer())
        start = BigButton(
            _("开始办理"), c.start_session, s, height=dp(s.button_height * (1.1 if landscape else 1.5))
        )
        start.font_size = dp(s.button * 1.3)
        self._start = start
        self._start_pulse()
        toggles = BoxLayout(
            orientation="horizontal", spacing=dp(24), size_hint_y=None, height=dp(s.button_height)
        )
        elder = c.machine.prefs.elder_mode
        toggles.add_widget(
            BigButton(
                _("关闭长辈模式") if elder else _("长辈模式（大字）"), c.toggle_elder_mode, s, primary=False
            )
        )
        english = c.machine.prefs.language == "en"
        toggles.add_widget(
            BigButton(
                "中文" if english else "English",
                lambda: c.set_language("zh_CN" if english else "en"),
                s,
                primary=False,
            )
        )
        if not landscape:
            page.add_widget(start)
            page.add_widget(toggles)
            return root
        # a low landscape page (1280x800): what the terminal offers may scroll, 开始办理 and the
        # text size and language buttons stay in view (screens.in_view)
        root.add_widget(actions_in_view(page, [start, toggles], s.small))
        return root

    def _card_left_banner(self) -> Widget:
        """请取走您的身份证, large and first on the page (the voice says it with a chime, repeated)."""
        s = self.ctx.sizes
        banner = Panel(spacing=s.spacing * 0.3, colour=BADGE["expired"])
        banner.add_widget(
            KLabel(_("请取走您的身份证"), size=s.title, bold=True, colour=WHITE, halign="center")
        )
        banner.add_widget(
            KLabel(
                _("您的身份证还在读卡区。您的信息已从屏幕清除。"),
                size=s.body,
                colour=WHITE,
                halign="center",
                line_height=s.line_height,
            )
        )
        return banner

    def _paused_page(self, message: str) -> Widget:
        """暂停服务 fills the page: what it is and where to go instead. No start button, no ways to
        identify, no services it cannot give now (guide and disclosure are still offered below)."""
        c = self.ctx.controller
        s = self.ctx.sizes
        page = self.page()
        page.add_widget(spacer())
        if getattr(c, "card_left", False):
            page.add_widget(self._card_left_banner())
        notice = Panel(spacing=s.spacing * 0.6, padding=40)
        notice.add_widget(
            KLabel(_("暂停服务"), size=s.huge, bold=True, colour=BADGE["revoked"], halign="center")
        )
        notice.add_widget(
            KLabel(message, size=s.title * 0.8, bold=True, halign="center", line_height=s.line_height)
        )
        if c.config.terminal.help_text:
            notice.add_widget(
                KLabel(
                    _(c.config.terminal.help_text),
                    size=s.body,
                    colour=TEXT_MUTED,
                    halign="center",
                    line_height=s.line_height,
                )
            )
        page.add_widget(notice)
        pages = []
        if c.config.services.guide and "guide" in c.available_views:
            pages.append((_("办事指南"), "guide"))
        if c.config.services.disclosure and "disclosure" in c.available_views:
            pages.append((_("政务公开"), "disclosure"))
        if pages:  # reading needs no device: still offered, small, under the notice
            tiles = BoxLayout(
                orientation="horizontal", spacing=dp(24), size_hint_y=None, height=dp(s.button_height)
            )
            for label, view in pages:
                tiles.add_widget(BigButton(label, functools.partial(c.open_view, view), s, primary=False))
            page.add_widget(tiles)
        page.add_widget(spacer())
        return page

    def on_enter(self, *args: Any) -> None:
        if self._pulsing is None:
            self._start_pulse()

    def on_leave(self, *args: Any) -> None:
        self._stop_pulse()

    def drop_page(self) -> None:
        self._stop_pulse()
        super().drop_page()
