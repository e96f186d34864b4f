"""A simulated receipt printer for demo mode and tests: prints into memory, state set by hand.

The demo (and a technician showing the terminal) can make it run out of paper, open its cover or go
offline to show how the terminal tells the citizen; everything it prints is kept as PIL images.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from PIL import Image

from drivers.printer.job_bytes import receipt_job, to_one_bit
from drivers.printer.types import Paper, PrinterError, PrinterStatus, paper_width_dots, refuse_if_not_ready


class SimulatedPrinter:
    """Satisfies ``kiosk.ports.PrinterPort``. Thread-safe: the core calls it from worker threads."""

    def __init__(self, paper_mm: int = 80, print_seconds: float = 0.0, max_kept: int = 50) -> None:
        self._width = paper_width_dots(paper_mm)
        self._lock = threading.Lock()
        self._paper: Paper = "ok"
        self._cover_open = False
        self._online = True
        self._answers = True
        self._print_seconds = print_seconds
        self._max_kept = max_kept
        self.printed: list[Image.Image] = []
        self.jobs: list[bytes] = []  # the ESC/POS bytes a real printer would have received

    # ------------------------------------------------------------------ control (demo / tests)
    def set_paper(self, paper: Paper) -> None:
        if paper not in ("ok", "near_end", "out"):
            raise ValueError(f"paper must be ok, near_end or out, not {paper!r}")
        with self._lock:
            self._paper = paper

    def set_cover_open(self, cover_open: bool) -> None:
        with self._lock:
            self._cover_open = bool(cover_open)

    def set_online(self, online: bool) -> None:
        with self._lock:
            self._online = bool(online)

    def set_silent(self, silent: bool) -> None:
        """Make status queries go unanswered, as printers without status support do."""
        with self._lock:
            self._answers = not silent

    @property
    def last_image(self) -> Image.Image | None:
        with self._lock:
            return self.printed[-1] if self.printed else None

    # ------------------------------------------------------------------ PrinterPort
    @property
    def paper_width_dots(self) -> int:
        return self._width

    def status(self) -> PrinterStatus:
        with self._lock:
            if not self._answers:
                return PrinterStatus.unknown()
            if not self._online:
                # an unplugged printer answers nothing about cover or paper
                return PrinterStatus(online=False, cover_open=None, paper="unknown")
            return PrinterStatus(online=True, cover_open=self._cover_open, paper=self._paper)

    def print_image(self, image: Any) -> None:
        if not self._online:
            raise PrinterError("offline", "simulated printer is offline")
        refuse_if_not_ready(self.status())
        one_bit = to_one_bit(image, self._width)
        job = receipt_job(one_bit, self._width)
        if self._print_seconds:
            time.sleep(self._print_seconds)
        with self._lock:
            self.printed.append(one_bit.copy())
            self.jobs.append(job)
            del self.printed[: -self._max_kept]
            del self.jobs[: -self._max_kept]

    def __repr__(self) -> str:
        return f"SimulatedPrinter({self._width} dots, paper={self._paper}, printed={len(self.printed)})"
