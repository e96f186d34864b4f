"""Build the configured devices and the backend: the one place that knows concrete driver classes."""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from importlib import resources
from pathlib import Path

from kiosk.controller import Devices
from kiosk.settings import KioskConfig

log = logging.getLogger(__name__)


def demo_identities_file() -> AbstractContextManager[Path]:
    """The fictitious demo people, as a real file path for as long as the context lasts."""
    return resources.as_file(resources.files("config").joinpath("demo_identities.toml"))


def build_devices(config: KioskConfig, demo_identities: Path | None = None) -> Devices:
    """Each device is built independently: one that cannot be built leaves the others working."""
    from kiosk.wiring.camera import build_qr_scanner
    from kiosk.wiring.card import build_card_reader
    from kiosk.wiring.printer import build_printer, warm_up_receipts

    devices = Devices()
    d = config.devices
    try:
        devices.card = build_card_reader(d.card_reader, demo_identities)
    except Exception:
        log.exception("card reader could not be built", extra={"kind": d.card_reader.kind})
    try:
        devices.scanner = build_qr_scanner(d.camera)
    except Exception:
        log.exception("camera could not be built", extra={"kind": d.camera.kind})
    try:
        devices.printer = build_printer(d.printer)
        warm_up_receipts(devices.printer)  # its paper width: a session's start warms the renderer
    except Exception:
        log.exception("printer could not be built", extra={"kind": d.printer.kind})
    return devices
