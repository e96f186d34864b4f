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
    # True for a screen that shows the goodbye countdown by updating its text in place
    countdown_in_place: bool = False

    def __init__(self, ctx: ScreenContext, **kw: Any) -> None:
        super().__init__(name=self.step, **kw)
        self.ctx = ctx
        self._signature: Hashable | None = None

    def signature(self, records: bool = True) -> Hashable:
        """What this screen shows; the body is rebuilt only when it changes.

        ``records=False`` leaves out the verified records (a screen that can show their arrival in
        place, such as the certificate list's badges, rebuilds only when the rest changes).
        """
        m = self.ctx.machine
        d = m.data
        health = vars(self.ctx.controller.health)
        return (
            m.step,
            m.busy,
            m.prefs.elder_mode,
            m.prefs.language,
            m.error,
            d.id if d else None,
            len(d.certificates) if d else 0,
            (tuple(sorted(d.records)) if d else ()) if records else None,
            d.selected if d else None,
            (d.printing.phase, d.printing.message, d.printing.attempts) if d else None,
            (m.goodbye_remaining is None) if self.countdown_in_place else m.goodbye_remaining,
            tuple((k, v) for k, v in health.items() if isinstance(v, str)),
            self.extra_signature(),
        )

    def extra_signature(self) -> Hashable:
        return None

    def refresh(self, force: bool = False) -> None:
        sig = self.signature()
        if not force and sig == self._signature:
            return
        self._signature = sig
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
