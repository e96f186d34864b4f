"""Identify: where to place the ID card and where the camera is, the two ways side by side."""

from __future__ import annotations

from typing import Any, cast

from kivy.clock import Clock
from kivy.graphics import Color, Line, Rectangle, SmoothRoundedRectangle
from kivy.graphics.texture import Texture
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image
from kivy.uix.widget import Widget

from kiosk.i18n import _
from screens.base import KioskScreen
from screens.in_view import low_landscape
from screens.theme import BADGE, BLUE, TEXT_MUTED, rgba
from screens.widgets import KLabel, Panel, spacer


class CardIllustration(Widget):
    """A reader with a card lying on it: drawn, so it scales with the screen."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.bind(pos=self._draw, size=self._draw)

    def _draw(self, *_: Any) -> None:
        self.canvas.clear()
        w, h = self.width, self.height
        with self.canvas:
            Color(*rgba("#D5DCE6"))
            SmoothRoundedRectangle(
                pos=(self.x + w * 0.1, self.y + h * 0.1), size=(w * 0.8, h * 0.45), radius=[dp(16)]
            )
            Color(*rgba(BLUE))
            SmoothRoundedRectangle(
                pos=(self.x + w * 0.22, self.y + h * 0.32), size=(w * 0.56, h * 0.5), radius=[dp(12)]
            )
            Color(1, 1, 1, 1)
            Rectangle(pos=(self.x + w * 0.28, self.y + h * 0.45), size=(w * 0.18, h * 0.28))
            Line(
                points=[self.x + w * 0.5, self.y + h * 0.7, self.x + w * 0.72, self.y + h * 0.7], width=dp(3)
            )
            Line(
                points=[self.x + w * 0.5, self.y + h * 0.6, self.x + w * 0.72, self.y + h * 0.6], width=dp(3)
            )
            Line(
                points=[self.x + w * 0.5, self.y + h * 0.5, self.x + w * 0.66, self.y + h * 0.5], width=dp(3)
            )


class Preview(Image):
    """Live camera preview with a guide frame; frames come from the controller ~10 times a second."""

    def __init__(self, source_fn: Any, **kw: Any) -> None:
        super().__init__(fit_mode="contain", **kw)
        self._source_fn = source_fn
        self._shown: Any = None
        self._event: Any = None
        self.start()
        with self.canvas.after:
            Color(*rgba("#F5B800"))
            self._guide = Line(width=dp(4))
        self.bind(pos=self._draw_guide, size=self._draw_guide)

    def _draw_guide(self, *_: Any) -> None:
        side = min(self.width, self.height) * 0.7
        x = self.center_x - side / 2
        y = self.center_y - side / 2
        self._guide.rectangle = (x, y, side, side)

    def _update(self, *_: Any) -> None:
        frame = self._source_fn()
        if frame is None or frame is self._shown:
            return  # nothing new: no upload
        self._shown = frame
        tex: Any = cast(Any, self).texture
        if tex is None or tex.size != (frame.width, frame.height):
            tex = Texture.create(size=(frame.width, frame.height), colorfmt="rgb")
            tex.flip_vertical()
        tex.blit_buffer(frame.rgb, colorfmt="rgb", bufferfmt="ubyte")
        self.texture = tex
        self.canvas.ask_update()

    def start(self) -> None:
        if self._event is None:
            self._event = Clock.schedule_interval(self._update, 0.1)

    def stop(self) -> None:
        """Stop, and drop the last camera image: the next citizen must not see it."""
        if self._event is not None:
            self._event.cancel()
            self._event = None
        self._shown = None
        self.texture = None


class IdentifyScreen(KioskScreen):
    built_short = False  # the layout the page was last built in (short: a low landscape window)
    step = "identify"
    # the same instructions for everyone: kept built from one citizen to the next. The live camera
    # preview runs only while the screen is shown, and its last image is dropped when it is left
    personal = False
    # the busy line (正在核验亮证码…) comes and goes in place: rebuilding the page for it, twice a
    # QR session, made a 16 ms build in the frame of the scan
    in_place = frozenset({"busy"})
    page_parts = ("_page", "_busy")
    _preview: Preview | None = None
    _page: BoxLayout | None = None
    _busy: KLabel | None = None

    def update_in_place(self) -> bool:
        page, label = self._page, self._busy
        if page is None or label is None:
            return False
        busy = self.ctx.controller.machine.busy
        label.text = busy or ""
        if busy and label.parent is None:
            page.add_widget(label, index=len(page.children) - 1)  # under the title
        elif not busy and label.parent is not None:
            page.remove_widget(label)
        return True

    def _short(self) -> bool:
        """A low landscape window (a 1280×800 screen: about 500 px of page) gets the short layout:
        each way's picture beside its words, under a smaller title. Decided by the window, not the
        page's height: a page built before its screen is laid out saw Kivy's default 100 px and
        got the short layout on 1920×1080 (screens.in_view.low_landscape)."""
        self.built_short = low_landscape()
        return self.built_short

    def _way(self, heading: str, picture: Widget, words: str, short: bool) -> Panel:
        """One way to identify: its heading, its picture (drawn card reader, live camera) and what to
        do. Short: the picture beside the words, the panel as tall as they are (the page scrolls,
        with its cue, if it ever is taller than the window); else the picture fills the panel."""
        s = self.ctx.sizes
        panel = Panel(size_hint_y=None if short else 1)
        title = KLabel(heading, size=s.title * (0.6 if short else 0.7), bold=True, halign="center")
        panel.add_widget(title)
        if not short:
            panel.unbind(minimum_height=panel.setter("height"))
            panel.add_widget(picture)
            panel.add_widget(KLabel(words, size=s.body, halign="center", line_height=s.line_height))
            return panel
        side = BoxLayout(orientation="horizontal", size_hint_y=None, spacing=dp(12))
        text = KLabel(
            words,
            size=s.small,
            halign="left",
            line_height=s.line_height,
            size_hint_x=0.62,
            pos_hint={"center_y": 0.5},
        )
        picture.size_hint_x = 0.38
        side.add_widget(picture)
        side.add_widget(text)
        text.bind(height=lambda *_a: setattr(side, "height", max(text.height, dp(140))))
        panel.add_widget(side)
        return panel

    @staticmethod
    def _even(ways: BoxLayout) -> None:
        panels = list(ways.children)
        ways.size_hint_y = None

        def fit(*_a: Any) -> None:
            ways.height = max((p.minimum_height for p in panels), default=0)

        for panel in panels:
            panel.unbind(minimum_height=panel.setter("height"))
            panel.size_hint_y = 1
            panel.bind(minimum_height=fit)
        fit()

    def build(self) -> Widget:
        c = self.ctx.controller
        s = self.ctx.sizes
        self._stop_preview()
        page = self.page()
        self._page = page
        short = self._short()
        if short:
            page.padding = (dp(48), dp(16))
            page.spacing = dp(s.spacing * 0.5)
        title_size = s.title * (0.75 if short else 1)
        page.add_widget(KLabel(_("请出示身份证或亮证码"), size=title_size, bold=True, halign="center"))
        self._busy = KLabel(c.machine.busy or "", size=s.title * 0.8, colour=BLUE, halign="center")
        if c.machine.busy:
            page.add_widget(self._busy)
        ways = BoxLayout(orientation="horizontal", spacing=dp(28))
        card_on = c.config.services.card_identify
        qr_on = c.config.services.qr_identify
        card_down = card_on and c.health.card == "down"
        camera_down = qr_on and c.health.camera == "down"
        if card_on and not card_down:
            ways.add_widget(
                self._way(
                    _("方式一：刷身份证"),
                    CardIllustration(),
                    _("将身份证平放在读卡区\n保持不动，直到提示读取成功"),
                    short,
                )
            )
        elif card_on:
            card = Panel(size_hint_y=None if short else 1)
            if not short:
                card.unbind(minimum_height=card.setter("height"))
            card.add_widget(KLabel(_("方式一：刷身份证"), size=s.title * 0.7, bold=True, halign="center"))
            # degraded mode: say so and what to do instead, no card instructions
            card.add_widget(spacer())
            card.add_widget(self._unavailable(_("读卡器暂不可用"), self._instead(qr_on and not camera_down)))
            card.add_widget(spacer())
            ways.add_widget(card)
        if qr_on and not camera_down:
            self._preview = Preview(c.preview_frame)
            ways.add_widget(
                self._way(_("方式二：出示亮证码"), self._preview, _("请将手机二维码对准摄像头"), short)
            )
        elif qr_on:
            qr = Panel(size_hint_y=None if short else 1)
            if not short:
                qr.unbind(minimum_height=qr.setter("height"))
            qr.add_widget(KLabel(_("方式二：出示亮证码"), size=s.title * 0.7, bold=True, halign="center"))
            # no empty frame and no "show your code": the camera cannot see it
            qr.add_widget(spacer())
            qr.add_widget(
                self._unavailable(
                    _("摄像头暂不可用，无法识别亮证码"), self._instead(card_on and not card_down, card=True)
                )
            )
            qr.add_widget(spacer())
            ways.add_widget(qr)
        if short:  # as tall as its taller panel, both the same: the page knows its height
            self._even(ways)
        page.add_widget(ways)
        page.add_widget(
            KLabel(
                _("如两种方式都无法使用，请点击“呼叫工作人员”，或到窗口办理。"),
                size=s.body,
                colour=TEXT_MUTED,
                halign="center",
            )
        )
        page.add_widget(spacer() if short else spacer(8))  # short: the page's words at its top
        return page

    @staticmethod
    def _instead(other_way: bool, card: bool = False) -> str:
        """What the citizen can do instead of a way that is down: the other way, or staff."""
        if other_way:
            return _("请使用左侧的身份证读卡区") if card else _("请使用右侧的亮证码")
        return _("请点击“呼叫工作人员”，或到窗口办理")

    def _unavailable(self, what: str, instead: str) -> Widget:
        s = self.ctx.sizes
        box = BoxLayout(orientation="vertical", size_hint_y=None, spacing=dp(s.spacing * 0.5))
        box.bind(minimum_height=box.setter("height"))
        box.add_widget(KLabel(what, size=s.title * 0.7, bold=True, colour=BADGE["revoked"], halign="center"))
        box.add_widget(KLabel(instead, size=s.body, halign="center", line_height=s.line_height))
        return box

    def _stop_preview(self) -> None:
        if self._preview is not None:
            self._preview.stop()
            self._preview = None

    def drop_page(self) -> None:
        self._stop_preview()
        super().drop_page()

    def on_enter(self, *args: Any) -> None:
        if self._preview is not None:
            self._preview.start()

    def on_leave(self, *args: Any) -> None:
        if self._preview is not None:
            self._preview.stop()
