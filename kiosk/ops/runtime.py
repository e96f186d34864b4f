"""Wire unattended operation into a running app: metrics endpoint, watchdog, self-checks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.ops.font_upkeep import FontUpkeep
from kiosk.ops.frames import FrameGapMeter
from kiosk.ops.memory import MemoryPolicy, resident_bytes
from kiosk.ops.metrics import KioskMetrics
from kiosk.ops.observe import ObservedBackend, ObservedPrinter
from kiosk.ops.selfcheck import check_state_dir, clock_skewed
from kiosk.ops.watchdog import Watchdog

log = logging.getLogger(__name__)
CHECK_INTERVAL = 30.0


@dataclass
class OpsHandle:
    """What ``start_ops`` started; ``stop()`` undoes it (idempotent)."""

    controller: Any
    metrics: KioskMetrics
    watchdog: Watchdog
    frames: FrameGapMeter
    state_dir: Path
    metrics_url: str | None = None
    clock_is_skewed: bool = False
    app: Any = None  # stopped for a planned restart (check_memory)
    supervised: bool = False  # started by systemd, which starts the app again after it exits
    restarting: bool = False
    fonts: FontUpkeep = field(default_factory=FontUpkeep)  # the flat font copies, made at rest
    _memory_warned: bool = False
    _server: Any = None
    _tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    _disk_state: str = "ok"

    # ------------------------------------------------------------------ observers
    def on_health(self, answer: dict[str, Any]) -> None:
        """Every backend health answer: the clock offset, and a report when it crosses the limit."""
        offset = answer.get("clock_offset")
        if not isinstance(offset, int | float):
            return
        self.metrics.clock_offset.set(offset)
        limit = self.controller.config.ops.clock_skew_seconds
        skewed = clock_skewed(float(offset), limit)
        self.metrics.clock_skewed.set(1 if skewed else 0)
        self.controller.health.extra["clock"] = "skewed" if skewed else "ok"
        if skewed != self.clock_is_skewed:
            self.clock_is_skewed = skewed
            event = "clock_skew" if skewed else "clock_ok"
            self.controller.audit.record(event, offset_seconds=round(float(offset), 1), limit_seconds=limit)
            if skewed:
                log.warning(
                    "terminal clock differs from the backend", extra={"offset": round(float(offset), 1)}
                )

    def sync_health(self) -> None:
        h = self.controller.health
        for device in ("card", "camera", "printer", "backend"):
            self.metrics.set_device_state(device, getattr(h, device))

    async def check_disk(self) -> str:
        ops = self.controller.config.ops
        status = await asyncio.to_thread(check_state_dir, self.state_dir, ops.disk_min_free_mb)
        self.metrics.disk_free.set(status.free_bytes)
        self.metrics.disk_writable.set(1 if status.writable else 0)
        self.controller.health.extra["disk"] = status.state
        if status.state != self._disk_state:
            self._disk_state = status.state
            # the audit write may itself fail on that disk: it logs and goes on (kiosk.audit)
            self.controller.audit.record("state_disk_" + status.state, free_mb=status.free_bytes // 1_000_000)
        return status.state

    def check_memory(self, rss: int | None = None) -> bool:
        """Export the resident size; above ``ops.restart_above_mb``, at rest and under systemd, stop
        the app for a clean restart. Returns whether a restart was asked for."""
        rss = resident_bytes() if rss is None else rss
        self.metrics.resident_memory.set(rss)
        c = self.controller
        policy = MemoryPolicy(c.config.ops.restart_above_mb, c.config.ops.restart_after_rest_seconds)
        if self.restarting or not policy.should_restart(rss, c.machine.at_rest_for(c.clock())):
            return False
        if not self.supervised:  # nobody would start it again: say so (once), keep serving
            if not self._memory_warned:
                self._memory_warned = True
                log.warning("memory above the restart limit; not run by systemd, so no restart")
            return False
        self.restarting = True
        c.audit.record("restart_for_memory", rss_mb=rss // 10**6, limit_mb=policy.limit_mb)
        log.warning("planned restart: memory above the limit", extra={"rss_mb": rss // 10**6})
        if self.app is not None:
            self.app.stop()
        return True

    async def _checks(self) -> None:
        while True:
            try:
                await self.check_disk()
                self.check_memory()
                c = self.controller
                task = self.fonts.check(c.machine.at_rest_for(c.clock()))
                if task is not None:
                    self._tasks.append(task)
                self.metrics.frame_gap.set(self.frames.take_max())
            except Exception:
                log.exception("self-check failed")
            await asyncio.sleep(CHECK_INTERVAL)

    # ------------------------------------------------------------------ life
    def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()
        self.watchdog.stop()
        self.frames.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        c = self.controller
        if self.metrics.observe_event in c.audit.listeners:
            c.audit.listeners.remove(self.metrics.observe_event)


def start_metrics_server(metrics: KioskMetrics, host: str, port: int) -> tuple[Any, str] | None:
    """Serve /metrics on host:port from a daemon thread; ``None`` (logged) if the port is taken."""
    from prometheus_client import start_http_server

    try:
        server, _thread = start_http_server(port, addr=host, registry=metrics.registry)
    except OSError as exc:
        log.warning("metrics endpoint not started", extra={"port": port, "error": exc.strerror})
        return None
    real_port = server.server_address[1]
    return server, f"http://{host}:{real_port}/metrics"


def start_ops(controller: Any, app: Any = None) -> OpsHandle:
    """Call on the asyncio loop before ``controller.start()``; never raises into the app."""
    ops = controller.config.ops
    metrics = KioskMetrics(controller.config.terminal.id)
    handle = OpsHandle(
        controller=controller,
        metrics=metrics,
        watchdog=Watchdog(on_ping=metrics.watchdog_pings.inc),
        frames=FrameGapMeter(),
        state_dir=Path(controller.audit.path).parent,
        app=app,
        supervised=bool(os.environ.get("NOTIFY_SOCKET") or os.environ.get("INVOCATION_ID")),
        fonts=FontUpkeep(configured_font=controller.config.display.font_path or ""),
    )
    controller.audit.listeners.append(metrics.observe_event)
    if controller.backend is not None and not isinstance(controller.backend, ObservedBackend):
        controller.backend = ObservedBackend(controller.backend, metrics, handle.on_health)
    printer = controller.devices.printer
    if printer is not None and not isinstance(printer, ObservedPrinter):
        controller.devices.printer = ObservedPrinter(printer, metrics)
    controller.subscribe(handle.sync_health)
    if ops.metrics_enabled:
        started = start_metrics_server(metrics, ops.metrics_host, ops.metrics_port)
        if started is not None:
            handle._server, handle.metrics_url = started
    if ops.watchdog:
        handle.watchdog.start()
    handle.frames.start()
    with contextlib.suppress(RuntimeError):  # no loop (a unit test): the caller runs the checks
        handle._tasks.append(asyncio.get_running_loop().create_task(handle._checks()))
    return handle
