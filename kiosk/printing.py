"""The print step of a session: check the printer, render the receipt once, print it, check again.

Blocking printer calls run in a worker thread. A job that fails is not lost: the print state carries
the printer's plain-Chinese message, the citizen can retry, and the same content is offered as a QR
code for their phone; the failure goes into the audit log.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from kiosk.i18n import _
from kiosk.receipt import certificate_list_receipt, make_receipt_code, new_receipt_id, render
from kiosk.receipt.messages import BLOCKING, PrinterState
from kiosk.receipt.messages import message_for as printer_message
from kiosk.session import PrintState

if TYPE_CHECKING:
    from kiosk.controller import Controller

log = logging.getLogger(__name__)
STATUS_TIMEOUT = 5.0
PRINT_TIMEOUT = 30.0


def printer_state(status: Any) -> PrinterState:
    """Fold a PrinterStatusLike into the one state the citizen is told about."""
    if status.online is False:
        return PrinterState.OFFLINE
    if status.cover_open:
        return PrinterState.COVER_OPEN
    if status.paper == "out":
        return PrinterState.PAPER_OUT
    if status.paper == "near_end":
        return PrinterState.NEAR_END
    if status.online is None or status.paper == "unknown":
        return PrinterState.UNKNOWN
    return PrinterState.READY


def phone_summary(receipt_code: str, names: list[str], valid_until: date) -> str:
    """What the fallback QR carries: no personal data, just what was found and the receipt code."""
    lines = [
        _("电子证照查询凭条"),
        *[f"- {n}" for n in names],
        _("有效期至") + valid_until.isoformat(),
        receipt_code,
    ]
    return "\n".join(lines)


async def print_session_receipt(controller: Controller, session_id: str) -> None:
    machine = controller.machine
    data = machine.data
    printer = controller.devices.printer
    if data is None or data.id != session_id or data.holder is None:
        return
    cfg = controller.config
    attempts = data.printing.attempts + 1
    now = datetime.now()
    valid_until = now.date() + timedelta(days=cfg.backend.copy_valid_days)
    receipt_id = new_receipt_id(now)
    code = make_receipt_code(cfg.terminal.id, receipt_id, controller.receipt_secret())
    certificates = [data.records.get(c.identifier, c) for c in data.certificates]
    if data.selected:
        certificates = [
            c for c, s in zip(certificates, data.certificates, strict=True) if s.identifier == data.selected
        ]
    fallback = phone_summary(
        code,
        [s.name for s in data.certificates if not data.selected or s.identifier == data.selected],
        valid_until,
    )

    def fail(state: PrinterState) -> None:
        controller.audit.record("print_failed", session=session_id, reason=state.value, attempts=attempts)
        machine.print_progress(
            session_id, PrintState("failed", _(printer_message(state)), fallback, attempts)
        )

    if printer is None:
        fail(PrinterState.OFFLINE)
        return
    machine.print_progress(session_id, PrintState("checking", _("正在检查打印机"), None, attempts))
    try:
        status = await asyncio.wait_for(asyncio.to_thread(printer.status), STATUS_TIMEOUT)
    except Exception:
        log.warning("printer status query failed", exc_info=True)
        fail(PrinterState.TIMEOUT)
        return
    state = printer_state(status)
    if state in BLOCKING:
        fail(state)
        return
    receipt = certificate_list_receipt(
        cfg.terminal.name,
        data.holder.name,
        data.holder.id_number,
        certificates,
        now,
        valid_until,
        code,
        centre_name=cfg.terminal.centre_name,
        test_data=controller.demo,
    )
    machine.print_progress(session_id, PrintState("printing", _("正在打印，请稍候"), None, attempts))
    try:
        image = await asyncio.to_thread(render, receipt, printer.paper_width_dots)
        await asyncio.wait_for(asyncio.to_thread(printer.print_image, image), PRINT_TIMEOUT)
    except OSError as exc:
        reason = getattr(exc, "reason", "io")
        fail(PrinterState(reason) if reason in PrinterState.__members__.values() else PrinterState.IO)
        return
    except TimeoutError:
        fail(PrinterState.TIMEOUT)
        return
    note = _(printer_message(PrinterState.NEAR_END)) if state is PrinterState.NEAR_END else ""
    controller.audit.record("printed", session=session_id, receipt=receipt_id, certificates=len(certificates))
    machine.print_progress(session_id, PrintState("done", note, None, attempts))
