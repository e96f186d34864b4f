"""Receipt printers: ESC/POS over TCP, USB, serial and CUPS (python-escpos), a file writer and a simulator.

Every printer here satisfies ``kiosk.ports.PrinterPort`` by shape: ``status()``, ``print_image(img)``
(raster ``GS v 0`` then cut; raises :class:`PrinterError`, an ``OSError``, with a stable ``reason``)
and ``paper_width_dots``. This package imports nothing from ``kiosk``.
"""

from drivers.printer.cups import CupsPrinter, CupsQueue
from drivers.printer.file_printer import FilePrinter
from drivers.printer.job_bytes import receipt_job
from drivers.printer.network import NetworkPrinter
from drivers.printer.serial import SerialPrinter
from drivers.printer.simulated import SimulatedPrinter
from drivers.printer.types import PAPER_WIDTH_DOTS, PrinterError, PrinterStatus, paper_width_dots
from drivers.printer.usb import UsbPrinter

__all__ = [
    "PAPER_WIDTH_DOTS",
    "CupsPrinter",
    "CupsQueue",
    "FilePrinter",
    "NetworkPrinter",
    "PrinterError",
    "PrinterStatus",
    "SerialPrinter",
    "SimulatedPrinter",
    "UsbPrinter",
    "paper_width_dots",
    "receipt_job",
]
