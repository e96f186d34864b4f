"""The base of every session screen: a body rebuilt from view models when what it shows changes."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.layout import Layout
from kivy.uix.screenmanager import Screen
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk.views import holder_view
from screens.clipping import clip_with_scissor
from screens.scrollcue import add_scroll_cue
from screens.theme import Sizes, sizes

if TYPE_CHECKING:
    from kiosk.controller import Controller


@dataclass
class ScreenContext:
    controller: Controller
    today: date

    @property
    def machine(self) -> Any:
        return self.controller.machine

    @property
    def sizes(self) -> Sizes:
        return sizes(self.controller.machine.prefs.elder_mode)


class KioskScreen(Screen):
    step: str = ""
    # False for a screen that never shows anything of a citizen: it is kept built across sessions
    # instead of dropped and rebuilt (less work at each session's start, less garbage after it)
    personal: bool = True
    # what this screen shows by updating its widgets (update_in_place) instead of rebuilding the
    # page: "records" (verified records arriving: the list's badges), "countdown" (goodbye seconds),
    # "busy" (what the terminal is doing, e.g. checking a 亮证码: a line shown and removed),
    # "holder" (the greeting with the masked name: the page is kept from one citizen to the next,
    # and forget() blanks the greeting instead of dropping the page); a screen may add its own
    # (in_place_value)
    in_place: frozenset[str] = frozenset()
    # attributes that point at parts of the built page (set by build()): let go with the page.
    # WHY: otherwise a dropped page stays alive through them until the next build, and if the
    # garbage collector's freeze catches it then, it is never freed (kiosk/app/gc_tuning.py)
    page_parts: tuple[str, ...] = ()

    def __init__(self, ctx: ScreenContext, **kw: Any) -> None:
        super().__init__(name=self.step, **kw)
        self.ctx = ctx
        self._signature: Hashable | None = None
        self._shown_in_place: Hashable | None = None
        self._ready: tuple[Widget, Hashable, Hashable] | None = None  # prepare(): page, signature, state

    def signature(self) -> Hashable:
        """What this screen shows, less what it updates in place; the page is rebuilt when it changes."""
        m = self.ctx.machine
        health = vars(self.ctx.controller.health)
        countdown = "countdown" in self.in_place
        return (
            m.step,
            None if "busy" in self.in_place else m.busy,
            m.prefs.elder_mode,
            m.prefs.language,
            m.error,
            self.session_signature(),
            (m.goodbye_remaining is None) if countdown else m.goodbye_remaining,
            tuple((k, v) for k, v in health.items() if isinstance(v, str)),
            self.extra_signature(),
        )

    def session_signature(self) -> Hashable:
        """What of the session's data the page is built from; a screen that shows less narrows it.

        WHY narrow: every rebuild leaves the old page's Kivy objects (about 280 per widget) to the
        garbage collector, whose pass between citizens grows with them.
        """
        d = self.ctx.machine.data
        if d is None or not self.personal:  # a page that shows nothing of a citizen
            return None
        records = "records" in self.in_place
        return (
            d.id,
            len(d.certificates),
            None if records else tuple(sorted(d.records)),
            d.selected,
            (d.printing.phase, d.printing.message, d.printing.attempts),
        )

    def in_place_state(self) -> Hashable:
        """The values of what this screen updates in place, one per part (None for none)."""
        if not self.in_place:
            return None
        return tuple(self.in_place_value(part) for part in sorted(self.in_place))

    def in_place_value(self, part: str) -> Hashable:
        """The value shown by one in-place part; a screen with a part of its own adds it here."""
        m = self.ctx.machine
        if part == "records":
            return tuple(sorted(m.data.records)) if m.data else ()
        if part == "countdown":
            return m.goodbye_remaining
        if part == "busy":
            return m.busy
        if part == "holder":
            holder = holder_view(m)
            return holder.greeting if holder else None
        raise ValueError(f"no in-place part {part!r}")

    def extra_signature(self) -> Hashable:
        return None

    def update_in_place(self) -> bool:
        """Show the new ``in_place_state`` without a rebuild; False when only a rebuild can."""
        return False

    def stale(self) -> bool:
        """Whether showing this screen now needs its page built (not only updated in place)."""
        sig = self.signature()
        if self._ready is not None and self._ready[1] == sig:
            return False
        return not self.children or sig != self._signature

    @property
    def prepared(self) -> Widget | None:
        """The page ``prepare`` built, until ``refresh`` shows it."""
        return self._ready[0] if self._ready is not None else None

    def prepare(self) -> None:
        """Build the page for what the screen must show now, off screen; the next ``refresh`` shows it.

        WHY: building a page and drawing it for the first time in one frame took 110-170 ms under
        the software renderer (soak), also when the page on screen is rebuilt (the certificate
        list once the listing arrives). The page is sized now, so its layout and its labels'
        textures are done in this frame, and showing it next frame is only a draw.
        """
        sig, state = self.signature(), self.in_place_state()
        page = self.build()
        page.pos, page.size = (0, 0), self.manager.size if self.manager else self.size  # Screen: relative
        self._ready = (page, sig, state)

    def refresh(self, force: bool = False) -> None:
        ready, self._ready = self._ready, None
        if ready is not None:
            page, self._signature, self._shown_in_place = ready
            self.clear_widgets()
            self.show_page(page)
        sig, state = self.signature(), self.in_place_state()
        unchanged = not force and sig == self._signature
        if unchanged and (state == self._shown_in_place or self.update_in_place()):
            self._shown_in_place = state
            return
        self._signature, self._shown_in_place = sig, state
        self.clear_widgets()
        self.show_page(self.build())

    def build(self) -> Widget:
        raise NotImplementedError

    def after_start(self) -> None:
        """Called once the first screen has been drawn: the place for a warm-up (an index built in
        a thread). WHY not in ``__init__``: such a thread took the interpreter's lock from the
        start-up itself (a dictionary's JSON parsed in C holds it for 0.4 s at a time)."""

    def forget(self) -> None:
        """Drop the built page (called when a session ends): it is rebuilt when next shown.

        A page that shows its citizen only in place ("holder") is kept: its personal parts are
        blanked (``blank_in_place``), and the next citizen's are filled in without a rebuild.
        """
        if "holder" in self.in_place and self._signature is not None:
            self._ready = None
            self.blank_in_place()
            self._shown_in_place = None
            return
        self.drop_page()

    def drop_page(self) -> None:
        """Drop the page on screen and any page built but not yet shown; the next show rebuilds.

        A screen that holds more of its page than ``page_parts`` (an animation, a camera preview)
        lets go of it here, before calling this.
        """
        self._ready = None
        self.clear_widgets()
        for name in self.page_parts:
            setattr(self, name, None)
        self._signature = None
        self._shown_in_place = None

    def blank_in_place(self) -> None:
        """Blank every personal text the kept page shows (for a screen with "holder" in place)."""
        raise NotImplementedError

    # ----------------------------------------------------------- layout helpers
    @staticmethod
    def landscape() -> bool:
        from kivy.core.window import Window

        return bool(Window.width > Window.height)

    def page(self) -> BoxLayout:
        s = self.ctx.sizes
        return BoxLayout(orientation="vertical", padding=(dp(48), dp(36)), spacing=dp(s.spacing))

    def show_page(self, page: Widget) -> None:
        """Show ``page``; a column of it whose fixed parts are taller than the page area (a
        landscape window, elder mode's sizes, long English) goes in a list that scrolls, with its
        cue. The columns: the page, or each column of a page split in two (landscape).

        WHY: a vertical BoxLayout taller than its box draws its top above it, under the header: the
        title and the question were cut with no sign of it (landscape rating, complaint, face,
        consent, PIN pages). A column with a list of its own (a ScrollView) divides its room itself.
        """
        self.add_widget(page)
        if isinstance(page, BoxLayout) and page.orientation == "horizontal":
            for column in list(page.children):
                scroll_when_taller(page, column, self.ctx.sizes.small)
        else:
            scroll_when_taller(self, page, self.ctx.sizes.small)

    def scroll(self, content: Layout) -> ScrollView:
        content.size_hint_y = None
        content.bind(minimum_height=content.setter("height"))
        view = ScrollView(do_scroll_x=False, bar_width=dp(10), scroll_type=["bars", "content"])
        clip_with_scissor(view)  # not a stencil (screens.clipping)
        view.add_widget(content)
        add_scroll_cue(view, content, self.ctx.sizes.small)  # "▼ 向下滑动查看更多" while more follows
        return view


def scroll_when_taller(container: Widget, column: Widget, cue_size: float) -> None:
    """Put ``column`` (a vertical BoxLayout in ``container``) in a list that scrolls, with its cue,
    while its fixed parts are taller than the container; back in place when they fit again.

    Decided a frame after each change, once laid out: a label is 100 px tall until its text is
    rendered, and a page was put in a list for that alone.
    """
    if not isinstance(column, BoxLayout) or column.orientation != "vertical":
        return
    if any(isinstance(w, ScrollView) for w in column.walk(restrict=True)):
        return
    view: list[ScrollView] = []
    grow = column.setter("height")

    def check(*_: Any) -> None:
        room = container.height
        if room <= 1:
            return
        taller = column.minimum_height > room + 1
        if taller and column.parent is container:
            index = container.children.index(column)
            container.remove_widget(column)
            column.size_hint_y = None
            column.height = column.minimum_height
            column.bind(minimum_height=grow)
            scroll = ScrollView(do_scroll_x=False, bar_width=dp(10), scroll_type=["bars", "content"])
            # the list takes the column's share of the row; the column fills the list (left at its
            # share, a 0.4 column was drawn 0.4 of a 0.4 list wide)
            scroll.size_hint_x, column.size_hint_x = column.size_hint_x, 1
            clip_with_scissor(scroll)
            scroll.add_widget(column)
            add_scroll_cue(scroll, column, cue_size)
            view[:] = [scroll]
            container.add_widget(scroll, index=index)
        elif not taller and view and column.parent is view[0] and view[0].parent is container:
            index = container.children.index(view[0])
            column.unbind(minimum_height=grow)
            view[0].remove_widget(column)
            container.remove_widget(view[0])
            column.size_hint_y, column.size_hint_x = 1, view[0].size_hint_x
            view.clear()
            container.add_widget(column, index=index)

    soon = Clock.create_trigger(check, 0)
    column.bind(minimum_height=lambda *_: soon())
    soon()
