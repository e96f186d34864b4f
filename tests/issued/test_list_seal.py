"""The list and its receipt honour the seal check of each certificate's file as issued (issue 24's
loose end): a certificate whose record verified but whose OFD file's seal is broken is never 有效 on
the list, nor printed under the receipt's official marks; while its seal is still being checked the
badge says so (验章中) and the print step waits for it.

Real parts: the controller with its backend client over HTTP against a scripted server that answers
genuinely signed records linking sealed files, one with a broken seal (tests/issued/seal_server.py);
the receipt goes through the network printer driver to a fake ESC/POS printer on a TCP socket, and
the bytes are decoded back into the paper (tests/support/escpos_decode.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kiosk.controller import Controller
from kiosk.receipt.codes import verify_receipt_code
from kiosk.receipt.job import PrintJob
from kiosk.receipt.plain_text import receipt_text
from kiosk.session import Step
from kiosk.views import certificate_cards
from tests.core.hostile_backend import ISSUER, signed_records
from tests.issued.seal_server import DEMO_SEAL_ANCHOR, SealServer, seal_server, sealed
from tests.printer.fake_printer import FakePrinter
from tests.printer.helpers import artifacts_dir, qr_texts, same_pixels
from tests.support.controllers import demo_controller, until
from tests.support.escpos_decode import decode
from tests.support.ui import make_config

TODAY = date.today()
WATERMARK = "仅供办理政务服务事项时使用"


@pytest.fixture(scope="module")
def server() -> Iterator[SealServer]:
    with seal_server() as s:
        yield s


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    p = FakePrinter()
    try:
        yield p
    finally:
        p.close()


def controller(server: SealServer, printer: FakePrinter, tmp_path: Path) -> tuple[Controller, Any]:
    config = make_config(
        {
            "terminal": {"id": "LJ-ZZ-TEST"},
            "backend": {
                "url": server.url,
                "terminal_secret": "test-terminal-secret",
                "issuer_keys": {ISSUER.key_id: ISSUER.public_hex},
                "retries": 0,
            },
            "trust": {"ofd_seal_anchors": [DEMO_SEAL_ANCHOR]},
            "devices": {"printer": {"kind": "network", "host": "127.0.0.1", "port": printer.port}},
        }
    )
    return demo_controller(config, tmp_path / "audit.jsonl")


def listed(ctl: Controller) -> bool:
    d = ctl.machine.data
    return (
        ctl.machine.step is Step.CERTIFICATES
        and not ctl.machine.busy
        and d is not None
        and bool(d.certificates)
        and all(c.identifier in d.records for c in d.certificates)
    )


def badges(ctl: Controller) -> dict[str, tuple[str, str, str | None]]:
    cards = certificate_cards(ctl.machine, TODAY, ctl.issued.seal)
    return {c.identifier: (c.badge.status, c.badge.label, c.reason) for c in cards}


async def open_list(ctl: Controller, devices: Any) -> None:
    devices.card.insert(0)  # the elder's card: the records served are the elder's
    await until(lambda: ctl.machine.step is Step.CONSENT)
    ctl.agree()
    await until(lambda: listed(ctl))


async def printed(
    ctl: Controller, printer: FakePrinter, name: str, tap: bool = True
) -> tuple[PrintJob, str, list[str]]:
    """Tap 打印 (or not: tapped already); the job the session made, its text, and the QR codes on
    the paper the printer got."""
    if tap:
        ctl.print_receipt()
    data = ctl.machine.data
    assert data is not None
    await until(lambda: data.printing.phase in ("done", "failed"), 40)
    assert data.printing.phase == "done", data.printing.message
    job = data.printing.job
    assert isinstance(job, PrintJob)
    [raw] = printer.wait_for_jobs(1)
    [page] = decode(raw).pages
    assert page.raster is not None and same_pixels(page.raster, job.image)  # that receipt is the paper
    page.raster.save(artifacts_dir() / f"{name}.png")
    return job, receipt_text(job.receipt), qr_texts(page.raster)


async def test_a_broken_seal_is_not_valid_on_the_list_nor_printed_as_verified(
    server: SealServer, printer: FakePrinter, tmp_path: Path
) -> None:
    good, broken = signed_records("elder")[:2]
    good_s, broken_s = sealed(good), sealed(broken, broken=True)
    server.serve_sealed([good_s, broken_s])
    ctl, devices = controller(server, printer, tmp_path)
    await ctl.start()
    try:
        await open_list(ctl, devices)
        both = (good.identifier, broken.identifier)
        await until(lambda: all(ctl.issued.seal(i) != "checking" for i in both))
        shown = badges(ctl)
        # the record of the broken one verified (its signature is genuine): only its seal fails
        data = ctl.machine.data
        assert data is not None and data.records[broken.identifier].verification.ok
        assert shown[good.identifier][:2] == ("valid", "有效")
        status, label, reason = shown[broken.identifier]
        assert (status, label) == ("unverified", "验章未通过")
        assert reason is not None and "电子印章未通过核验" in reason

        _job, text, codes = await printed(ctl, printer, "receipt-list-broken-seal")
        name_of = {c.identifier: c.name for c in data.certificates}
        assert name_of[good.identifier] in text and good.identifier in text
        assert broken.identifier not in text  # not listed under the marks
        assert text.count("有效（已验证）") == 1 and WATERMARK in text
        assert "另有1个证照未能核验或已失效" in text
        assert len(codes) == 1 and verify_receipt_code(codes[0], ctl.receipt_secret())
    finally:
        await ctl.stop()


async def test_only_broken_seals_print_a_result_that_says_it_cannot_serve(
    server: SealServer, printer: FakePrinter, tmp_path: Path
) -> None:
    broken = signed_records("elder")[1]
    server.serve_sealed([sealed(broken, broken=True)])
    ctl, devices = controller(server, printer, tmp_path)
    await ctl.start()
    try:
        await open_list(ctl, devices)
        # printed at once, from the detail page, before anyone waited for the seal check
        ctl.select(broken.identifier)
        await until(lambda: ctl.machine.step is Step.DETAIL)
        job, text, codes = await printed(ctl, printer, "receipt-detail-broken-seal")
        assert job.receipt.kind == "certificate_unverified"
        assert "已验证" not in text and WATERMARK not in text and "凭条有效期至" not in text
        assert "未能核验，不能作为办事凭证" in text
        assert codes == []  # no check code a member of staff could scan as genuine
    finally:
        await ctl.stop()


async def test_while_the_seal_is_checked_the_badge_says_so_and_the_print_waits_for_it(
    server: SealServer, printer: FakePrinter, tmp_path: Path
) -> None:
    good, broken = signed_records("elder")[:2]
    server.serve_sealed([sealed(good), sealed(broken, broken=True)])
    release = server.hold(broken.identifier)
    ctl, devices = controller(server, printer, tmp_path)
    await ctl.start()
    try:
        await open_list(ctl, devices)
        await until(lambda: ctl.issued.seal(good.identifier) == "valid")
        assert badges(ctl)[broken.identifier][:2] == ("checking", "验章中")  # never 有效 meanwhile
        ctl.print_receipt()
        data = ctl.machine.data
        assert data is not None
        await until(lambda: data.printing.message == "正在核验证照的电子印章")
        assert printer.jobs == []  # nothing printed while a seal is unknown
        release.set()
        _job, text, codes = await printed(ctl, printer, "receipt-list-after-seal-check", tap=False)
        assert broken.identifier not in text and good.identifier in text
        assert "另有1个证照未能核验或已失效" in text and len(codes) == 1
        assert badges(ctl)[broken.identifier][:2] == ("unverified", "验章未通过")
    finally:
        server.held.clear()
        await ctl.stop()
