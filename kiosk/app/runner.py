"""Run the Kivy app and the controller in one asyncio loop, optionally with a scripted citizen."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from kivy.core.window import Window

from kiosk.app.io_workers import started_pool
from kiosk.app.kivy_app import KioskApp
from kiosk.controller import Controller

log = logging.getLogger(__name__)

Script = Callable[["AppDriver"], Awaitable[None]]


class AppDriver:
    """What a scripted session (walkthrough, soak, UI tests) may do with the running app."""

    def __init__(self, app: KioskApp) -> None:
        self.app = app
        self.controller = app.controller

    async def frames(self, seconds: float = 0.25) -> None:
        """Let Kivy draw: the redraw is scheduled on the next frame."""
        await asyncio.sleep(seconds)

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 15.0, what: str = "") -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            if loop.time() > deadline:
                raise TimeoutError(f"timed out waiting for {what or predicate}")
            await asyncio.sleep(0.05)
        await self.frames()

    async def screenshot(self, path: Path) -> Path:
        await self.frames()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp_dir = tempfile.mkdtemp(prefix="kiosk-shot-")
        saved = Window.screenshot(name=os.path.join(tmp_dir, "shot.png"))
        if not saved:
            raise RuntimeError("Kivy could not take a screenshot")
        os.replace(saved, path)
        os.rmdir(tmp_dir)
        return path


async def run_app(
    controller: Controller,
    demo_keys: dict[str, Callable[[], None]] | None = None,
    script: Script | None = None,
) -> int:
    loop = asyncio.get_running_loop()
    workers = started_pool()  # blocking calls; the thread count stays the same for the process's life
    loop.set_default_executor(workers)
    app = KioskApp(controller, demo_keys)
    from kiosk.ops import start_ops

    ops = start_ops(controller, app)  # metrics endpoint, systemd watchdog, self-checks (kiosk.ops)
    app.ops = ops  # scripts (soak, tests) read metrics and frame gaps
    await controller.start()
    outcome = {"code": 0}

    async def drive() -> None:
        await asyncio.sleep(0.5)
        try:
            assert script is not None
            await script(AppDriver(app))
        except Exception:
            log.exception("scripted session failed")
            outcome["code"] = 1
        finally:
            app.stop()

    for sig in (signal.SIGTERM, signal.SIGINT):
        # a stop request (systemd, Ctrl-C) ends sessions, stops devices and the embedded server cleanly
        loop.add_signal_handler(sig, app.stop)
    task = loop.create_task(drive()) if script else None
    try:
        await app.async_run(async_lib="asyncio")
    finally:
        if task is not None and not task.done():
            task.cancel()
        await controller.stop()
        ops.stop()
        workers.shutdown(wait=False, cancel_futures=True)
    return outcome["code"]
