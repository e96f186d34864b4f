"""Printer states over TCP: ok, near end, paper out, cover open, offline, silence; messages; recovery."""

from __future__ import annotations

import socket
import time

import pytest

from drivers.printer import NetworkPrinter, PrinterError, PrinterStatus
from kiosk.receipt.job import PrintJob, state_from_status
from kiosk.receipt.messages import PrinterState
from kiosk.receipt.render import render
from tests.printer.fake_printer import FakePrinter
from tests.printer.helpers import qr_texts, same_pixels, sample_receipt
from tests.support.escpos_decode import decode


def _printer(fake: FakePrinter) -> NetworkPrinter:
    return NetworkPrinter("127.0.0.1", fake.port, paper_mm=58, timeout_seconds=2, status_timeout_seconds=0.3)


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ({}, PrinterStatus(online=True, cover_open=False, paper="ok")),
        ({"paper": "near_end"}, PrinterStatus(online=True, cover_open=False, paper="near_end")),
        ({"paper": "out"}, PrinterStatus(online=True, cover_open=False, paper="out")),
        ({"cover_open": True}, PrinterStatus(online=True, cover_open=True, paper="ok")),
        ({"online": False}, PrinterStatus(online=False, cover_open=False, paper="ok")),
        ({"silent": True}, PrinterStatus(online=None, cover_open=None, paper="unknown")),
    ],
)
def test_status_is_decoded_from_dle_eot_answers(fake_printer: FakePrinter, setup: dict, expected) -> None:
    for key, value in setup.items():
        setattr(fake_printer.state, key, value)
    assert _printer(fake_printer).status() == expected


def test_nobody_listening_is_offline_not_unknown() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens here
    printer = NetworkPrinter("127.0.0.1", port, timeout_seconds=1)
    assert printer.status() == PrinterStatus(online=False, cover_open=None, paper="unknown")
    with pytest.raises(PrinterError) as caught:
        printer.print_image(render(sample_receipt(), 576))
    assert caught.value.reason == "offline"
    assert isinstance(caught.value, OSError)
    outcome = PrintJob.prepare(sample_receipt(), 576).run(printer)
    assert (outcome.ok, outcome.state, outcome.message) == (
        False,
        PrinterState.OFFLINE,
        "打印机未连接，请联系工作人员",
    )


@pytest.mark.parametrize(
    ("setup", "state", "message", "reason"),
    [
        ({"paper": "out"}, PrinterState.PAPER_OUT, "打印机缺纸，请联系工作人员", "paper_out"),
        ({"cover_open": True}, PrinterState.COVER_OPEN, "打印机盖未关好，请联系工作人员", "cover_open"),
        ({"online": False}, PrinterState.OFFLINE, "打印机未连接，请联系工作人员", "offline"),
    ],
)
def test_blocking_states_refuse_the_job_then_a_retry_prints_the_same_paper(
    fake_printer: FakePrinter, setup: dict, state: PrinterState, message: str, reason: str
) -> None:
    for key, value in setup.items():
        setattr(fake_printer.state, key, value)
    printer = _printer(fake_printer)
    job = PrintJob.prepare(sample_receipt(), printer.paper_width_dots)

    with pytest.raises(PrinterError) as caught:  # the driver itself refuses, with a stable reason
        printer.print_image(job.image)
    assert caught.value.reason == reason

    outcome = job.run(printer)
    assert (outcome.ok, outcome.state, outcome.message, outcome.can_retry) == (False, state, message, True)
    assert not outcome.sent
    assert fake_printer.jobs == []  # nothing was sent to a printer that said it cannot print
    # the alternative: the same content as text for a phone QR, verification code included
    assert "4502**********0038" in outcome.phone_text
    assert qr_texts(job.image)[0] in outcome.phone_text

    fake_printer.state.paper, fake_printer.state.cover_open, fake_printer.state.online = "ok", False, True
    retry = job.retry(printer)
    assert (retry.ok, retry.state, retry.attempt) == (True, PrinterState.READY, 2)
    page = decode(fake_printer.wait_for_jobs(1)[0]).pages[0]
    assert page.raster is not None and same_pixels(page.raster, job.image)


def test_near_end_prints_with_a_warning(fake_printer: FakePrinter) -> None:
    fake_printer.state.paper = "near_end"
    outcome = PrintJob.prepare(sample_receipt(), 384).run(_printer(fake_printer))
    assert (outcome.ok, outcome.state, outcome.warning) == (True, PrinterState.NEAR_END, "打印机纸张即将用完")
    assert len(fake_printer.wait_for_jobs(1)) == 1


def test_silence_is_unknown_and_the_job_is_still_sent(fake_printer: FakePrinter) -> None:
    """python-escpos would call a silent printer "paper adequate"; we say unknown, and try."""
    fake_printer.state.silent = True
    printer = _printer(fake_printer)
    assert state_from_status(printer.status()) is PrinterState.UNKNOWN
    outcome = PrintJob.prepare(sample_receipt(), 384).run(printer)
    assert outcome.ok and outcome.sent
    stream = decode(fake_printer.wait_for_jobs(1)[0])
    assert stream.status_queries == [1]  # no answer to the first query: no further waiting
    assert stream.pages[0].cut == "full"


def test_paper_running_out_during_the_job_is_reported_with_retry(fake_printer: FakePrinter) -> None:
    fake_printer.state.paper_after_job = "out"
    printer = _printer(fake_printer)
    job = PrintJob.prepare(sample_receipt(), 384)
    outcome = job.run(printer)
    assert (outcome.ok, outcome.sent, outcome.state) == (False, True, PrinterState.PAPER_OUT)
    assert outcome.message == "打印机缺纸，请联系工作人员"
    fake_printer.state.paper_after_job = None
    fake_printer.state.paper = "ok"  # staff put in a new roll
    assert job.retry(printer).ok
    assert len(fake_printer.wait_for_jobs(2)) == 2


def test_stale_answer_bytes_are_drained_before_asking(fake_printer: FakePrinter) -> None:
    """A late answer from an earlier query must not be taken as the answer to the next one."""
    printer = _printer(fake_printer)
    with printer._session() as link:
        link._raw(b"\x10\x04\x04")  # ask, but do not read: the answer waits in the socket
        fake_printer.state.cover_open = True
        time.sleep(0.2)
        status = printer._read_status(link)
    assert status.cover_open is True and status.paper == "ok"
