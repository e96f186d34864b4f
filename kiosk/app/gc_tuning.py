"""Keep the garbage collector's full passes off a citizen's session.

WHY: after start-up the process holds about 350,000 Python objects (Kivy, OpenCV, pydantic, httpx,
the screens...). A full (generation 2) collection walks every one of them on the UI thread, and
Python starts one by itself whenever enough objects have survived younger collections, which
screen rebuilds cause all the time: measured in the soak, 24 full collections in 30 sessions took a
median of 397 ms each (max 486 ms), the largest single cause of frozen frames.

Three measures:

- ``freeze_startup_objects``: ``gc.freeze()`` at the first frame (its pages dropped first) moves
  what start-up created into a permanent generation that collections skip (a ``gc.collect()``
  comes first, so nothing unreachable is frozen; no personal data exists yet at that point).
- ``defer_full_collections``: Python's own full passes become a hundred times rarer...
- ``collect_between_citizens``: ...because the app runs one itself whenever the terminal comes back
  to rest (a session ended, a guide page closed), when nobody is at the screen. This also frees,
  at once, any garbage cycle that still held the last citizen's data, instead of at some random
  later moment. As the first session ends, the app collects and freezes once more, at that
  moment (kiosk/app/kivy_app.py): the modules a session imports on first use (receipts, QR,
  pinyin...) join start-up's objects; without it every later pass walked them again (measured:
  200 ms a pass instead of 60). Only once, and never while a session is alive: whatever is
  frozen is never freed. For that reason no page is ever frozen either: the pages (and the
  footer's buttons) are dropped before that freeze and built again after it, since a frozen page
  stayed in memory for good once it was replaced.

  The pass runs a quarter of a second after the attract screen is back (kiosk/app/kivy_app.py), at
  the start of a frame and after handing the last frame to the GL driver, so that a software
  renderer draws it on the other cores meanwhile.

  While a citizen is at the screen (a session or a page over the attract screen), Python's own
  full pass is held off altogether (``hold_full_passes``), not only made rarer. WHY: only a full
  pass resets the safety net's count, so it could still fall due inside a session (after rest
  passes skipped because the next citizen came within a quarter of a second, or sessions that
  allocate much: the OFD face's parse alone makes hundreds of thousands of objects), and would
  freeze one of its frames for as long as a pass at rest takes (60-700 ms in the soak). The app
  puts the safety net back after its pass at rest (``defer_full_collections``). Cost: cyclic
  garbage that outlived two young collections waits for the end of the session, which the idle
  timeout bounds.

  Tried and measured in the soak: a pass a moment after every screen change instead (one page's
  garbage each). Median 61 ms, p90 121 ms, max 200 ms: no better for the longest pause, and it
  puts the pauses inside sessions; the pass at rest puts them where nobody is watching.

  What the pass costs is the garbage a citizen's pages leave: Kivy ties every widget in reference
  cycles (its observable lists and dicts point back at their owner), about 280 objects a label and
  430 a button, and the collector walks each at 2–4 µs in the running terminal. Pages that are the
  same for everyone are therefore kept built between citizens (screens/base.py: ``personal``,
  ``in_place``); measured in the soak, a card session leaves 16,000–37,000 objects, a pass of
  60–210 ms.
"""

from __future__ import annotations

import gc
import time

# younger collections between automatic full passes (Python's default: 10): a safety net only, since
# the app collects whenever the terminal comes back to rest
FULL_PASS_EVERY = 1000
# ... and while a citizen is at the screen: never (a count no session reaches)
FULL_PASS_HELD = 1_000_000_000


def freeze_startup_objects() -> int:
    """Collect, then freeze everything alive; returns how many objects are now frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def defer_full_collections() -> None:
    young, middle, _old = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_PASS_EVERY)


def hold_full_passes() -> None:
    """A citizen is at the screen: no automatic full pass until ``defer_full_collections``."""
    young, middle, _old = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_PASS_HELD)


def collect_between_citizens(freeze: bool = False) -> float:
    """A full collection now (then, with ``freeze``, freeze what is alive); returns the seconds."""
    started = time.perf_counter()
    gc.collect()
    if freeze:
        gc.freeze()
    return time.perf_counter() - started
