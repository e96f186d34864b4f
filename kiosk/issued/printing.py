"""The A4 加注件 of the certificate as issued, through the CUPS A4 queue (kiosk.receipt.a4).

Offered only for a certificate whose record verified valid and whose OFD seals verified (验章通过):
the page is drawn at print resolution from the verified file (in the verifier process), stamped
with the use annotation, date and terminal and a verification QR (the receipt check code), and
queued. It runs as the session's print step (the same progress, failure and retry as a receipt);
the built PDF is kept in the print state, so a retry prints the same paper.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from kiosk.i18n import _
from kiosk.receipt.messages import PrinterState, message_for
from kiosk.session import PrintState

if TYPE_CHECKING:
    from kiosk.controller import Controller

log = logging.getLogger(__name__)
PRINT_TIMEOUT = 60.0


@dataclass(frozen=True)
class A4Job:
    identifier: str
    pdf: bytes = field(repr=False)


def a4_available(controller: Controller) -> bool:
    return bool(controller.config.devices.printer.a4_queue)


def use_of(use_cause: str) -> str:
    """The matter a copy serves, from the session's use cause (免证办：户籍业务 → 户籍业务)."""
    return use_cause.split("：", 1)[-1].strip() or use_cause


def _build(controller: Controller, session_id: str, identifier: str, page_png: bytes) -> A4Job | None:
    from kiosk.backend.client import ofd_link
    from kiosk.receipt import make_receipt_code, new_receipt_id
    from kiosk.receipt.a4 import UseAnnotation, annotated_pdf

    data = controller.machine.data
    if data is None or data.id != session_id:
        return None
    record = data.records.get(identifier)
    link = ofd_link(record) if record is not None else None
    if record is None or link is None:
        return None
    cfg = controller.config
    now = datetime.now()
    receipt_id = new_receipt_id(now)
    note = UseAnnotation(
        use=use_of(cfg.session.use_cause),
        made_on=now.date(),
        valid_until=now.date() + timedelta(days=cfg.backend.copy_valid_days),
        terminal_id=cfg.terminal.id,
        verify_code=receipt_id,
        qr_payload=make_receipt_code(cfg.terminal.id, receipt_id, controller.receipt_secret()),
        centre_name=cfg.terminal.centre_name,
    )
    page_mm = (link.page[0] / 100, link.page[1] / 100)
    verified = record.verification.ok and controller.issued.file(identifier) is not None
    return A4Job(
        identifier, annotated_pdf(page_png, page_mm, record.record.summary.name, note, verified=verified)
    )


async def print_annotated(controller: Controller, session_id: str, identifier: str) -> None:
    from kiosk.backend.verifier import run_verifier
    from kiosk.issued.service import PRINT_WIDTH_PX
    from kiosk.issued.work import draw_for_print
    from kiosk.receipt.a4 import print_copy
    from kiosk.wiring.printer import build_a4_queue

    machine = controller.machine
    data = machine.data
    if data is None or data.id != session_id:
        return
    job = data.printing.job if isinstance(data.printing.job, A4Job) else None
    attempts = data.printing.attempts + 1
    machine.print_progress(session_id, PrintState("checking", _("正在准备加注件"), None, attempts, job))
    queue = build_a4_queue(controller.config.devices.printer)
    verified_file = controller.issued.file(identifier)
    record = data.records.get(identifier)
    if queue is None or verified_file is None or record is None or not record.verification.ok:
        # never printed as a copy the terminal vouches for: the button is not offered then either
        message = _("本终端不能打印该证照的加注件，请到窗口办理")
        machine.print_progress(session_id, PrintState("failed", message, None, attempts, None))
        return
    if job is None:
        png = await run_verifier(draw_for_print, verified_file, PRINT_WIDTH_PX)
        job = await asyncio.to_thread(_build, controller, session_id, identifier, png)
        if job is None:
            return
    machine.print_progress(
        session_id, PrintState("printing", _("正在打印加注件，请稍候"), None, attempts, job)
    )
    try:
        outcome = await asyncio.wait_for(asyncio.to_thread(print_copy, queue, job.pdf, "copy"), PRINT_TIMEOUT)
    except TimeoutError:
        message = _(message_for(PrinterState.TIMEOUT, "a4"))
        machine.print_progress(session_id, PrintState("failed", message, None, attempts, job))
        controller.audit.record(
            "print_failed", session=session_id, reason="timeout", attempts=attempts, what="a4"
        )
        return
    if outcome.ok:
        controller.audit.record("printed", session=session_id, attempts=attempts, state="a4", what="a4")
        machine.print_progress(session_id, PrintState("done", _(outcome.message), None, attempts, job))
        return
    controller.audit.record("print_failed", session=session_id, reason=outcome.state.value, what="a4")
    machine.print_progress(session_id, PrintState("failed", _(outcome.message), None, attempts, job))
