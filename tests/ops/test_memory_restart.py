"""The planned restart for memory: only above the limit, only at rest, only under systemd."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.audit import AuditLog
from kiosk.controller import Controller, Devices
from kiosk.ops.frames import FrameGapMeter
from kiosk.ops.memory import MemoryPolicy, resident_bytes
from kiosk.ops.metrics import KioskMetrics
from kiosk.ops.runtime import OpsHandle
from kiosk.ops.watchdog import Watchdog
from tests.support.ui import FakeClock, make_config

MB = 1_000_000


class StoppableApp:
    def __init__(self) -> None:
        self.stops = 0

    def stop(self) -> None:
        self.stops += 1


def make_ops(
    tmp_path: Path, supervised: bool, **ops: Any
) -> tuple[OpsHandle, Controller, FakeClock, StoppableApp]:
    clock = FakeClock()
    config = make_config({"ops": {"restart_above_mb": 1000, "restart_after_rest_seconds": 120, **ops}})
    controller = Controller(config, Devices(), None, AuditLog(tmp_path / "audit.jsonl"), clock=clock)
    app = StoppableApp()
    handle = OpsHandle(
        controller,
        KioskMetrics(),
        Watchdog(environ={}),
        FrameGapMeter(),
        tmp_path,
        app=app,
        supervised=supervised,
    )
    return handle, controller, clock, app


def test_policy() -> None:
    policy = MemoryPolicy(limit_mb=1000, rest_seconds=120)
    assert not policy.should_restart(999 * MB, at_rest_for=3600)  # below the limit
    assert not policy.should_restart(1500 * MB, at_rest_for=None)  # a citizen is using it
    assert not policy.should_restart(1500 * MB, at_rest_for=60)  # someone just left: maybe back
    assert policy.should_restart(1500 * MB, at_rest_for=120)
    assert not MemoryPolicy(0, 0).should_restart(10**12, at_rest_for=10**6)  # 0: never
    assert resident_bytes() > 10 * MB  # this very process, read from /proc


def test_restart_waits_for_rest_and_is_recorded(tmp_path: Path) -> None:
    ops, controller, clock, app = make_ops(tmp_path, supervised=True)
    controller.start_session()  # a citizen is at the terminal
    clock.advance(600)
    assert not ops.check_memory(rss=1500 * MB) and app.stops == 0
    controller.home()  # the citizen leaves
    clock.advance(30)
    assert not ops.check_memory(rss=1500 * MB) and app.stops == 0
    clock.advance(100)
    assert ops.check_memory(rss=1500 * MB) and app.stops == 1
    assert not ops.check_memory(rss=1500 * MB) and app.stops == 1  # asked once
    assert ops.metrics.registry.get_sample_value("kiosk_resident_memory_bytes") == 1500 * MB
    assert controller.audit.flush()
    audit = (tmp_path / "audit.jsonl").read_text(encoding="utf-8")
    assert '"event":"restart_for_memory"' in audit and '"rss_mb":1500' in audit


def test_no_restart_without_systemd_or_below_the_limit(tmp_path: Path) -> None:
    ops, _controller, clock, app = make_ops(tmp_path, supervised=False)
    clock.advance(3600)
    assert not ops.check_memory(rss=1500 * MB)  # a demo or a shell: nobody would start it again
    supervised, _c, clock2, app2 = make_ops(tmp_path / "b", supervised=True)
    clock2.advance(3600)
    assert not supervised.check_memory(rss=900 * MB)
    assert app.stops == 0 and app2.stops == 0
