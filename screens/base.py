"""The base of every session screen: a body rebuilt from view models when what it shows changes."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.layout import Layout
from kivy.uix.screenmanager import Screen
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

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
    # page: "records" (verified records arriving: the list's badges), "countdown" (goodbye seconds)
    in_place: frozenset[str] = frozenset()

    def __init__(self, ctx: ScreenContext, **kw: Any) -> None:
        super().__init__(name=self.step, **kw)
        self.ctx = ctx
        self._signature: Hashable | None = None
        self._shown_in_place: Hashable | None = None

    def signature(self) -> Hashable:
        """What this screen shows, less what it updates in place; the page is rebuilt when it changes."""
        m = self.ctx.machine
        d = m.data
        health = vars(self.ctx.controller.health)
        records = "records" in self.in_place
        countdown = "countdown" in self.in_place
        return (
            m.step,
            m.busy,
            m.prefs.elder_mode,
            m.prefs.language,
            m.error,
            d.id if d else None,
            len(d.certificates) if d else 0,
            None if records else (tuple(sorted(d.records)) if d else ()),
            d.selected if d else None,
            (d.printing.phase, d.printing.message, d.printing.attempts) if d else None,
            (m.goodbye_remaining is None) if countdown else m.goodbye_remaining,
            tuple((k, v) for k, v in health.items() if isinstance(v, str)),
            self.extra_signature(),
        )

    def in_place_state(self) -> Hashable:
        """The values of what this screen updates in place (None for a screen that updates none)."""
        if not self.in_place:
            return None
        m = self.ctx.machine
        return (tuple(sorted(m.data.records)) if m.data else (), m.goodbye_remaining)

    def extra_signature(self) -> Hashable:
        return None

    def update_in_place(self) -> bool:
        """Show the new ``in_place_state`` without a rebuild; False when only a rebuild can."""
        return False

    def refresh(self, force: bool = False) -> None:
        sig, state = self.signature(), self.in_place_state()
        unchanged = not force and sig == self._signature
        if unchanged and (state == self._shown_in_place or self.update_in_place()):
            self._shown_in_place = state
            return
        self._signature, self._shown_in_place = sig, state
        self.clear_widgets()
        self.add_widget(self.build())

    def build(self) -> Widget:
        raise NotImplementedError

    def forget(self) -> None:
        """Drop the built page (called when a session ends): it is rebuilt when next shown."""
        self.clear_widgets()
        self._signature = None

    # ----------------------------------------------------------- layout helpers
    @staticmethod
    def landscape() -> bool:
        from kivy.core.window import Window

        return bool(Window.width > Window.height)

    def page(self) -> BoxLayout:
        s = self.ctx.sizes
        return BoxLayout(orientation="vertical", padding=(dp(48), dp(36)), spacing=dp(s.spacing))

    def scroll(self, content: Layout) -> ScrollView:
        content.size_hint_y = None
        content.bind(minimum_height=content.setter("height"))
        view = ScrollView(do_scroll_x=False, bar_width=dp(10), scroll_type=["bars", "content"])
        view.add_widget(content)
        return view
