"""Printing a matter's checklist from the guide, the way :mod:`kiosk.printing` prints a session
receipt: render and print in worker threads with a time limit, progress in a PrintState the screen
shows (``controller.guide_printing``), and a phone-QR fallback with the same text when it fails.

Called through ``Controller.print_guide_checklist(matter_id)``; the screen never touches the printer.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import TYPE_CHECKING

from kiosk.bundles.content import catalogue_for
from kiosk.guide.catalogue import Catalogue
from kiosk.guide.matching import session_readiness
from kiosk.guide.receipt import checklist_receipt
from kiosk.i18n import _
from kiosk.receipt.job import PrintJob
from kiosk.receipt.layout import Receipt
from kiosk.receipt.messages import PrinterState, message_for
from kiosk.session import PrintState

if TYPE_CHECKING:
    from kiosk.controller import Controller

log = logging.getLogger(__name__)
PRINT_TIMEOUT = 30.0


def build_checklist(
    controller: Controller, matter_id: str, catalogue: Catalogue | None = None
) -> Receipt | None:
    """The checklist for the current session (or for nobody identified)."""
    catalogue = catalogue or catalogue_for(controller)  # the applied bundle's, else the shipped file
    matter = catalogue.get(matter_id)
    if matter is None:
        return None
    ready = session_readiness(catalogue, matter, controller.machine.data, controller.today())
    cfg = controller.config
    return checklist_receipt(
        ready,
        cfg.terminal.name,
        datetime.now(),
        centre_name=cfg.terminal.centre_name,
        test_data=controller.demo,
    )


async def print_checklist(controller: Controller, matter_id: str) -> None:
    printer = controller.devices.printer
    attempts = controller.guide_printing.attempts + 1
    controller.set_guide_print_state(PrintState("checking", _("正在检查打印机"), None, attempts))
    receipt = build_checklist(controller, matter_id)
    if receipt is None:
        controller.set_guide_print_state(PrintState())
        return
    if printer is None:
        state, phone = PrinterState.OFFLINE, None
    else:
        job = await asyncio.to_thread(PrintJob.prepare, receipt, printer.paper_width_dots)
        controller.set_guide_print_state(PrintState("printing", _("正在打印，请稍候"), None, attempts, job))
        try:
            outcome = await asyncio.wait_for(job.run_in_thread(printer), PRINT_TIMEOUT)
        except TimeoutError:
            state, phone = PrinterState.TIMEOUT, job.phone_text
        else:
            if outcome.ok:
                controller.audit.record("guide_checklist_printed", matter=matter_id, attempts=attempts)
                note = _(outcome.warning) if outcome.warning else ""
                controller.set_guide_print_state(PrintState("done", note, None, attempts, job))
                return
            state, phone = outcome.state, outcome.phone_text
    controller.audit.record("guide_checklist_failed", matter=matter_id, reason=state.value)
    controller.set_guide_print_state(PrintState("failed", _(message_for(state)), phone, attempts))
