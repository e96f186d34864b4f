"""Print through the real Network adapter to a TCP listener, decode the bytes back into paper."""

from __future__ import annotations

import pytest

from drivers.printer import NetworkPrinter, paper_width_dots
from kiosk.ports import PrinterPort
from kiosk.receipt.codes import verify_receipt_code
from kiosk.receipt.render import render
from kiosk.receipt.samples import DEMO_SECRET
from tests.printer.fake_printer import FakePrinter
from tests.printer.helpers import artifacts_dir, qr_texts, same_pixels, sample_receipt
from tests.support.escpos_decode import decode


@pytest.mark.parametrize("paper_mm", [58, 80])
def test_receipt_printed_over_tcp_decodes_to_the_rendered_image(
    fake_printer: FakePrinter, paper_mm: int
) -> None:
    printer = NetworkPrinter("127.0.0.1", fake_printer.port, paper_mm=paper_mm, timeout_seconds=2)
    assert isinstance(printer, PrinterPort)
    assert printer.paper_width_dots == paper_width_dots(paper_mm)
    image = render(sample_receipt(), printer.paper_width_dots)

    printer.print_image(image)

    [job] = fake_printer.wait_for_jobs(1)
    stream = decode(job)
    assert stream.status_queries == [1, 2, 4]  # asked before sending
    assert stream.resets == 1
    [page] = stream.pages
    assert page.cut == "full"
    assert page.raster is not None
    assert same_pixels(page.raster, image)
    page.image(printer.paper_width_dots).save(artifacts_dir() / f"receipt-decoded-{paper_mm}mm.png")
    [text] = qr_texts(page.raster)
    assert verify_receipt_code(text, DEMO_SECRET)


def test_tall_receipts_are_sent_in_bands_that_stack_back_exactly(fake_printer: FakePrinter) -> None:
    printer = NetworkPrinter("127.0.0.1", fake_printer.port, paper_mm=80)
    image = render(sample_receipt(), 576)
    assert image.height > 480 * 2  # several GS v 0 bands
    printer.print_image(image)
    page = decode(fake_printer.wait_for_jobs(1)[0]).pages[0]
    assert len(page.rasters) == -(-image.height // 480)
    assert page.raster is not None and same_pixels(page.raster, image)


def test_an_image_wider_than_the_paper_is_refused_before_connecting(fake_printer: FakePrinter) -> None:
    printer = NetworkPrinter("127.0.0.1", fake_printer.port, paper_mm=58)
    with pytest.raises(ValueError, match="384"):
        printer.print_image(render(sample_receipt(), 576))
    fake_printer.wait_for_connections(0)
    assert fake_printer.jobs == []


def test_bytes_the_printer_sends_unasked_do_not_cut_the_job_short() -> None:
    """Unread bytes at close() make the kernel reset the connection and drop queued job bytes."""
    fake = FakePrinter(receive_buffer=4096)  # a small window: the job tail waits on our side
    try:
        fake.state.unsolicited = b"\x14\x00\x00\x0f"  # an automatic status back (ASB) block
        fake.state.slow_reader = True
        printer = NetworkPrinter("127.0.0.1", fake.port, paper_mm=80, check_status=False)
        image = render(sample_receipt(), 576)
        printer.print_image(image)
        page = decode(fake.wait_for_jobs(1)[0]).pages[0]
        assert page.cut == "full"
        assert page.raster is not None and same_pixels(page.raster, image)
    finally:
        fake.close()
