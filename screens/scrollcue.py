"""A visible cue on a list that holds more than its box: "▼ 向下滑动查看更多" over its bottom edge.

WHY: in landscape the detail page showed 3 of 8 fields, the last one cut through its characters,
with nothing to say that more followed; a citizen took the cut line for the end. While the content
is taller than the list and not scrolled to its end, a band at the bottom of the list says so in
words and an arrow (not colour alone), in the body size of the mode. Scrolled to the end, the band
goes and the last line shows whole.

Drawn on the list's own canvas (no widget is added), so that :meth:`KioskScreen.scroll` still
returns the ScrollView the pages use (their scroll positions), and nothing is laid out again when
the cue comes or goes.
"""

from __future__ import annotations

from typing import Any

from kivy.core.text import Label as CoreLabel
from kivy.graphics import Color, Rectangle
from kivy.metrics import dp
from kivy.uix.scrollview import ScrollView

from kiosk.i18n import _
from screens.theme import BLUE, FONT_BOLD, WHITE, rgba


class ScrollCue:
    """The cue of one ScrollView; ``view.scroll_cue`` is this, ``shown`` says whether it is drawn."""

    def __init__(self, view: ScrollView, font_size: float) -> None:
        self.view = view
        self.shown = False
        core = CoreLabel(text=_("▼ 向下滑动查看更多"), font_name=FONT_BOLD, font_size=dp(font_size))
        core.refresh()
        self.texture = core.texture
        self.text = core.text
        self.font_size = dp(font_size)
        self.height = self.texture.height + dp(16)
        with view.canvas.after:
            self._band_colour = Color(*rgba(BLUE, 0))
            self._band = Rectangle()
            self._text_colour = Color(*rgba(WHITE, 0))
            self._text = Rectangle(texture=self.texture, size=self.texture.size)
        view.bind(pos=self.update, size=self.update, scroll_y=self.update)
        view.scroll_cue = self

    def watch(self, content: Any) -> None:
        content.bind(height=self.update)

    def overflows(self) -> bool:
        content = self.view.children[0] if self.view.children else None
        return content is not None and content.height > self.view.height + 1

    def update(self, *_: Any) -> None:
        view = self.view
        self.shown = self.overflows() and view.scroll_y > 0.005
        alpha = 1.0 if self.shown else 0.0
        self._band_colour.rgba = rgba(BLUE, alpha)
        self._text_colour.rgba = rgba(WHITE, alpha)
        self._band.pos, self._band.size = (view.x, view.y), (view.width, self.height)
        tw, th = self.texture.size
        self._text.pos = (int(view.center_x - tw / 2), int(view.y + (self.height - th) / 2))


def add_scroll_cue(view: ScrollView, content: Any, font_size: float) -> ScrollCue:
    cue = ScrollCue(view, font_size)
    cue.watch(content)
    view.bar_color = rgba(BLUE)  # the scroll bar: a second cue, ≥ 3:1 on the page
    view.bar_inactive_color = rgba(BLUE, 0.8)
    return cue
