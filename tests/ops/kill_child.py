"""A terminal process for the SIGKILL and watchdog test (tests/ops/test_sigkill.py).

    python -m tests.ops.kill_child STATE_DIR SERVER_JSON (session|start)

``session``: identifies a demo citizen and lists their certificates (personal data in memory),
freezes the UI loop for 2 s (bracketed by STATUS= messages on the systemd socket), then waits to
be killed. ``start``: starts, prints the step it shows first, and exits cleanly.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any


def main() -> int:
    state, server_file, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    from kiosk.app import environment
    from kiosk.logsetup import setup_logging

    setup_logging(state / "logs", to_stderr=False)
    environment.prepare(1080, 1920, False, headless=True)
    from kiosk.app.runner import AppDriver, run_app
    from kiosk.audit import AuditLog
    from kiosk.controller import Controller
    from kiosk.demo import DemoControls, demo_config
    from kiosk.session import Step
    from kiosk.wiring.backend import build_backend
    from kiosk.wiring.devices import build_devices, demo_identities_file
    from tests.support.ui import identity_keys, make_config

    server = SimpleNamespace(**json.loads(server_file.read_text(encoding="utf-8")))
    config = demo_config(make_config({"ops": {"metrics_port": 0}}), server)
    with demo_identities_file() as ids:
        devices = build_devices(config, ids)
    controller = Controller(
        config, devices, build_backend(config), AuditLog(state / "audit.jsonl"), demo=True
    )
    controls = DemoControls(devices, identity_keys(), lambda key: "")
    m = controller.machine

    async def until(pred: Any, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not pred():
            if time.monotonic() > deadline:
                raise TimeoutError(f"step {m.step}")
            await asyncio.sleep(0.05)

    async def script(d: AppDriver) -> None:
        ops = d.app.ops
        await until(lambda: ops.watchdog.ready or not ops.watchdog.enabled)
        print(f"FIRST_STEP {m.step.value}", flush=True)
        if mode == "start":
            return
        controls.insert_card("elder")
        await until(lambda: m.step is Step.CONSENT)
        controller.agree()
        await until(lambda: m.step is Step.CERTIFICATES and not m.busy and not controller._session_tasks)
        print("IDENTIFIED", flush=True)
        ops.watchdog.notify("STATUS=freeze-start")
        time.sleep(2.0)  # a frozen UI loop: nothing else runs on it, so no watchdog ping can go out
        ops.watchdog.notify("STATUS=freeze-end")
        await asyncio.sleep(1.0)
        print("WAITING_FOR_KILL", flush=True)
        await asyncio.sleep(600)

    return asyncio.run(run_app(controller, controls.keys(), script))


if __name__ == "__main__":
    sys.exit(main())
