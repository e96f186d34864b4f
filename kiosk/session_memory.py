"""What a citizen's session loads on first use, dropped again when the session ends.

WHY: the terminal rests on its attract page for hours between citizens, and what a session pulled
in stayed resident all that time: the OFD renderer's fallback Simplified Chinese face and the
outlines drawn from it (kiosk/ofd/draw.py; about 50 MB when fontTools parsed that face), the pinyin
keyboard's index (kiosk/pinyin_input.py), the face model (drivers/face). Each of these modules
registers here, when it is first imported, a function that drops what it holds; the controller
calls :func:`release` as a session ends (the
machine back on the attract step), before the app's garbage-collection pass at rest, and before the
one-off freeze after the first session (kiosk/app/gc_tuning.py: a frozen object is never collected,
so whatever is still referenced then would stay for good).

This module imports nothing heavy and does not import the modules that register: a terminal that
never drew a certificate never loads fontTools to empty its cache.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable

from kiosk.thread_priority import run_below_the_screen

log = logging.getLogger(__name__)

_lock = threading.Lock()
_releasers: dict[str, Callable[[], bool]] = {}


def register(name: str, releaser: Callable[[], bool]) -> None:
    """``releaser()`` drops what ``name`` holds for a session; it returns whether it held anything.

    Registering the same name again replaces the earlier function (a module reloaded in tests)."""
    with _lock:
        _releasers[name] = releaser


def release() -> list[str]:
    """Drop every registered session cache; returns the names that held something.

    A releaser that fails is logged and the others still run: memory kept is no reason to stop
    the terminal."""
    with _lock:
        releasers = list(_releasers.items())
    dropped: list[str] = []
    for name, releaser in releasers:
        try:
            if releaser():
                dropped.append(name)
        except Exception:
            log.exception("session memory: %s could not be released", name)
    if dropped:
        log.debug("session memory released", extra={"caches": dropped})
    return dropped


def warm_up(module: str) -> None:
    """In a background thread, import ``module`` and call its ``warm_up()`` (which loads what the
    session is about to need, e.g. kiosk.ofd.draw's fallback face as the list of certificates
    appears), so that the citizen's next touch does not wait for the load. The import happens in
    that thread too: a terminal at rest never imports it."""
    threading.Thread(target=_warm, args=(module,), name=f"warm-{module}", daemon=True).start()


def _warm(module: str) -> None:
    # below the screen's priority: the OFD face's parse is most of a second of pure Python, run as
    # the list appears, and took a core from its frames (bench/soak.py, issue 21)
    run_below_the_screen()
    try:
        importlib.import_module(module).warm_up()
    except Exception:  # whatever failed fails again where it is needed, and is reported there
        log.debug("session memory: %s could not be warmed up", module, exc_info=True)
