"""The window's root widget: every touch counts as activity, the staff's corner gesture, and the
touches on the glass that the page under them waits for (:class:`PageHold`).

WHY a page waits for a finger: a page rebuilt while a key was pressed (a device's status arriving,
the backend's answer) took the key's release with it. Kivy hands the release to the button that
took the press; a button no longer on screen gets it in window coordinates, finds the point
outside itself, and drops the tap. The phone pad of the complaint page lost a digit that way on a
loaded machine: the citizen saw the key go down and no digit appear.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout


class PageHold:
    """The touches on the glass and how long the page under them should stay as it is.

    A tap is short (a citizen's 0.1-0.3 s): the page waits for it to end. A touch held longer than
    ``LONGEST`` is a resting hand, a sleeve or a fault of the glass, and the terminal must not freeze
    under it: the page changes then. A tap inside a scrolling list is given to its button only
    ``SCROLL_CLICK`` seconds after the finger lifts (Kivy's ScrollView: 0.2 s), so its page waits
    that long too.
    """

    LONGEST = 1.0
    SCROLL_CLICK = 0.25

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._down: dict[Any, float] = {}  # touch uid → when it touched
        self._click_until = 0.0

    def down(self, uid: Any) -> None:
        now = self._clock()
        # a touch whose lift never reached the root (a notice opened over it took the lift) is
        # forgotten once it no longer holds anything
        for stale in [u for u, start in self._down.items() if start + self.LONGEST <= now]:
            del self._down[stale]
        self._down[uid] = now

    def up(self, uid: Any, click_pending: bool = False) -> None:
        self._down.pop(uid, None)
        if click_pending:
            self._click_until = max(self._click_until, self._clock() + self.SCROLL_CLICK)

    def remaining(self) -> float:
        """Seconds the page on screen should stay as it is (0: it may change now)."""
        now = self._clock()
        waits = [start + self.LONGEST - now for start in self._down.values()]
        return max(0.0, self._click_until - now, *waits)


def scroll_click_pending(touch: Any) -> bool:
    """Whether a ScrollView still owes this lifted touch's button its release (it had not decided
    between a tap and a scroll: mode ``unknown``, released 0.2 s later by Kivy)."""
    return any(
        key.startswith("sv.") and isinstance(value, dict) and value.get("mode") == "unknown"
        for key, value in touch.ud.items()
        if isinstance(key, str)
    )


class Root(BoxLayout):
    """Every touch counts as activity for the idle timer before it reaches a widget, and a long press
    in the top-left corner (the hidden staff gesture) asks for the admin page.

    The hold belongs to the touch that started it: only that touch lifting, or moving out of the
    corner, cancels it. Any other touch (a second finger, a palm, a citizen's tap) neither cancels it
    nor starts a second one in its place.

    ``page_hold`` follows every touch (see the module docstring); ``on_lifted`` is called once no
    touch holds the page any more, for a page change that waited.
    """

    CORNER = 120  # px square in the top-left corner
    HOLD_SECONDS = 3.0

    def __init__(
        self,
        on_activity: Callable[[], None],
        on_staff_gesture: Callable[[], None],
        on_lifted: Callable[[], None] | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(orientation="vertical", **kw)
        self._on_activity = on_activity
        self._on_staff_gesture = on_staff_gesture
        self._on_lifted = on_lifted
        self.page_hold = PageHold()
        self._hold: Any = None
        self._hold_uid: Any = None  # the touch holding the corner

    def _in_corner(self, touch: Any) -> bool:
        return bool(touch.x <= self.CORNER and touch.y >= self.height - self.CORNER)

    def _cancel_hold(self) -> None:
        if self._hold is not None:
            self._hold.cancel()
        self._hold = self._hold_uid = None

    def _held(self) -> None:
        self._hold = self._hold_uid = None
        self._on_staff_gesture()

    def on_touch_down(self, touch: Any) -> bool:
        self._on_activity()
        self.page_hold.down(touch.uid)
        if self._hold is None and self._in_corner(touch):
            self._hold_uid = touch.uid
            self._hold = Clock.schedule_once(lambda _dt: self._held(), self.HOLD_SECONDS)
        return bool(super().on_touch_down(touch))

    def on_touch_move(self, touch: Any) -> bool:
        if touch.uid == self._hold_uid and not self._in_corner(touch):
            self._cancel_hold()
        return bool(super().on_touch_move(touch))

    def on_touch_up(self, touch: Any) -> bool:
        if touch.uid == self._hold_uid:
            self._cancel_hold()
        taken = bool(super().on_touch_up(touch))  # the widgets first: a ScrollView marks its click
        self.page_hold.up(touch.uid, scroll_click_pending(touch))
        lifted = self._on_lifted
        if lifted is not None:
            wait = self.page_hold.remaining()
            if wait <= 0:
                lifted()
            else:  # a list's click still to come: once it has
                Clock.schedule_once(lambda _dt: lifted(), wait)
        return taken
