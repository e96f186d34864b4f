"""Build the configured receipt printer (drivers/printer) behind ``kiosk.ports.PrinterPort``."""

from __future__ import annotations

from drivers.printer import (
    CupsPrinter,
    CupsQueue,
    FilePrinter,
    NetworkPrinter,
    SerialPrinter,
    SimulatedPrinter,
    UsbPrinter,
)
from kiosk.ports import PrinterPort
from kiosk.receipt.a4 import A4Queue
from kiosk.settings.printer import PrinterConfig


def build_printer(config: PrinterConfig) -> PrinterPort:
    """One adapter per ``kind``; opening the link is deferred to the first status or print call."""
    paper, timeout, status_timeout = config.paper_mm, config.timeout_seconds, config.status_timeout_seconds
    check = config.check_status
    if config.kind == "simulated":
        return SimulatedPrinter(paper_mm=paper)
    if config.kind == "network":
        return NetworkPrinter(config.host, config.port, paper, timeout, status_timeout, check)
    if config.kind == "usb":
        return UsbPrinter(config.usb_vendor, config.usb_product, paper, timeout, status_timeout, check)
    if config.kind == "serial":
        return SerialPrinter(config.serial_port, config.baudrate, paper, timeout, status_timeout, check)
    if config.kind == "cups":
        return CupsPrinter(
            config.cups_queue,
            paper_mm=config.paper_mm,
            server=config.cups_server,
            timeout_seconds=max(config.timeout_seconds, 5.0),
        )
    if config.kind == "file":
        return FilePrinter(config.file_dir, paper_mm=config.paper_mm)
    raise ValueError(f"unknown printer kind: {config.kind}")  # pragma: no cover - the config forbids it


def build_a4_queue(config: PrinterConfig) -> A4Queue | None:
    """The CUPS queue for A4 copies (加注件), or None when ``a4_queue`` is not set."""
    if not config.a4_queue:
        return None
    timeout = max(config.timeout_seconds, 10.0)
    return CupsQueue(config.a4_queue, server=config.cups_server, timeout_seconds=timeout)
