"""systemd notification from the UI loop: READY=1 after the first frame, WATCHDOG=1 while it runs.

The pings are scheduled on Kivy's Clock, i.e. on the same loop that draws the screen and runs the
controller. If that loop freezes (a blocking call, a deadlock, an endless layout), the pings stop
and systemd restarts the app after ``WatchdogSec`` — a thread pinging on its own would hide exactly
the failure the watchdog is for. Outside systemd (no ``NOTIFY_SOCKET``) nothing is sent.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)
DEFAULT_INTERVAL = 5.0


def ping_interval(environ: dict[str, str] | None = None) -> float:
    """Half the unit's WatchdogSec (systemd passes it as WATCHDOG_USEC), as systemd recommends."""
    env = os.environ if environ is None else environ
    try:
        usec = int(env.get("WATCHDOG_USEC", "0"))
    except ValueError:
        usec = 0
    return usec / 2e6 if usec > 0 else DEFAULT_INTERVAL


class Watchdog:
    """Sends READY/WATCHDOG/STOPPING to systemd from Kivy's main loop."""

    def __init__(
        self, on_ping: Callable[[], None] | None = None, environ: dict[str, str] | None = None
    ) -> None:
        env = dict(os.environ if environ is None else environ)
        self.enabled = bool(env.get("NOTIFY_SOCKET"))
        self.interval = ping_interval(env)
        self.on_ping = on_ping
        self.pings = 0
        self.ready = False
        self._event: Any = None
        self._notifier: Any = None
        if self.enabled:
            import sdnotify

            self._notifier = sdnotify.SystemdNotifier()

    def notify(self, message: str) -> None:
        if self._notifier is not None:
            self._notifier.notify(message)  # sdnotify swallows socket errors: never stops the app

    def start(self) -> None:
        if not self.enabled:
            return
        from kivy.clock import Clock
        from kivy.core.window import Window

        Window.bind(on_flip=self._first_frame)
        self._event = Clock.schedule_interval(self._ping, self.interval)
        log.info("systemd watchdog on", extra={"interval": self.interval})

    def _first_frame(self, *_: Any) -> None:
        from kivy.core.window import Window

        Window.unbind(on_flip=self._first_frame)
        if not self.ready:
            self.ready = True
            # ASCII only: sdnotify encodes Latin-1 and silently drops anything else (READY included)
            self.notify("READY=1\nSTATUS=serving citizens")
            self._ping()

    def _ping(self, *_: Any) -> None:
        if not self.ready:
            return  # READY=1 first: a watchdog ping before the first frame would hide a blank screen
        self.notify("WATCHDOG=1")
        self.pings += 1
        if self.on_ping is not None:
            self.on_ping()

    def stop(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
        if self.enabled:
            from kivy.core.window import Window

            Window.unbind(on_flip=self._first_frame)
            self.notify("STOPPING=1")
