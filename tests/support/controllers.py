"""A real controller with the demo's simulated devices, for tests that drive a session without the
screen (the same wiring as ``kiosk demo``, a controllable clock, the audit log in a test folder)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.audit import AuditLog
from kiosk.controller import Controller
from kiosk.settings import KioskConfig
from kiosk.wiring.backend import build_backend
from kiosk.wiring.devices import build_devices, demo_identities_file
from tests.support.ui import FakeClock


def demo_controller(config: KioskConfig, audit: Path, **device_overrides: Any) -> tuple[Controller, Any]:
    """The controller and its devices; ``device_overrides`` replace devices (a failing printer …)."""
    with demo_identities_file() as ids:
        devices = build_devices(config, ids)
    for name, value in device_overrides.items():
        setattr(devices, name, value)
    backend = build_backend(config)
    controller = Controller(config, devices, backend, AuditLog(audit), clock=FakeClock(), demo=True)
    return controller, devices


async def until(predicate: Callable[[], bool], timeout: float = 20) -> None:
    """Wait, turning the event loop, until ``predicate`` holds; fail after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)
