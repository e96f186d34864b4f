"""The print step of a session, on top of :class:`kiosk.receipt.job.PrintJob`.

The receipt is rendered once per session step and kept in the session's print state, so a retry
prints the same paper. Blocking printer work runs in a worker thread with a time limit. A failure is
not lost: the print state carries the printer's plain-Chinese message and the same content as text
for a phone QR, and the failure goes into the audit log.

Each certificate goes on paper as the session holds it: its verified record when one arrived, else
its bare summary, which the receipt never prints under the official marks (kiosk.receipt.contents).
A record whose file as issued links seals goes under the marks only once those seals verified
(kiosk.issued): the print step waits a little for checks still running, and what is unchecked then
is printed as not verified rather than vouched for.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from kiosk.i18n import _, current_language
from kiosk.issued.service import SEAL_CHECKING, as_printed
from kiosk.receipt import certificate_list_receipt, make_receipt_code, new_receipt_id
from kiosk.receipt.contents import Listed
from kiosk.receipt.job import PrintJob, PrintOutcome, state_from_error
from kiosk.receipt.messages import PrinterState, message_for
from kiosk.session import PrintState
from kiosk.terms import term

if TYPE_CHECKING:
    from kiosk.controller import Controller

log = logging.getLogger(__name__)
PRINT_TIMEOUT = 30.0
SEAL_WAIT = 20.0  # at most this long for seal checks still running when 打印 is tapped


def _chosen(controller: Controller) -> list[str]:
    data = controller.machine.data
    if data is None:
        return []
    return [c.identifier for c in data.certificates if not data.selected or c.identifier == data.selected]


def _prepare(controller: Controller, session_id: str) -> PrintJob | None:
    data = controller.machine.data
    printer = controller.devices.printer
    if data is None or data.id != session_id or data.holder is None or printer is None:
        return None
    cfg = controller.config
    now = datetime.now()
    valid_until = now.date() + timedelta(days=cfg.backend.copy_valid_days)
    code = make_receipt_code(cfg.terminal.id, new_receipt_id(now), controller.receipt_secret())
    chosen = [c for c in data.certificates if not data.selected or c.identifier == data.selected]
    listed: list[Listed] = []
    for c in chosen:
        record = data.records.get(c.identifier)
        listed.append(c if record is None else as_printed(record, controller.issued.seal(c.identifier)))
    holder = data.holder
    # in English the name on the screen (the card's English name) and the terminal's English name
    english = current_language() == "en"
    receipt = certificate_list_receipt(
        term(cfg.terminal.name),
        holder.name_en if english and holder.name_en else holder.name,
        data.holder.id_number,
        listed,
        now,
        valid_until,
        code,
        centre_name=cfg.terminal.centre_name,
        test_data=controller.demo,
        acting_for=data.acting_for,
    )
    return PrintJob.prepare(receipt, printer.paper_width_dots)


async def _seals_settled(controller: Controller, session_id: str, attempts: int) -> None:
    """Wait (at most SEAL_WAIT) for the chosen certificates' seal checks still running, saying so."""
    chosen = _chosen(controller)
    if not any(controller.issued.seal(i) == SEAL_CHECKING for i in chosen):
        return
    controller.machine.print_progress(
        session_id, PrintState("checking", _("正在核验证照的电子印章"), None, attempts, None)
    )
    await controller.issued.settled(chosen, SEAL_WAIT)


async def print_session_receipt(controller: Controller, session_id: str) -> None:
    machine = controller.machine
    data = machine.data
    printer = controller.devices.printer
    if data is None or data.id != session_id:
        return
    job = data.printing.job if isinstance(data.printing.job, PrintJob) else None
    attempts = data.printing.attempts + 1
    machine.print_progress(session_id, PrintState("checking", _("正在检查打印机"), None, attempts, job))
    if printer is None:
        outcome_state, phone = PrinterState.OFFLINE, None
    else:
        if job is None:
            await _seals_settled(controller, session_id, attempts)
            job = await asyncio.to_thread(_prepare, controller, session_id)
        if job is None:
            return
        machine.print_progress(session_id, PrintState("printing", _("正在打印，请稍候"), None, attempts, job))
        try:
            outcome: PrintOutcome = await asyncio.wait_for(job.run_in_thread(printer), PRINT_TIMEOUT)
        except TimeoutError:
            outcome_state, phone = PrinterState.TIMEOUT, job.phone_text
        except OSError as exc:  # the link itself failed (USB gone, socket error) during a status query
            outcome_state, phone = state_from_error(exc), job.phone_text
        else:
            if outcome.ok:
                controller.audit.record(
                    "printed", session=session_id, attempts=attempts, state=outcome.state.value
                )
                note = _(outcome.warning) if outcome.warning else ""
                machine.print_progress(session_id, PrintState("done", note, None, attempts, job))
                return
            outcome_state, phone = outcome.state, outcome.phone_text
    controller.audit.record("print_failed", session=session_id, reason=outcome_state.value, attempts=attempts)
    # a terminal with an A4 printer too says which printer (kiosk.receipt.messages)
    which = "receipt" if controller.config.devices.printer.a4_queue else ""
    machine.print_progress(
        session_id, PrintState("failed", _(message_for(outcome_state, which)), phone, attempts, job)
    )
