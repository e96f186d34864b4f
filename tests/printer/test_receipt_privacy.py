"""Personal data lives for one session only: the receipt renderer's caches keep nothing of it.

The renderer remembers drawn lines and text widths between receipts (kiosk.receipt.render), keyed
by the printed text. During and after a session that printed, no cache may hold the holder's
(masked) name, ID number, certificate identifiers or the receipt's check code; only fixed wording
is kept (titles, labels, notices, a certificate type's catalogue name), for the session.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from kiosk.audit import AuditLog
from kiosk.controller import Controller, Devices
from kiosk.domain.holder import Holder
from kiosk.printing import _prepare
from kiosk.privacy import mask_id, mask_name
from kiosk.receipt.samples import demo_certificates, sample_certificate_receipt
from kiosk.session import EndReason
from kiosk.wiring import printer as printer_wiring
from kiosk.wiring.devices import build_devices
from tests.printer.helpers import FIXED_TIME
from tests.support.ui import FakeClock, make_config

render_module = importlib.import_module("kiosk.receipt.render")  # the package exports render()

NAME, ID_NUMBER = "韦桂兰", "450206195803120088"  # fictitious


class PaperOnly:
    """Just what the print preparation reads of a printer."""

    paper_width_dots = 576


def _fragments(*values: str) -> list[str]:
    """What of a value may not be kept: the value, and each piece of it 4 characters long (so a
    wrapped line, a prefix measured while wrapping or the masked ID's last digits are caught)."""
    out = []
    for value in values:
        out.append(value)
        out += [value[i : i + 4] for i in range(len(value) - 3)]
    return [f for f in out if f.strip("*")]


def _code_pieces(code: str) -> list[str]:
    """The check code whole, its receipt id's random part and its HMAC (not its date: the
    watermark's date may share digits with it)."""
    *_, receipt_id, check = code.split(":")
    return [code, receipt_id.rsplit("-", 1)[-1], check]


def _kept_with(fragments: list[str]) -> list[str]:
    return [text for text in render_module.kept_texts() if any(f in text for f in fragments)]


def test_after_a_session_that_printed_no_cache_holds_the_holder(tmp_path: Path) -> None:
    render_module.forget_all()
    printer: Any = PaperOnly()
    audit = AuditLog(tmp_path / "audit.jsonl")
    ctl = Controller(make_config(), Devices(printer=printer), None, audit, FakeClock())
    m = ctl.machine
    m.begin(0)
    m.identified(Holder(NAME, ID_NUMBER, evidence={"kind": "id_card"}), "card", 0)
    m.agree(0)
    job = _prepare(ctl, m.session_id or "")  # the print step's rendering of this citizen's receipt
    assert job is not None
    (code,) = job.receipt.qr_payloads()
    assert render_module.kept_texts()  # the fixed wording is remembered: the test looks at something
    assert _kept_with(_fragments(mask_name(NAME), mask_id(ID_NUMBER)) + _code_pieces(code)) == []
    assert any("凭条" in text for text in render_module.kept_texts())  # the title, for the session
    m.end(EndReason.COMPLETED, 1)  # its end drops the rest (tests/app/test_start_memory.py)
    assert _kept_with(_fragments(mask_name(NAME), mask_id(ID_NUMBER)) + _code_pieces(code)) == []


def test_certificates_and_check_codes_are_not_kept_between_receipts() -> None:
    render_module.forget_all()
    receipt = sample_certificate_receipt(issued_at=FIXED_TIME, receipt_id="20261129150700-a1b2c3")
    for width in render_module.SUPPORTED_WIDTHS:
        render_module.render(receipt, width)
    (code,) = receipt.qr_payloads()
    personal = [mask_name("覃䶮"), mask_id("450206199005170038")]
    personal += [c.identifier for c in demo_certificates()]
    assert _kept_with(_fragments(*personal) + _code_pieces(code)) == []
    assert not hasattr(render_module.qr_image, "cache_info")  # a symbol carries the check code


def test_a_session_start_warms_the_renderer_with_fixed_wording_only() -> None:
    """kiosk.wiring.printer.warm_up (run as a session starts, tests/app/test_start_memory.py)
    draws the demo receipt for the printer's paper: the shared lines, nothing of the demo person."""
    render_module.release_fonts()
    build_devices(make_config({"devices": {"printer": {"kind": "simulated", "paper_mm": 58}}}))
    assert render_module.kept_texts() == []  # nothing drawn at start
    printer_wiring.warm_up()
    kept = render_module.kept_texts()
    assert {"电子证照查询凭条", "证件号码："} <= set(kept)  # the shared lines, for the session's receipt
    assert _kept_with(_fragments(mask_name("覃䶮"), mask_id("450206199005170038"))) == []  # the demo person's
    render_module.release_fonts()
