"""Build the configured receipt printer (drivers/printer) behind ``kiosk.ports.PrinterPort``."""

from __future__ import annotations

import logging
import threading

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

log = logging.getLogger(__name__)
_warm_up_thread: threading.Thread | None = None  # once per process: the caches are process-wide


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


def warm_up_receipts(printer: PrinterPort) -> threading.Thread | None:
    """Draw the demo receipt (fictitious, 测试数据) once in a background thread at start, for the
    printer's paper width, so the first citizen's receipt does not pay for opening the fonts and
    drawing the lines every receipt shares (kiosk.receipt.render.warm_up: ~15 ms cold). Off the UI
    thread, once per process; only fixed wording stays remembered (the renderer keeps nothing
    personal, and the demo person is made up anyway). A failure is logged: printing still works."""
    global _warm_up_thread
    if _warm_up_thread is not None:
        return None
    try:
        width = printer.paper_width_dots
    except Exception:  # a printer that cannot say its paper: the first receipt just draws cold
        log.exception("receipt warm-up skipped: no paper width")
        return None

    def run() -> None:
        from kiosk.receipt.render import warm_up

        try:
            warm_up(width)
        except Exception:
            log.exception("receipt warm-up failed")

    _warm_up_thread = threading.Thread(target=run, name="receipt-warm-up", daemon=True)
    _warm_up_thread.start()
    return _warm_up_thread
