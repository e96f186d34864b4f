"""A print job the session can show: check the printer, print, check again, and say what happened.

The job renders once and keeps its image, so a retry prints exactly the same paper. A failure never
loses the receipt: the outcome carries the same content as text for a QR the citizen can scan with
a phone. :meth:`PrintJob.run` blocks (printer I/O); the session calls it in a worker thread::

    job = PrintJob.prepare(receipt, printer.paper_width_dots)
    outcome = await asyncio.to_thread(job.run, printer)      # or: await job.run_in_thread(printer)
    if not outcome.ok and outcome.can_retry: ... show outcome.message, offer 重新打印 / the phone QR
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from PIL import Image

from kiosk.ports import PrinterPort, PrinterStatusLike
from kiosk.receipt.layout import Receipt
from kiosk.receipt.messages import BLOCKING, DONE, PrinterState, message_for
from kiosk.receipt.plain_text import phone_text
from kiosk.receipt.render import render

log = logging.getLogger(__name__)

_REASON_STATE = {
    "offline": PrinterState.OFFLINE,
    "paper_out": PrinterState.PAPER_OUT,
    "cover_open": PrinterState.COVER_OPEN,
    "timeout": PrinterState.TIMEOUT,
    "io": PrinterState.IO,
}


def state_from_status(status: PrinterStatusLike) -> PrinterState:
    """The most serious condition the printer reported; silence is UNKNOWN, never READY."""
    if status.online is False:
        return PrinterState.OFFLINE
    if status.cover_open is True:
        return PrinterState.COVER_OPEN
    if status.paper == "out":
        return PrinterState.PAPER_OUT
    if status.online is None and status.cover_open is None and status.paper == "unknown":
        return PrinterState.UNKNOWN
    if status.paper == "near_end":
        return PrinterState.NEAR_END
    return PrinterState.READY


def state_from_error(exc: BaseException) -> PrinterState:
    return _REASON_STATE.get(str(getattr(exc, "reason", "io")), PrinterState.IO)


@dataclass(frozen=True, slots=True)
class PrintOutcome:
    """What the session shows. ``message`` is plain Chinese; ``warning`` is set for near-end paper."""

    ok: bool
    state: PrinterState
    message: str
    phone_text: str
    attempt: int
    warning: str | None = None
    sent: bool = False  # bytes went to the printer (a failure after sending may have printed part)

    @property
    def can_retry(self) -> bool:
        return not self.ok


@dataclass
class PrintJob:
    receipt: Receipt
    image: Image.Image
    phone_text: str
    attempts: int = 0
    history: list[PrintOutcome] = field(default_factory=list)

    @classmethod
    def prepare(cls, receipt: Receipt, width_dots: int) -> PrintJob:
        """Render once (about 50 ms: call it off the UI thread too)."""
        return cls(receipt=receipt, image=render(receipt, width_dots), phone_text=phone_text(receipt))

    def _outcome(self, ok: bool, state: PrinterState, sent: bool, warning: str | None = None) -> PrintOutcome:
        outcome = PrintOutcome(
            ok=ok,
            state=state,
            message=DONE if ok else message_for(state),
            phone_text=self.phone_text,
            attempt=self.attempts,
            warning=warning,
            sent=sent,
        )
        self.history.append(outcome)
        log.info("print %s attempt %d: %s", self.receipt.kind, self.attempts, state.value)
        return outcome

    def run(self, printer: PrinterPort) -> PrintOutcome:
        """Blocking: status before, print, status after. Never raises for printer problems."""
        self.attempts += 1
        before = state_from_status(printer.status())
        if before in BLOCKING:
            return self._outcome(False, before, sent=False)
        try:
            printer.print_image(self.image)
        except OSError as exc:
            log.warning("print %s failed: %s", self.receipt.kind, getattr(exc, "reason", type(exc).__name__))
            return self._outcome(False, state_from_error(exc), sent=False)
        after = state_from_status(printer.status())
        if after in (PrinterState.PAPER_OUT, PrinterState.COVER_OPEN):
            # the paper ran out (or the cover opened) while printing: the receipt may be partial
            return self._outcome(False, after, sent=True)
        warning = message_for(PrinterState.NEAR_END) if PrinterState.NEAR_END in (before, after) else None
        state = PrinterState.NEAR_END if warning else PrinterState.READY
        return self._outcome(True, state, sent=True, warning=warning)

    retry = run  # a retry is the same job again: the same image, the attempt counter goes up

    async def run_in_thread(self, printer: PrinterPort) -> PrintOutcome:
        return await asyncio.to_thread(self.run, printer)


def printer_state(printer: PrinterPort) -> tuple[PrinterState, str]:
    """For the status bar and diagnostics: the state and its message (blocking)."""
    state = state_from_status(printer.status())
    return state, message_for(state)
