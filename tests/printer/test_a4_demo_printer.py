"""The simulated A4 printer of demo mode (drivers.printer.simulated_a4) and its wiring: it takes the
real 加注件 PDF only once its first page was drawn (poppler's pdftoppm, on pipes), keeps it for the
demo controls, refuses what a printer could not print, and is used only beside a simulated receipt
printer with the demo's queue name (a real terminal's ``a4_queue`` is always a CUPS queue)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from drivers.printer import CupsQueue, PrinterError, SimulatedA4Printer
from kiosk.demo import demo_config
from kiosk.receipt.a4 import annotated_pdf, print_copy
from kiosk.receipt.messages import DONE_A4, PrinterState
from kiosk.settings.printer import PrinterConfig
from kiosk.wiring.printer import SIMULATED_A4_QUEUE, build_a4_queue, simulated_a4_printer
from tests.printer.helpers import qr_texts
from tests.printer.test_a4_annotated import NOTE, _page_png
from tests.support.ui import make_config


@pytest.fixture(scope="module")
def a4_copy() -> bytes:
    return annotated_pdf(_page_png(), (210.0, 148.0), "居民身份证", NOTE, verified=True)


def _text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return "".join(out.decode("utf-8").split())


def test_the_printer_takes_the_annotated_copy_and_keeps_its_first_page(
    a4_copy: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # pdftoppm must write nothing to disk (the copy is personal)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    printer = SimulatedA4Printer()
    outcome = print_copy(printer, a4_copy, "copy")
    assert outcome.ok and outcome.message == DONE_A4
    assert outcome.job_id == "simulated-a4-1" and printer.job_done(outcome.job_id)
    assert printer.last_pdf == a4_copy
    assert "仅供办理户籍业务使用" in _text(printer.last_pdf) and "LJ-ZZ-0007" in _text(printer.last_pdf)
    page = printer.last_preview
    assert page is not None and page.width < page.height  # A4 portrait, page one drawn
    assert abs(page.width / page.height - 210 / 297) < 0.01
    assert qr_texts(page) == [NOTE.qr_payload]  # drawn well enough to scan the verification QR
    assert list(tmp_path.iterdir()) == []


def test_what_no_printer_could_print_is_refused_and_not_kept(a4_copy: bytes) -> None:
    printer = SimulatedA4Printer()
    for bad in (b"", b"hello", b"%PDF-1.4\n" + b"\x00" * 200):  # not a PDF; a PDF poppler cannot draw
        outcome = print_copy(printer, bad, "copy")
        assert not outcome.ok and outcome.state is PrinterState.IO
    with pytest.raises(PrinterError) as raw:
        printer.submit(a4_copy, "copy", raw=True)
    assert raw.value.reason == "io"
    assert printer.last_job is None and not printer.job_done("simulated-a4-1")


def test_offline_and_paper_out_are_told_plainly_and_print_nothing(a4_copy: bytes) -> None:
    printer = SimulatedA4Printer()
    printer.set_paper_out(True)
    assert printer.state() == "disabled"
    out = print_copy(printer, a4_copy)
    assert not out.ok and out.state is PrinterState.PAPER_OUT and "缺纸" in out.message
    printer.set_paper_out(False)
    printer.set_online(False)
    assert printer.state() == "missing"
    out = print_copy(printer, a4_copy)
    assert not out.ok and out.state is PrinterState.OFFLINE
    assert printer.last_job is None
    printer.set_online(True)
    assert print_copy(printer, a4_copy).ok and printer.last_pdf == a4_copy


def test_only_a_simulated_receipt_printer_with_the_demo_queue_gets_the_simulated_a4() -> None:
    demo = build_a4_queue(PrinterConfig(kind="simulated", a4_queue=SIMULATED_A4_QUEUE))
    assert demo is simulated_a4_printer()  # one per process: the demo controls read what it took
    # a real receipt printer: the same name is a CUPS queue; a named queue beside a simulated one too
    real = PrinterConfig(kind="network", a4_queue=SIMULATED_A4_QUEUE)
    assert isinstance(build_a4_queue(real), CupsQueue)
    assert isinstance(build_a4_queue(PrinterConfig(kind="simulated", a4_queue="A4")), CupsQueue)
    assert build_a4_queue(PrinterConfig(kind="simulated")) is None


def test_demo_configuration_offers_a4_on_the_simulated_printer_and_keeps_a_configured_queue() -> None:
    server = SimpleNamespace(
        url="http://127.0.0.1:1", secret="s" * 32, issuer_keys={}, terminal_id="LJ-ZZ-DEMO", ofd_anchors=[]
    )
    assert make_config().devices.printer.a4_queue == ""  # the shipped configuration has no A4 queue
    assert demo_config(make_config(), server).devices.printer.a4_queue == SIMULATED_A4_QUEUE
    named = make_config({"devices": {"printer": {"a4_queue": "A4"}}})
    assert demo_config(named, server).devices.printer.a4_queue == "A4"
    network = make_config({"devices": {"printer": {"kind": "network"}}})
    assert demo_config(network, server).devices.printer.a4_queue == ""
