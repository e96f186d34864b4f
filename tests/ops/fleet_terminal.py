"""One terminal of the fleet test (tests/ops/test_fleet_alerts.py), as a process without a screen.

Three ``kiosk demo`` apps drawing offscreen with Mesa's software renderer would take the machine's
two cores for themselves; what a fleet's Prometheus sees of a terminal does not come from the
screen. So this process runs everything of the app but Kivy's window: the real controller with the
demo's simulated devices, the real backend client talking to the reference server, and the real
``kiosk.ops.start_ops`` (the metrics endpoint, the device and paper observers, the disk and memory
self-checks) — the same code ``kiosk.app.runner`` starts. Only the health poll runs every second
(``--health-interval``) instead of every 10 s, as the test's Prometheus scrapes every second.

    python -m tests.ops.fleet_terminal SPEC.json

SPEC.json: ``{"overrides": {...}, "state_dir": "...", "health_interval": 1.0}`` (``overrides`` are
merged over config/default.toml like a terminal.toml). The process prints one JSON line with its
metrics URL once the first health check is done, then takes commands on standard input, one a line,
answering each with ``ok``: ``paper out``, ``paper ok``, ``help``. It stops when standard input closes.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from kiosk.audit import AuditLog
from kiosk.controller import Controller
from kiosk.ops import start_ops
from kiosk.wiring.backend import build_backend
from kiosk.wiring.devices import build_devices, demo_identities_file
from tests.support.ui import make_config


async def serve(spec: dict[str, Any]) -> None:
    config = make_config(spec["overrides"])
    state_dir = Path(spec["state_dir"])
    with demo_identities_file() as ids:
        devices = build_devices(config, ids)
    controller = Controller(
        config, devices, build_backend(config), AuditLog(state_dir / "audit.jsonl"), demo=True
    )
    ops = start_ops(controller)
    controller.health_coordinator.base_interval = float(spec.get("health_interval", 1.0))
    await controller.start()
    loop = asyncio.get_running_loop()
    while controller.health.checked_at == 0:
        await asyncio.sleep(0.05)
    print(json.dumps({"metrics_url": ops.metrics_url}), flush=True)
    try:
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            words = line.split()
            if words[:1] == ["paper"] and len(words) == 2:
                # the simulated printer's paper sensor, as the demo panel's 缺纸 key sets it; the
                # health poll reads it through the observed printer, as on a real terminal
                printer: Any = devices.printer
                printer.set_paper(words[1])
                print("ok", flush=True)
            elif words == ["help"]:  # a citizen presses 呼叫工作人员 (kiosk.notify's help desk)
                controller.call_staff()
                print("ok", flush=True)
            else:
                print(f"unknown command: {line.strip()!r}", flush=True)
    finally:
        ops.stop()
        await controller.stop()


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    asyncio.run(serve(spec))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
