"""Page-by-page lists for the elder mode (适老化): as many items as fit on a screen, 上一页 / 下一页.

WHY not a scroll view: a fling gesture is hard for many elderly citizens and hides that more items
exist; large 上一页/下一页 buttons and "第 1/3 页" say it plainly.

WHY fitted pages, not a fixed count: two certificates a page left 300 px empty in portrait, and in
landscape two did not fit and were drawn under 下一页. The pages are cut from the items' real
heights (:func:`fit_pages`) in the room the list has on this screen.
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

Bounds = tuple[int, int]  # items[start:end] on one page


def fit_pages(heights: Sequence[float], room: float, cols: int = 1, spacing: float = 0.0) -> list[Bounds]:
    """Cut items of these heights into pages of rows of ``cols`` that each fit ``room`` (a row is as
    tall as its tallest item; rows are ``spacing`` apart). A row taller than the room is a page of
    its own (it cannot be cut; the caller shows such a list another way)."""
    cols = max(1, cols)
    pages: list[Bounds] = []
    start, used = 0, 0.0
    for first in range(0, len(heights), cols):
        row = max(heights[first : first + cols])
        need = row if first == start else used + spacing + row
        if first > start and need > room:
            pages.append((start, first))
            start, need = first, row
        used = need
    if heights:
        pages.append((start, len(heights)))
    return pages


class Pager:
    """The current page of one list; starts again at page 1 when the list's owner changes."""

    def __init__(self) -> None:
        self.index = 0
        self._owner: Hashable = None
        self.pages: list[Bounds] = []

    def _own(self, owner: Hashable) -> None:
        if owner != self._owner:
            self._owner, self.index = owner, 0

    def items(self, owner: Hashable, items: Sequence[T], per_page: int = ELDER_PER_PAGE) -> list[T]:
        self._own(owner)
        count = max(1, -(-len(items) // per_page))
        self.pages = [(i * per_page, min(len(items), (i + 1) * per_page)) for i in range(count)]
        self.index = min(max(self.index, 0), count - 1)
        return list(items[self.index * per_page : (self.index + 1) * per_page])

    def fitted(self, owner: Hashable, pages: list[Bounds]) -> Bounds:
        """Use these page bounds (:func:`fit_pages`); the bounds of the page to show."""
        self._own(owner)
        self.pages = pages or [(0, 0)]
        self.index = min(max(self.index, 0), len(self.pages) - 1)
        return self.pages[self.index]

    def controls(
        self,
        total: int,
        sizes: Sizes,
        on_change: Callable[[], None],
        per_page: int = ELDER_PER_PAGE,
        height: float | None = None,
    ) -> BoxLayout:
        pages = len(self.pages) if self.pages else max(1, -(-total // per_page))
        h = height if height is not None else dp(sizes.button_height)
        bar = BoxLayout(orientation="horizontal", spacing=dp(24), size_hint_y=None, height=h)

        def go(delta: int) -> None:
            self.index = min(max(self.index + delta, 0), pages - 1)
            on_change()

        # an unavailable direction is left out rather than greyed (grey text fails the contrast rule)
        first, last = self.index == 0, self.index >= pages - 1
        back = BigButton(_("上一页"), lambda: go(-1), sizes, primary=False, height=h)
        bar.add_widget(Widget() if first else back)
        where = _("第 {n}/{total} 页").format(n=self.index + 1, total=pages)
        bar.add_widget(KLabel(where, size=sizes.body, colour=TEXT, halign="center"))
        on = BigButton(_("下一页"), lambda: go(1), sizes, primary=False, height=h)
        bar.add_widget(Widget() if last else on)
        return bar
