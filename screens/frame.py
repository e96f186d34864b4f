"""The fixed frame around every screen: header (centre, terminal, clock, device health) and footer
(返回, 首页, idle countdown, 呼叫工作人员), plus the idle-warning overlay (ux.md, "Frame")."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from kivy.graphics import Color, Rectangle, SmoothEllipse
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.modalview import ModalView
from kivy.uix.widget import Widget

from kiosk.i18n import _
from kiosk.terms import short_term, term
from screens.linebreak import break_text
from screens.theme import BLUE, FONT, FONT_BOLD, HEALTH, NORMAL, PAGE, TEXT, WHITE, Sizes, rgba
from screens.widgets import BigButton, KLabel, Panel


class _Dot(Widget):
    """A device's state: a coloured dot on a white disc (the disc ≈ 8.4:1 on the header's blue, each
    state colour ≥ 4.5:1 on white), next to a mark in words' place (✓ ！ × ？, ``HEALTH_MARKS``):
    the state is never told by colour alone."""

    graphic_colour = rgba(WHITE)  # what the layout audit measures against the header (≥ 3:1)

    def __init__(self, colour: str, **kw: Any) -> None:
        super().__init__(size_hint=(None, None), size=(dp(22), dp(22)), **kw)
        with self.canvas:
            Color(*rgba(WHITE))
            self._disc = SmoothEllipse()
            self._colour = Color(*rgba(colour))
            self._dot = SmoothEllipse()
        self.bind(pos=self._draw, size=self._draw)

    def _draw(self, *_: Any) -> None:
        self._disc.pos, self._disc.size = self.pos, self.size
        inset = dp(4)
        self._dot.pos = (self.x + inset, self.y + inset)
        self._dot.size = (max(0, self.width - 2 * inset), max(0, self.height - 2 * inset))

    def set_colour(self, colour: str) -> None:
        self._colour.rgba = rgba(colour)


def _line(text: str, size: float, bold: bool = False, halign: str = "left") -> Label:
    """A one-line label that fills its share of the header (no auto height: the header is fixed)."""
    label = Label(
        text=text,
        font_name=FONT_BOLD if bold else FONT,
        font_size=dp(size),
        color=rgba(WHITE),
        halign=halign,
        valign="middle",
        shorten=True,
        shorten_from="right",
        markup=False,
    )
    label.bind(size=lambda *_: setattr(label, "text_size", label.size))
    return label


# what a header line keeps free of its box: Kivy's shorten measures a line a few pixels wider than
# get_extents does, and cut "…Service Centre" that get_extents said fitted by 1 px (1280×800)
FIT_MARGIN_DP = 8.0


def _fits(label: Label, text: str, room: float) -> bool:
    return bool(label._label.get_extents(text)[0] <= room - dp(FIT_MARGIN_DP))


def _largest_fitting(label: Label, text: str, room: float, high: float, low: float) -> float:
    """The largest whole dp size from ``high`` down to ``low`` at which ``text`` fits ``room`` on
    one line (``low`` when none does), set on ``label``.

    WHY measured once and scaled, not tried size by size: each size measured opens a face of the
    font that Kivy keeps for the life of the process (about 2.5 MB each, kiosk.app.text_faces);
    trying 36, 35, … 24 dp while the header was first laid out (its width not yet known) kept
    twelve faces open all day. A line's width grows in step with the size, so one measurement at
    ``high`` gives the size to try, checked and stepped down only where hinting rounds it over."""
    label.font_size = dp(high)
    width = label._label.get_extents(text)[0]
    usable = room - dp(FIT_MARGIN_DP)
    if width <= usable:
        return high
    size = max(low, min(high - 1, float(int(high * usable / max(width, 1.0)))))
    label.font_size = dp(size)
    while size > low and not _fits(label, text, room):
        size -= 1
        label.font_size = dp(size)
    return size


def _lines(label: Label, text: str, room: float) -> int:
    """How many lines ``text`` takes in ``room`` at the label's size (Chinese line breaking)."""
    return break_text(text, lambda part: _fits(label, part, room)).count("\n") + 1


def _wrap_line(label: Label, room: float) -> float:
    """A header line on as many lines as it needs in ``room`` (shortened only when it fits, which
    it then does not need); the height it needs."""
    core = label._label
    wrapped = not _fits(label, label.text, room)
    label.shorten = not wrapped
    line = core.get_extents("Ag")[1]
    if not wrapped:
        label.size_hint_y = 1
        return float(line + dp(6))
    lines = _lines(label, label.text, room)
    label.size_hint_y, label.height = None, lines * line + dp(4)
    return float(label.height)


# a device's state in a mark beside its name, for those who cannot tell the dot's colours apart
HEALTH_MARKS = {"ok": "✓", "degraded": "！", "down": "×", "unknown": "？"}


class Header(BoxLayout):
    HEALTH_ITEMS = (("card", "读卡"), ("camera", "扫码"), ("printer", "打印"), ("backend", "网络"))
    CENTRE_DP = 36.0  # the centre's name, made smaller (to the mode's floor) only when it would not fit
    HEIGHT_DP = 132.0  # taller only for a centre's name on more than one line (_fit_centre)

    def __init__(self, centre: str, terminal: str, **kw: Any) -> None:
        super().__init__(
            orientation="horizontal",
            size_hint_y=None,
            height=dp(self.HEIGHT_DP),
            # narrow margins: on a 1280 px wide screen in elder mode every 10 px decided whether the
            # centre's name took one line or two
            padding=(dp(24), dp(14)),
            spacing=dp(14),
            **kw,
        )
        with self.canvas.before:
            Color(*rgba(BLUE))
            self._bg = Rectangle()
        self.bind(pos=self._draw, size=self._draw)
        names = BoxLayout(orientation="vertical")
        self._centre_text = centre  # re-translated on every refresh (the language can change)
        self.centre = _line(_(centre), 36, bold=True)
        self._terminal_text = terminal  # in English: 自助终端 01 → Self-service terminal 01 (kiosk.terms)
        self.terminal = _line(term(terminal), 26)
        names.add_widget(self.centre)
        names.add_widget(self.terminal)
        self.add_widget(names)
        right = BoxLayout(orientation="vertical", size_hint_x=None, width=dp(420))
        self.clock = _line("", 34, bold=True, halign="right")
        right.add_widget(self.clock)
        # one line's height: a taller header (a name on more lines) gives its height to the clock,
        # not to this row (its dots were drawn below their names)
        self.health_row = BoxLayout(orientation="horizontal", spacing=dp(6), size_hint_y=None, height=dp(40))
        self._dots: dict[str, _Dot] = {}
        self._labels: dict[str, KLabel] = {}
        for key, label in self.HEALTH_ITEMS:
            dot = _Dot(HEALTH["unknown"])
            holder = BoxLayout(size_hint_x=None, width=dp(26), padding=(dp(2), dp(8)))
            holder.add_widget(dot)
            self.health_row.add_widget(holder)
            text = _line(_(label), 24)
            self._labels[key] = text
            self.health_row.add_widget(text)
            self._dots[key] = dot
        right.add_widget(self.health_row)
        self.add_widget(right)
        self._right = right
        self._floor = 24.0  # the mode's text floor (use_sizes)
        self.centre.bind(width=self._fit_centre)
        self.terminal.bind(text=self._fit_centre, font_size=self._fit_centre)
        self.tick()

    def _draw(self, *_: Any) -> None:
        self._bg.pos, self._bg.size = self.pos, self.size

    def action(self, label: str, on_tap: Callable[[], None]) -> None:
        """A page reachable from every screen (咨询投诉): a white button between the names and the
        clock, 30 dp text (≥ the elder mode's minimum) in the centre's blue (≈ 8.4:1)."""
        self._action_text = label
        self._action = BigButton(
            _(label), on_tap, replace(NORMAL, button=30), primary=False, size_hint_x=None, width=dp(168)
        )
        self._action.size_hint_y = 1
        self.add_widget(self._action, index=1)

    def tick(self, *_: Any) -> None:
        self.clock.text = time.strftime("%Y-%m-%d  %H:%M")

    def show_health(self, health: Any) -> None:
        for key, label in self.HEALTH_ITEMS:
            state = getattr(health, key, "unknown")
            self._dots[key].set_colour(HEALTH.get(state, HEALTH["unknown"]))
            self._labels[key].text = HEALTH_MARKS.get(state, HEALTH_MARKS["unknown"]) + _(label)
        self._fit_centre()  # the centre's name in the language chosen, its short form if need be
        self.terminal.text = term(self._terminal_text)
        action = getattr(self, "_action", None)
        if action is not None:  # 咨询投诉 in the language chosen
            action.text = _(self._action_text)
        self._fit_right()

    def use_sizes(self, sizes: Sizes) -> None:
        """The mode's sizes: the terminal's name and the device names at the mode's small size
        (24 dp, elder 30 dp), the centre's name no smaller than that."""
        if self._floor == sizes.small:
            return
        self._floor = sizes.small
        self.terminal.font_size = dp(max(26, sizes.small))
        for label in self._labels.values():
            label.font_size = dp(sizes.small)
        self.health_row.height = dp(sizes.small * 1.6)
        self._fit_right()
        self._fit_centre()

    def _fit_right(self) -> None:
        """The clock and device column as wide as its content (English names are longer)."""
        texts = [label._label.get_extents(label.text)[0] + dp(6) for label in self._labels.values()]
        gaps = self.health_row.spacing * (2 * len(texts) - 1)
        row = sum(texts) + dp(26) * len(texts) + gaps
        clock = self.clock._label.get_extents(self.clock.text or "0000-00-00  00:00")[0]
        width = max(dp(420), row, clock + dp(8))
        if abs(self._right.width - width) > 1:
            self._right.width = width
        for label, text_width in zip(self._labels.values(), texts, strict=True):
            label.size_hint_x = None
            label.width = text_width + (width - row) / len(texts)  # the rest shared out

    def _fit_centre(self, *_args: Any) -> None:
        """The centre's name whole: a smaller size when it would not fit, never below the floor;
        then its short form (kiosk.terms.short_term: English only) where the whole name does not
        fit on one line at the floor and the short one takes fewer lines; on more lines when that
        does not fit either (a narrow portrait header), the header as tall as that needs."""
        label, room = self.centre, self.centre.width
        full = _(self._centre_text)
        label.text = full
        if room <= 1:
            return
        size = _largest_fitting(label, full, room, self.CENTRE_DP, self._floor)
        short = short_term(self._centre_text)
        if short and not _fits(label, full, room):
            lines_full, size_full = _lines(label, full, room), size
            _largest_fitting(label, short, room, self.CENTRE_DP, self._floor)
            if _lines(label, short, room) < lines_full:  # the short form only where it saves a line
                label.text = short
            else:
                label.font_size = dp(size_full)
        centre, terminal = _wrap_line(label, room), _wrap_line(self.terminal, room)
        self.height = max(dp(self.HEIGHT_DP), centre + terminal + 2 * self.padding[1])


class Footer(BoxLayout):
    def __init__(
        self, on_back: Callable[[], None], on_home: Callable[[], None], on_help: Callable[[], None], **kw: Any
    ) -> None:
        super().__init__(
            orientation="horizontal",
            size_hint_y=None,
            height=dp(140),
            padding=(dp(36), dp(18)),
            spacing=dp(24),
            **kw,
        )
        with self.canvas.before:
            Color(*rgba("#E3E9F1"))
            self._bg = Rectangle()
        self.bind(pos=self._draw, size=self._draw)
        self._callbacks = (on_back, on_home, on_help)
        self._layout: tuple[Any, ...] | None = None
        self._countdown: KLabel | None = None
        self._status = ""  # 步骤 2/4 · 剩余 45 秒 (kiosk.progress), set every second by the app
        # 重听 and 音量 for citizens (kiosk.app.voice_player); none until the app gives them
        self._voice: tuple[Callable[[], Any], Callable[[], Any]] | None = None

    def voice_controls(self, replay: Callable[[], Any], volume: Callable[[], Any]) -> None:
        """重听 says the page's prompt again; 音量 steps the volume up, round to the softest."""
        self._voice = (replay, volume)
        self._layout = None  # built with them at the next show

    def set_status(self, text: str) -> None:
        """The step and the seconds left, changed in place (no rebuild each second)."""
        self._status = text
        if self._countdown is not None and self._countdown.text != text:
            self._countdown.text = text

    def _draw(self, *_: Any) -> None:
        self._bg.pos, self._bg.size = self.pos, self.size

    def show(self, sizes: Sizes, in_session: bool, countdown: int | None) -> None:
        """Show the buttons for this state; rebuilt only when they change.

        WHY: the app calls this on every state change. Rebuilding the bar each time re-rendered its
        labels and left a few hundred Kivy objects of cyclic garbage per call, which the garbage
        collector then had to walk (a full pass between citizens took up to 600 ms). Only the
        countdown text changes from second to second, and that is a text update in place.
        """
        text = self._status if countdown is None else ""  # the idle overlay says the seconds then
        layout = (sizes, in_session, _("返回"), _("呼叫工作人员"), self._voice is not None)
        if layout == self._layout and self._countdown is not None:
            self._countdown.text = text
            return
        self._layout = layout
        self.clear_widgets()
        # the voice keys under the status line stay ≥ 60 dp tall with the elder mode's larger text
        self.height = dp(140 if self._voice is None or sizes.small < 30 else 168)
        on_back, on_home, on_help = self._callbacks
        kw = {"height": dp(max(96, sizes.button_height - 20))}
        if in_session:
            # narrower with the voice keys beside the status line: room for 步骤 1/4　剩余 120 秒 in
            # the elder mode's 30 dp on one line (返回 / 首页 still fit twice over)
            share = 0.8 if self._voice is not None else 1.0
            self.add_widget(BigButton(_("返回"), on_back, sizes, primary=False, size_hint_x=share, **kw))
            self.add_widget(BigButton(_("首页"), on_home, sizes, primary=False, size_hint_x=share, **kw))
        else:
            self.add_widget(Widget())
        self._countdown = KLabel(text, size=sizes.small, colour=TEXT, halign="center")
        if self._voice is None:
            self.add_widget(self._countdown)
        else:  # the status line over the citizens' voice keys
            middle = BoxLayout(orientation="vertical", spacing=dp(4), size_hint_x=1.8)
            # one line's height from the start: an empty KLabel keeps Kivy's default 100 px
            self._countdown.height = dp(sizes.small * 1.4)
            self._countdown.max_lines = 1
            middle.add_widget(self._countdown)
            keys = BoxLayout(orientation="horizontal", spacing=dp(8))
            replay, volume = self._voice
            small = replace(sizes, button=sizes.small)
            for label, action in ((_("重听"), replay), (_("音量"), volume)):
                keys.add_widget(BigButton(label, action, small, primary=False, size_hint_y=1))
            middle.add_widget(keys)
            self.add_widget(middle)
        # wider than 返回/首页 so that 呼叫工作人员 stays on one line in the elder mode
        self.add_widget(BigButton(_("呼叫工作人员"), on_help, sizes, primary=False, size_hint_x=1.5, **kw))

    def empty(self) -> None:
        """Drop the buttons; the next ``show`` builds them again."""
        self.clear_widgets()
        self._layout = None
        self._countdown = None


SIDE_BY_SIDE_BELOW_DP = 1000.0  # the idle warning's buttons in one row in a window lower than this


class IdleOverlay(ModalView):
    """Shown when the citizen has been idle: a large countdown, 继续使用 and 结束."""

    def __init__(self, on_continue: Callable[[], None], on_end: Callable[[], None], **kw: Any) -> None:
        super().__init__(
            auto_dismiss=False,
            size_hint=(0.86, None),
            height=dp(720),
            background="",
            background_color=rgba(PAGE, 0),
            overlay_color=(0, 0, 0, 0.55),
            **kw,
        )
        self._on_continue, self._on_end = on_continue, on_end
        self.panel = Panel(padding=40, spacing=28)
        self.add_widget(self.panel)
        self.panel.bind(minimum_height=lambda *_: setattr(self, "height", self.panel.minimum_height))

    def show(self, sizes: Sizes, remaining: int) -> None:
        p = self.panel
        p.clear_widgets()
        p.add_widget(KLabel(_("您还在吗？"), size=sizes.title, bold=True, halign="center"))
        p.add_widget(KLabel(str(remaining), size=sizes.huge * 1.6, bold=True, colour=BLUE, halign="center"))
        p.add_widget(
            KLabel(
                _("{n} 秒后将结束本次办理并清除您的信息").format(n=remaining),
                size=sizes.body,
                halign="center",
            )
        )
        keep, end = (
            BigButton(_("继续使用"), self._on_continue, sizes),
            BigButton(_("结束"), self._on_end, sizes, primary=False),
        )
        from kivy.core.window import Window

        if Window.height < dp(SIDE_BY_SIDE_BELOW_DP):
            # a low window (1280×800): the two buttons side by side, or the panel was taller than
            # the window and its title drawn above it
            row = BoxLayout(orientation="horizontal", size_hint_y=None, height=keep.height, spacing=dp(28))
            row.add_widget(keep)
            row.add_widget(end)
            p.add_widget(row)
        else:
            p.add_widget(keep)
            p.add_widget(end)
        self.height = p.minimum_height if p.minimum_height > 0 else dp(720)

    def empty(self) -> None:
        """Drop what the panel shows; the next ``show`` fills it again."""
        self.panel.clear_widgets()


class Notice(ModalView):
    """A short message with one button (help ticket, demo notices)."""

    def __init__(self, title: str, body: str, sizes: Sizes, **kw: Any) -> None:
        super().__init__(
            auto_dismiss=True,
            size_hint=(0.82, None),
            background="",
            background_color=rgba(PAGE, 0),
            overlay_color=(0, 0, 0, 0.5),
            **kw,
        )
        p = Panel(padding=40, spacing=24)
        self.title_label = KLabel(title, size=sizes.title, bold=True, halign="center")
        self.body_label = KLabel(body, size=sizes.body, halign="center")
        p.add_widget(self.title_label)
        p.add_widget(self.body_label)
        p.add_widget(BigButton(_("知道了"), self.dismiss, sizes))
        self.add_widget(p)
        p.bind(minimum_height=lambda *_: setattr(self, "height", p.minimum_height))

    def set_text(self, title: str, body: str) -> None:
        """Change the message in place (a help call that was accepted or not while it is shown)."""
        self.title_label.text, self.body_label.text = title, body
