"""A printer that writes files: the ESC/POS bytes (``.bin``) and a PNG preview of each job.

For technicians: the .bin can be sent to a real printer later (``cat job.bin > /dev/usb/lp0`` or
``nc printer 9100 < job.bin``), and the .png shows what it would print. Receipts carry only masked
personal data, so writing them is allowed; keep the folder private (mode 700) all the same.
"""

from __future__ import annotations

import itertools
import os
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from drivers.printer.job_bytes import receipt_job, to_one_bit
from drivers.printer.types import PrinterError, PrinterStatus, paper_width_dots


class FilePrinter:
    kind = "file"

    def __init__(self, directory: str | Path, paper_mm: int = 80) -> None:
        if not str(directory):
            raise ValueError("FilePrinter needs a directory (printer.file_dir)")
        self.directory = Path(directory)
        self._width = paper_width_dots(paper_mm)
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self.last_paths: tuple[Path, Path] | None = None

    @property
    def paper_width_dots(self) -> int:
        return self._width

    def _writable(self) -> bool:
        """The folder is writable, or does not exist yet and its nearest existing parent is."""
        path = self.directory
        while not path.exists():
            if path.parent == path:
                return False
            path = path.parent
        return path.is_dir() and os.access(path, os.W_OK)

    def status(self) -> PrinterStatus:
        if not self._writable():
            return PrinterStatus(online=False, cover_open=None, paper="unknown")
        return PrinterStatus(online=True, cover_open=False, paper="ok")

    def print_image(self, image: Any) -> None:
        one_bit = to_one_bit(image, self._width)
        job = receipt_job(one_bit, self._width)
        with self._lock:
            stem = f"receipt-{datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}-{next(self._counter):04d}"
            try:
                self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
                bin_path = self.directory / f"{stem}.bin"
                png_path = self.directory / f"{stem}.png"
                bin_path.write_bytes(job)
                one_bit.save(png_path)
            except OSError as exc:
                raise PrinterError("io", f"cannot write to {self.directory}: {exc.strerror}") from exc
            self.last_paths = (bin_path, png_path)

    def __repr__(self) -> str:
        return f"FilePrinter({self.directory}, {self.paper_width_dots} dots)"
