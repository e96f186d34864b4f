"""Build the configured receipt printer (drivers/printer) behind ``kiosk.ports.PrinterPort``, and the
A4 queue for 加注件 (a CUPS queue; in demo mode the simulated A4 printer)."""

from __future__ import annotations

import logging
import threading

from drivers.printer import (
    CupsPrinter,
    CupsQueue,
    FilePrinter,
    NetworkPrinter,
    SerialPrinter,
    SimulatedA4Printer,
    SimulatedPrinter,
    UsbPrinter,
)
from kiosk.ports import PrinterPort
from kiosk.receipt.a4 import A4Queue
from kiosk.settings.printer import PrinterConfig

log = logging.getLogger(__name__)
_paper_width: int | None = None  # the receipt printer's, for warm_up (the renderer's caches are process-wide)


def build_printer(config: PrinterConfig) -> PrinterPort:
    """One adapter per ``kind``; opening the link is deferred to the first status or print call."""
    paper, timeout, status_timeout = config.paper_mm, config.timeout_seconds, config.status_timeout_seconds
    check = config.check_status
    if config.kind == "simulated":
        # only the last receipt, for the demo's walkthrough: a real printer keeps nothing once the
        # paper is torn off, and fifty kept receipts (about 160 KB each) were 8 MB of the demo's
        # resident size that a terminal never has (bench/session_rss_bench.py)
        return SimulatedPrinter(paper_mm=paper, max_kept=1)
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


#: The ``a4_queue`` demo mode sets (kiosk.demo.demo_config) beside the simulated receipt printer.
SIMULATED_A4_QUEUE = "simulated-a4"
_simulated_a4: SimulatedA4Printer | None = None
_simulated_a4_lock = threading.Lock()


def simulated_a4_printer() -> SimulatedA4Printer:
    """The process's one simulated A4 printer.

    One per process, not one per call, because the A4 queue is built from the configuration at
    every job (kiosk.issued.printing), as a CUPS queue is a name for a printer that outlives the
    call; the demo controls read the jobs it took from the same instance.
    """
    global _simulated_a4
    with _simulated_a4_lock:
        if _simulated_a4 is None:
            _simulated_a4 = SimulatedA4Printer()
        return _simulated_a4


def build_a4_queue(config: PrinterConfig) -> A4Queue | None:
    """The CUPS queue for A4 copies (加注件), or None when ``a4_queue`` is not set.

    Only a simulated receipt printer (demo mode, tests) pairs with the simulated A4 printer: with
    any real receipt printer ``a4_queue`` names a CUPS queue, whatever it is called.
    """
    if not config.a4_queue:
        return None
    if config.kind == "simulated" and config.a4_queue == SIMULATED_A4_QUEUE:
        return simulated_a4_printer()
    timeout = max(config.timeout_seconds, 10.0)
    return CupsQueue(config.a4_queue, server=config.cups_server, timeout_seconds=timeout)


def warm_up_receipts(printer: PrinterPort) -> None:
    """Remember the printer's paper width for :func:`warm_up`; nothing is drawn at start.

    WHY not at start: the renderer's open fonts and remembered lines are about 22 MB resident, and
    they are dropped when a session ends (kiosk.receipt.render.release_fonts, kiosk.session_memory);
    warming them at start kept them all day on a terminal at rest. A printer that cannot say its
    paper width just leaves the first receipt of a session drawn cold (some 30 ms more)."""
    global _paper_width
    try:
        _paper_width = printer.paper_width_dots
    except Exception:
        log.exception("receipt warm-up skipped: no paper width")
        _paper_width = None


def warm_up() -> None:
    """Draw the demo receipt (fictitious, 测试数据) once for the printer's paper width, so that the
    session's receipt does not pay for opening the fonts and drawing the lines every receipt shares
    (kiosk.receipt.render.warm_up). Called by kiosk.session_memory.warm_up in a background thread
    below the screen's priority as a session starts; only fixed wording stays remembered (the
    renderer keeps nothing personal), until the session ends."""
    if _paper_width is None:
        return
    from kiosk.receipt.render import warm_up as draw_once

    draw_once(_paper_width)
