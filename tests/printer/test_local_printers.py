"""The simulated printer (demo mode) and the file printer (technicians), through the same job code."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from drivers.printer import FilePrinter, PrinterError, PrinterStatus, SimulatedPrinter
from kiosk.ports import PrinterPort
from kiosk.receipt.job import PrintJob
from kiosk.receipt.messages import PrinterState
from kiosk.receipt.samples import sample_certificate_receipt
from kiosk.settings.printer import PrinterConfig
from kiosk.wiring.printer import build_printer
from tests.printer.helpers import FIXED_TIME, same_pixels, sample_receipt
from tests.support.escpos_decode import decode


def test_simulated_printer_records_what_it_prints_and_the_bytes_decode_to_it() -> None:
    printer = SimulatedPrinter(paper_mm=58)
    assert isinstance(printer, PrinterPort) and printer.paper_width_dots == 384
    job = PrintJob.prepare(sample_receipt(), 384)
    assert job.run(printer).ok
    assert printer.last_image is not None and same_pixels(printer.last_image, job.image)
    page = decode(printer.jobs[-1]).pages[0]
    assert page.raster is not None and same_pixels(page.raster, job.image)


def test_the_terminals_simulated_printer_keeps_only_the_last_receipt() -> None:
    printer = build_printer(PrinterConfig())
    assert isinstance(printer, SimulatedPrinter)
    first, second = (
        PrintJob.prepare(
            sample_certificate_receipt(issued_at=FIXED_TIME, receipt_id=f"20261129150700-{n}"), 576
        )
        for n in ("a1b2c3", "d4e5f6")
    )
    assert not same_pixels(first.image, second.image)
    assert first.run(printer).ok and second.run(printer).ok
    assert len(printer.printed) == len(printer.jobs) == 1
    assert printer.last_image is not None and same_pixels(printer.last_image, second.image)
    page = decode(printer.jobs[0]).pages[0]
    assert page.raster is not None and same_pixels(page.raster, second.image)


@pytest.mark.parametrize(
    ("control", "state", "reason"),
    [
        (lambda p: p.set_paper("out"), PrinterState.PAPER_OUT, "paper_out"),
        (lambda p: p.set_cover_open(True), PrinterState.COVER_OPEN, "cover_open"),
        (lambda p: p.set_online(False), PrinterState.OFFLINE, "offline"),
    ],
)
def test_simulated_printer_demo_controls(control, state: PrinterState, reason: str) -> None:
    printer = SimulatedPrinter()
    control(printer)
    with pytest.raises(PrinterError) as caught:
        printer.print_image(Image.new("1", (576, 10), 1))
    assert caught.value.reason == reason
    outcome = PrintJob.prepare(sample_receipt(), 576).run(printer)
    assert (outcome.ok, outcome.state) == (False, state)
    assert printer.printed == []


def test_simulated_near_end_and_silence() -> None:
    printer = SimulatedPrinter()
    printer.set_paper("near_end")
    assert PrintJob.prepare(sample_receipt(), 576).run(printer).warning == "打印机纸张即将用完"
    printer.set_silent(True)
    assert printer.status().paper == "unknown" and printer.status().online is None
    with pytest.raises(ValueError):
        printer.set_paper("empty")  # type: ignore[arg-type]


def test_file_printer_writes_decodable_bytes_and_a_preview(tmp_path: Path) -> None:
    printer = build_printer(PrinterConfig(kind="file", file_dir=str(tmp_path / "jobs"), paper_mm=80))
    assert isinstance(printer, FilePrinter)
    job = PrintJob.prepare(sample_receipt(), 576)
    assert job.run(printer).ok
    assert printer.last_paths is not None
    bin_path, png_path = printer.last_paths
    page = decode(bin_path.read_bytes()).pages[0]
    assert page.raster is not None and same_pixels(page.raster, job.image)
    assert same_pixels(Image.open(png_path), job.image)
    assert (tmp_path / "jobs").stat().st_mode & 0o077 == 0


def test_file_printer_on_an_unwritable_place_is_offline_then_io(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    printer = FilePrinter(blocker, paper_mm=58)
    assert printer.status().online is False
    with pytest.raises(PrinterError) as caught:
        printer.print_image(Image.new("1", (384, 8), 1))
    assert caught.value.reason == "io"


def test_usb_printer_that_is_not_plugged_in_is_offline() -> None:
    """Real pyusb/libusb lookup (or a clear "needs pyusb" error where it is missing): never a crash."""
    printer = build_printer(PrinterConfig(kind="usb", usb_vendor=0xDEAD, usb_product=0xBEEF))
    assert printer.status() == PrinterStatus(online=False, cover_open=None, paper="unknown")
    with pytest.raises(PrinterError) as caught:
        printer.print_image(Image.new("1", (576, 8), 255))
    assert caught.value.reason == "offline"


@pytest.mark.parametrize(
    ("settings", "kind", "width"),
    [
        ({}, "SimulatedPrinter", 576),
        ({"kind": "network", "host": "127.0.0.1", "port": 9100, "paper_mm": 58}, "NetworkPrinter", 384),
        ({"kind": "serial", "serial_port": "/dev/ttyS9"}, "SerialPrinter", 576),
        ({"kind": "usb"}, "UsbPrinter", 576),
        ({"kind": "cups", "cups_queue": "receipt"}, "CupsPrinter", 576),
    ],
)
def test_build_printer_makes_each_kind_lazily(settings: dict, kind: str, width: int) -> None:
    printer = build_printer(PrinterConfig(**settings))
    assert type(printer).__name__ == kind
    assert isinstance(printer, PrinterPort) and printer.paper_width_dots == width
