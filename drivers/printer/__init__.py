"""Receipt printers: ESC/POS over TCP, USB, serial and CUPS (python-escpos), a file writer and a simulator.

Every printer here satisfies ``kiosk.ports.PrinterPort`` by shape: ``status()``, ``print_image(img)``
(raster ``GS v 0`` then cut; raises :class:`PrinterError`, an ``OSError``, with a stable ``reason``)
and ``paper_width_dots``. This package imports nothing from ``kiosk``.
"""

from drivers.printer.simulated import SimulatedPrinter
from drivers.printer.types import PAPER_WIDTH_DOTS, PrinterError, PrinterStatus, paper_width_dots

__all__ = ["PAPER_WIDTH_DOTS", "PrinterError", "PrinterStatus", "SimulatedPrinter", "paper_width_dots"]
