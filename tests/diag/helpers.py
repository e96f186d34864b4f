"""Build a configuration and run the diagnostics on adapters built by the app's own wiring."""

from __future__ import annotations

import asyncio
from typing import Any

from kiosk.diagnostics import DiagOptions, Report, run_diagnostics
from kiosk.voice.output import AudioOutput
from tests.support.ui import make_config


def diag_config(server: Any, overrides: dict[str, Any] | None = None) -> Any:
    from kiosk.demo import demo_config

    return demo_config(make_config(overrides), server)


def run(config: Any, **options: Any) -> Report:
    from kiosk.wiring.devices import build_devices, demo_identities_file

    options.setdefault("camera_seconds", 0.5)
    options.setdefault("card_wait_seconds", 1.0)
    # the machine running the tests may have no sound card: the audio check's own tests
    # (test_plain_results.py) cover that; here a sound device is said to be there
    options.setdefault("audio_probe", lambda: AudioOutput(True, "声卡：测试"))
    with demo_identities_file() as ids:
        devices = build_devices(config, ids)
    return asyncio.run(run_diagnostics(config, devices, DiagOptions(**options)))
