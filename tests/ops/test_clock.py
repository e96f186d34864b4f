"""The terminal's clock against the backend's: the real reference server's health answer gives the
offset; a large skew is recorded in the audit log, shown in health and exported as a metric."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from kiosk.audit import AuditLog
from kiosk.controller import Controller, Devices
from kiosk.ops.frames import FrameGapMeter
from kiosk.ops.metrics import KioskMetrics
from kiosk.ops.observe import ObservedBackend
from kiosk.ops.runtime import OpsHandle
from kiosk.ops.watchdog import Watchdog
from tests.support.ui import make_config


def test_clock_skew_is_reported_once_and_cleared(tmp_path: Path, ops_server: Any) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    controller = Controller(make_config(), Devices(), None, audit)
    metrics = KioskMetrics()
    ops = OpsHandle(controller, metrics, Watchdog(environ={}), FrameGapMeter(), tmp_path)
    backend = ObservedBackend(ops_server.client(), metrics, ops.on_health)

    async def health() -> dict[str, Any]:
        try:
            return dict(await backend.health())
        finally:
            await backend.aclose()

    answer = asyncio.run(health())  # the real server: same machine, same clock
    assert abs(answer["clock_offset"]) < 5
    assert controller.health.extra["clock"] == "ok"
    assert metrics.registry.get_sample_value("kiosk_clock_skewed") == 0

    for offset in (-400.0, -401.0):  # the terminal's clock runs 6+ minutes fast
        ops.on_health({"clock_offset": offset})
    assert controller.health.extra["clock"] == "skewed"
    assert metrics.registry.get_sample_value("kiosk_clock_offset_seconds") == -401.0
    ops.on_health({"clock_offset": 0.5})
    assert audit.flush()
    events = [line for line in (tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sum('"event":"clock_skew"' in e for e in events) == 1  # once, not on every health check
    assert sum('"event":"clock_ok"' in e for e in events) == 1
    assert controller.health.extra["clock"] == "ok"
