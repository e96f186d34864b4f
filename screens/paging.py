"""Page-by-page lists for the elder mode (适老化): a few items per screen with 上一页 / 下一页.

WHY not a scroll view: a fling gesture is hard for many elderly citizens and hides that more items
exist; large 上一页/下一页 buttons and "第 1/3 页" say it plainly.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.i18n import _
from screens.theme import TEXT, Sizes
from screens.widgets import BigButton, KLabel

T = TypeVar("T")
ELDER_PER_PAGE = 2


class Pager:
    """The current page of one list; starts again at page 1 when the list's owner changes."""

    def __init__(self) -> None:
        self.index = 0
        self._owner: Hashable = None

    def items(self, owner: Hashable, items: Sequence[T], per_page: int = ELDER_PER_PAGE) -> list[T]:
        if owner != self._owner:
            self._owner, self.index = owner, 0
        pages = max(1, -(-len(items) // per_page))
        self.index = min(max(self.index, 0), pages - 1)
        return list(items[self.index * per_page : (self.index + 1) * per_page])

    def controls(
        self, total: int, sizes: Sizes, on_change: Callable[[], None], per_page: int = ELDER_PER_PAGE
    ) -> BoxLayout:
        pages = max(1, -(-total // per_page))
        bar = BoxLayout(
            orientation="horizontal", spacing=dp(24), size_hint_y=None, height=dp(sizes.button_height)
        )

        def go(delta: int) -> None:
            self.index = min(max(self.index + delta, 0), pages - 1)
            on_change()

        # an unavailable direction is left out rather than greyed (grey text fails the contrast rule)
        first, last = self.index == 0, self.index >= pages - 1
        bar.add_widget(Widget() if first else BigButton(_("上一页"), lambda: go(-1), sizes, primary=False))
        where = _("第 {n}/{total} 页").format(n=self.index + 1, total=pages)
        bar.add_widget(KLabel(where, size=sizes.body, colour=TEXT, halign="center"))
        bar.add_widget(Widget() if last else BigButton(_("下一页"), lambda: go(1), sizes, primary=False))
        return bar
