"""Small building blocks shared by the screens: wrapped labels, big buttons, panels, badges.

Widgets take their sizes from the theme at construction; a mode switch re-renders the screen, so
no widget needs to observe the mode. Markup is never enabled on a label that can show data from
outside (card, QR, backend): such text is shown literally.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.graphics import Color, Line, SmoothRoundedRectangle
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from screens.linebreak import break_text
from screens.theme import BLUE, BLUE_DARK, BORDER, FONT, FONT_BOLD, PANEL, TEXT, WHITE, Sizes, rgba


def wrap_width(label: Label, room: float) -> tuple[float | None, None]:
    """The ``text_size`` for a label with ``room`` to wrap in: none for text that fits on a line,
    so its texture is as wide as the text (KLabel), else the room."""
    # _label is the core text renderer with this label's font: it measures without drawing
    one_line = "\n" not in label.text and label._label.get_extents(label.text)[0] <= room
    return (None, None) if one_line else (room, None)


def wrap(label: Label, room: float) -> None:
    """Wrap ``label`` in ``room`` with the Chinese line-breaking rules (screens.linebreak).

    The label keeps its ``text``; its text renderer gets the text with the chosen line breaks, so
    that Kivy, which would cut a line at any character, only draws lines that already fit.
    """
    label.text_size = size = wrap_width(label, room)
    core = label._label
    if size[0] is None or room <= 0:
        shown = label.text
    else:
        shown = break_text(label.text, lambda line: bool(core.get_extents(line)[0] <= room))
    if core.text != shown:
        core.text = shown
        label._trigger_texture()


class KLabel(Label):
    """A label that wraps to its width and grows to its text's height.

    Text that fits on one line gets a texture as wide as the text, drawn where ``halign`` puts it
    (the ``<-KLabel>`` rule below). Kivy makes every label with a wrap width as wide as that width:
    a short status line on a 984 px page was a 984 px texture, and the software renderer blends
    every pixel of it each frame, and rasterises it once per text change.
    """

    def __init__(
        self,
        text: str = "",
        size: float = 28,
        colour: str = TEXT,
        bold: bool = False,
        halign: str = "left",
        line_height: float = 1.35,
        **kw: Any,
    ) -> None:
        super().__init__(
            text=text,
            font_name=FONT_BOLD if bold else FONT,
            font_size=dp(size),
            color=rgba(colour),
            halign=halign,
            valign="middle",
            line_height=line_height,
            size_hint_y=None,
            markup=False,
            **kw,
        )
        self.bind(width=self._rewrap, text=self._rewrap, texture_size=self._fit)
        self._rewrap()

    def _rewrap(self, *_: Any) -> None:
        wrap(self, self.width)

    def _fit(self, *_: Any) -> None:
        self.height = self.texture_size[1] + dp(4)

    @staticmethod
    def texture_pos(
        pos: tuple[float, float], size: tuple[float, float], texture: tuple[float, float], halign: str
    ) -> tuple[int, int]:
        """Where a texture that may be narrower than the label goes, for its alignment."""
        (x, y), (width, height), (tw, th) = pos, size, texture
        if halign in ("center", "justify"):
            x += (width - tw) / 2
        elif halign == "right":
            x += width - tw
        return int(x), int(y + (height - th) / 2)


Builder.load_string(
    """
<-KLabel>:
    canvas:
        Color:
            rgba: 1, 1, 1, 1
        Rectangle:
            texture: self.texture
            size: self.texture_size
            pos: self.texture_pos(self.pos, self.size, self.texture_size, self.halign)
"""
)


class BigButton(Button):
    """A large tap target with a visible pressed state (feedback within one frame)."""

    def __init__(
        self,
        text: str,
        on_tap: Callable[[], None],
        sizes: Sizes,
        primary: bool = True,
        colour: str | None = None,
        **kw: Any,
    ) -> None:
        base = colour or (BLUE if primary else PANEL)
        fg = WHITE if (primary or colour) else BLUE
        kw.setdefault("size_hint_y", None)
        kw.setdefault("height", dp(sizes.button_height))
        super().__init__(
            text=text,
            font_name=FONT_BOLD,
            font_size=dp(sizes.button),
            color=rgba(fg),
            background_normal="",
            background_down="",
            background_color=rgba(base),
            halign="center",
            valign="middle",
            markup=False,
            **kw,
        )
        self._base, self._pressed = rgba(base), rgba(BLUE_DARK if (primary or colour) else BORDER)
        self.bind(size=self._rewrap, text=self._rewrap)
        self.bind(state=self._show_state)
        self._on_tap = on_tap
        if not (primary or colour):
            with self.canvas.after:
                Color(*rgba(BLUE))
                self._outline = Line(width=dp(1.5))
            self.bind(pos=self._draw_outline, size=self._draw_outline)

    def _rewrap(self, *_: Any) -> None:
        """Wrap only text that needs it; a one-line caption gets a texture as wide as it (KLabel)."""
        wrap(self, self.width - dp(16))

    def _draw_outline(self, *_: Any) -> None:
        self._outline.rectangle = (self.x, self.y, self.width, self.height)

    def _show_state(self, *_: Any) -> None:
        self.background_color = self._pressed if self.state == "down" else self._base

    def on_release(self) -> None:
        self._on_tap()


class Panel(BoxLayout):
    """A white rounded panel that sizes itself to its children (vertical)."""

    def __init__(self, padding: float = 24, spacing: float = 12, colour: str = PANEL, **kw: Any) -> None:
        kw.setdefault("orientation", "vertical")
        kw.setdefault("size_hint_y", None)
        super().__init__(padding=dp(padding), spacing=dp(spacing), **kw)
        self.bind(minimum_height=self.setter("height"))
        with self.canvas.before:
            Color(*rgba(colour))
            self._bg = SmoothRoundedRectangle(radius=[dp(14)])
            Color(*rgba(BORDER))
            self._line = Line(width=dp(1))
        self.bind(pos=self._draw, size=self._draw)

    def _draw(self, *_: Any) -> None:
        self._bg.pos, self._bg.size = self.pos, self.size
        self._line.rounded_rectangle = (self.x, self.y, self.width, self.height, dp(14))


class Badge(Label):
    """A coloured status badge with white text (contrast ≥ 4.5:1 on every badge colour)."""

    def __init__(self, text: str, colour: str, size: float, **kw: Any) -> None:
        super().__init__(
            text=text,
            font_name=FONT_BOLD,
            font_size=dp(size),
            color=rgba(WHITE),
            markup=False,
            size_hint=(None, None),
            **kw,
        )
        self.bind(texture_size=self._fit)
        with self.canvas.before:
            self._colour = Color(*rgba(colour))
            self._bg = SmoothRoundedRectangle(radius=[dp(10)])
        self.bind(pos=self._draw, size=self._draw)

    def show(self, text: str, colour: str) -> None:
        """Change the status in place (no rebuild of the card around it)."""
        self.text = text
        self._colour.rgba = rgba(colour)

    def _fit(self, *_: Any) -> None:
        self.size = (self.texture_size[0] + dp(28), self.texture_size[1] + dp(12))

    def _draw(self, *_: Any) -> None:
        self._bg.pos, self._bg.size = self.pos, self.size


def spacer(height: float = 0) -> Widget:
    """Flexible space (height 0) or a fixed gap."""
    if height:
        return Widget(size_hint_y=None, height=dp(height))
    return Widget()


def row(*children: Widget, spacing: float = 20, height: float | None = None) -> BoxLayout:
    box = BoxLayout(orientation="horizontal", spacing=dp(spacing), size_hint_y=None)
    for child in children:
        box.add_widget(child)
    if height is not None:
        box.height = dp(height)
    else:
        box.height = max((c.height for c in children), default=0)
    return box
