"""The serial adapter on a pseudo-terminal: the test holds the "printer" end of the line."""

from __future__ import annotations

import os
import select
import threading
from collections.abc import Iterator

import pytest

from drivers.printer import PrinterStatus, SerialPrinter
from kiosk.receipt.job import PrintJob
from kiosk.receipt.messages import PrinterState
from tests.printer.helpers import same_pixels, sample_receipt
from tests.support.escpos_decode import decode


class PtyPrinter:
    """Reads what the adapter writes to the pty and answers DLE EOT like the TCP fake does."""

    def __init__(self) -> None:
        self.master, slave = os.openpty()
        self.path = os.ttyname(slave)
        os.close(slave)  # pyserial opens it by name; the master stays with us
        self.received = bytearray()
        self.paper = 0x12
        self.silent = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        pending = bytearray()
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # the slave side is closed between sessions (EIO): keep waiting
                self._stop.wait(0.01)
                continue
            self.received += chunk
            pending += chunk
            while len(pending) >= 3 and pending[:2] == b"\x10\x04":
                n = pending[2]
                del pending[:3]
                if not self.silent:
                    os.write(self.master, bytes([{1: 0x12, 2: 0x12, 4: self.paper}.get(n, 0x12)]))
            if pending[:2] != b"\x10\x04":
                pending.clear()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        os.close(self.master)


@pytest.fixture
def pty_printer() -> Iterator[PtyPrinter]:
    printer = PtyPrinter()
    try:
        yield printer
    finally:
        printer.close()


def test_serial_status_and_job_over_a_pty(pty_printer: PtyPrinter) -> None:
    printer = SerialPrinter(pty_printer.path, 115200, paper_mm=58, status_timeout_seconds=0.3)
    pty_printer.paper = 0x1E  # near end
    assert printer.status() == PrinterStatus(online=True, cover_open=False, paper="near_end")

    job = PrintJob.prepare(sample_receipt(), 384)
    outcome = job.run(printer)
    assert (outcome.ok, outcome.state) == (True, PrinterState.NEAR_END)

    stream = decode(bytes(pty_printer.received))
    job_pages = [p for p in stream.pages if p.rasters]
    assert len(job_pages) == 1 and job_pages[0].cut == "full"
    assert job_pages[0].raster is not None and same_pixels(job_pages[0].raster, job.image)


def test_serial_silence_is_unknown(pty_printer: PtyPrinter) -> None:
    pty_printer.silent = True
    assert SerialPrinter(pty_printer.path, status_timeout_seconds=0.2).status() == PrinterStatus.unknown()


def test_missing_serial_port_is_offline() -> None:
    printer = SerialPrinter("/dev/does-not-exist-kiosk", status_timeout_seconds=0.2)
    assert printer.status().online is False
    outcome = PrintJob.prepare(sample_receipt(), 576).run(printer)
    assert (outcome.ok, outcome.message) == (False, "打印机未连接，请联系工作人员")
