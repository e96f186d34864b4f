"""Receipt printers: ESC/POS over TCP, USB, serial and CUPS (python-escpos), a file writer and a simulator;
the A4 queue for 加注件 (CUPS) and its simulator for demo mode.

Every printer here satisfies ``kiosk.ports.PrinterPort`` by shape: ``status()``, ``print_image(img)``
(raster ``GS v 0`` then cut; raises :class:`PrinterError`, an ``OSError``, with a stable ``reason``)
and ``paper_width_dots``. This package imports nothing from ``kiosk``.
"""

from drivers.printer.escpos_cache import prepare as _prepare_escpos

_prepare_escpos()  # before any module below imports python-escpos (no /tmp folder, no YAML parse)

from drivers.printer.cups import CupsPrinter, CupsQueue  # noqa: E402
from drivers.printer.file_printer import FilePrinter  # noqa: E402
from drivers.printer.job_bytes import receipt_job  # noqa: E402
from drivers.printer.network import NetworkPrinter  # noqa: E402
from drivers.printer.serial import SerialPrinter  # noqa: E402
from drivers.printer.simulated import SimulatedPrinter  # noqa: E402
from drivers.printer.simulated_a4 import SimulatedA4Printer  # noqa: E402
from drivers.printer.types import PAPER_WIDTH_DOTS, PrinterError, PrinterStatus, paper_width_dots  # noqa: E402
from drivers.printer.usb import UsbPrinter  # noqa: E402

__all__ = [
    "PAPER_WIDTH_DOTS",
    "CupsPrinter",
    "CupsQueue",
    "FilePrinter",
    "NetworkPrinter",
    "PrinterError",
    "PrinterStatus",
    "SerialPrinter",
    "SimulatedA4Printer",
    "SimulatedPrinter",
    "UsbPrinter",
    "paper_width_dots",
    "receipt_job",
]
