"""Health polling for the status bar and the degraded mode, shaped like Home Assistant's update
coordinator: one loop, probes that run concurrently and never overlap, back-off while the backend is
down (a fleet of terminals must not hammer a failing server), and listeners told only about real
changes (the screens do not rebuild every ten seconds for nothing).

The printer is asked for its status (DLE EOT on ESC/POS links) but never while it is printing: a
status query in the middle of a job would interleave bytes on serial links and answer "busy" anyway.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from kiosk.backend.errors import BackendError

log = logging.getLogger(__name__)

BASE_INTERVAL = 10.0
MAX_INTERVAL = 60.0
PRINTER_TIMEOUT = 5.0
BACKEND_TIMEOUT = 15.0


def printer_health(status: Any) -> str:
    if status.online is False or status.paper == "out" or status.cover_open:
        return "down"
    if status.online is None or status.paper == "unknown":
        return "unknown"
    if status.paper == "near_end":
        return "degraded"
    return "ok"


def _safe(fn: Callable[[], str]) -> str:
    try:
        return fn()
    except Exception:
        return "unknown"


def _snapshot(health: Any) -> tuple[str, ...]:
    return (health.card, health.camera, health.printer, health.printer_message, health.backend)


class HealthCoordinator:
    def __init__(self, base_interval: float = BASE_INTERVAL, max_interval: float = MAX_INTERVAL) -> None:
        self.base_interval = base_interval
        self.max_interval = max_interval
        self.backend_failures = 0
        self._lock = asyncio.Lock()

    def next_interval(self) -> float:
        """10 s while the backend answers; 20, 40, 60 s while it does not."""
        return min(self.max_interval, self.base_interval * 2 ** min(self.backend_failures, 4))

    async def refresh(self, controller: Any) -> bool:
        """Probe everything into ``controller.health``; True when what the screens show changed."""
        async with self._lock:  # a manual refresh during a scheduled one waits, then probes afresh
            health = controller.health
            before = _snapshot(health)
            d = controller.devices
            if d.card is not None:
                health.card = _safe(d.card.health)
            if d.scanner is not None:
                camera = _safe(d.scanner.health)
                # the camera is open only while identifying: between sessions keep its last state
                if camera != "unknown" or getattr(controller, "_scanning", False):
                    health.camera = camera
            await asyncio.gather(self._printer(controller), self._backend(controller))
            health.checked_at = controller.clock()
            return _snapshot(health) != before

    async def _printer(self, controller: Any) -> None:
        printer = controller.devices.printer
        if printer is None or _printing(controller):
            return
        from kiosk.receipt.job import state_from_status
        from kiosk.receipt.messages import message_for

        try:
            status = await asyncio.wait_for(asyncio.to_thread(printer.status), PRINTER_TIMEOUT)
        except Exception:
            controller.health.printer, controller.health.printer_message = "unknown", ""
            return
        controller.health.printer = printer_health(status)
        controller.health.printer_message = message_for(state_from_status(status))

    async def _backend(self, controller: Any) -> None:
        backend = controller.backend
        if backend is None:
            return
        try:
            await asyncio.wait_for(backend.health(), BACKEND_TIMEOUT)
        except (BackendError, TimeoutError):
            controller.health.backend = "down"
            self.backend_failures += 1
        except Exception:
            # Anything else is a bug, but it must not end the health poller (the status bar would
            # then show the last state for ever): the backend counts as down, and the bug is logged.
            log.exception("backend health probe failed unexpectedly")
            controller.health.backend = "down"
            self.backend_failures += 1
        else:
            controller.health.backend = "ok"
            self.backend_failures = 0


def _printing(controller: Any) -> bool:
    data = controller.machine.data
    return data is not None and controller.machine.step.value == "print" and data.printing.phase == "printing"
