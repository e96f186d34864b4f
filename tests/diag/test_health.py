"""The status bar's health from real probes: printer status queries, the backend's health call, back-off
while the backend is down, and redraws only when something changed."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

from drivers.printer import SimulatedPrinter
from kiosk.audit import AuditLog
from kiosk.backend.client import HttpBackend
from kiosk.controller import Controller, Devices
from tests.diag.helpers import diag_config
from tests.support.ui import FakeClock


def dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_health_follows_printer_and_backend(diag_server: Any, tmp_path: Path) -> None:
    config = diag_config(diag_server)
    printer = SimulatedPrinter()
    live = HttpBackend.from_config(config)
    dead = HttpBackend(config.backend.model_copy(update={"url": dead_url()}), config.terminal.id)
    controller = Controller(
        config, Devices(printer=printer), live, AuditLog(tmp_path / "a.jsonl"), FakeClock()
    )
    redraws: list[str] = []
    controller.subscribe(lambda: redraws.append(controller.health.printer))
    coordinator = controller.health_coordinator

    async def scenario() -> None:
        await controller.refresh_health()
        assert (controller.health.printer, controller.health.backend) == ("ok", "ok")
        assert controller.printing_available() and coordinator.next_interval() == 10
        await controller.refresh_health()
        assert len(redraws) == 1  # nothing changed: no redraw

        printer.set_paper("out")
        await controller.refresh_health()
        assert controller.health.printer == "down" and not controller.printing_available()
        assert "纸" in controller.health.printer_message
        printer.set_paper("near_end")
        await controller.refresh_health()
        assert controller.health.printer == "degraded" and controller.printing_available()
        printer.set_silent(True)
        await controller.refresh_health()
        assert controller.health.printer == "unknown"
        printer.set_silent(False)

        controller.backend = dead
        intervals = []
        for _ in range(4):
            await controller.refresh_health()
            intervals.append(coordinator.next_interval())
        assert controller.health.backend == "down" and intervals == [20, 40, 60, 60]
        controller.backend = live
        await controller.refresh_health()
        assert controller.health.backend == "ok" and coordinator.next_interval() == 10
        await live.aclose()
        await dead.aclose()

    asyncio.run(scenario())
    assert redraws == ["ok", "down", "degraded", "unknown", "degraded", "degraded"]
