"""The 咨询·投诉·举报 desk of one terminal: takes an entry, seals it, keeps it until the platform has
it, prints the slip, and asks the platform for the state of a ticket.

The screen (screens/complaint.py) calls :class:`ComplaintDesk` through ``controller.complaints`` and
shows what it holds (``handed``, ``printing``, ``status``); the desk calls ``notify`` after every
change. What the citizen wrote exists in memory only until it is sealed (a worker thread), and on
disk only sealed (kiosk.complaints.outbox). Logs and the audit name the kind and the ticket, never
the text, the phone number or the person.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.backend.errors import BackendError, BackendErrorKind
from kiosk.complaints.model import CODE, TICKET, Entry, Kind, new_code, new_ticket
from kiosk.complaints.outbox import ComplaintOutbox, SealedEntry
from kiosk.complaints.port import ComplaintChannel
from kiosk.complaints.sealing import seal
from kiosk.complaints.slip import parse_slip_qr, slip_receipt
from kiosk.settings.complaints import ComplaintsConfig

log = logging.getLogger(__name__)
PRINT_TIMEOUT = 30.0
STATE_TEXT = {"received": "已受理", "in_progress": "办理中", "answered": "已答复"}


@dataclass(frozen=True)
class Handed:
    """What the citizen got for their entry: shown on screen and printed."""

    kind: Kind
    ticket: str
    code: str
    at: datetime


@dataclass(frozen=True)
class Printing:
    phase: str = "idle"  # idle | printing | done | failed
    message: str = ""
    fallback_qr: str | None = None


@dataclass(frozen=True)
class Status:
    phase: str = "idle"  # idle | asking | shown | failed
    ticket: str = ""
    state: str = ""  # received | in_progress | answered | waiting (still in this terminal's outbox)
    answer: str | None = None
    message: str = ""
    scanned: bool = False  # asked by showing the slip's QR to the camera

    @property
    def state_text(self) -> str:
        return STATE_TEXT.get(self.state, "")


class ComplaintDesk:
    def __init__(
        self,
        config: ComplaintsConfig,
        terminal_id: str,
        terminal_name: str,
        state_dir: Path,
        channel: ComplaintChannel | None,
        *,
        printer: Callable[[], Any] = lambda: None,
        audit: Callable[..., Any] = lambda *a, **k: None,
        notify: Callable[[], None] = lambda: None,
        centre_name: str = "柳江区政务服务中心",
        demo: bool = False,
        now: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.config = config
        self.terminal_id = terminal_id
        self.terminal_name = terminal_name
        self.channel = channel
        self.outbox = ComplaintOutbox(state_dir, self._deliver, max_pending=config.max_pending)
        self._printer = printer
        self._audit = audit
        self._notify = notify
        self._centre = centre_name
        self._demo = demo
        self._now = now
        self._tasks: set[asyncio.Task[Any]] = set()
        self.handed: Handed | None = None
        self.submitting = False
        self.error = ""
        self.printing = Printing()
        self.status = Status()

    @property
    def available(self) -> bool:
        """Whether entries can be taken (else the page shows only the hotline and the desk)."""
        return self.config.enabled and bool(self.config.platform_key)

    # ------------------------------------------------------------------ life
    async def run(self) -> None:
        """Background task: deliver the outbox (also what a previous run left)."""
        await self.outbox.run()

    def reset(self) -> None:
        """The page was left: forget what this citizen was shown (the outbox keeps its entries)."""
        for task in list(self._tasks):
            task.cancel()
        self.handed, self.submitting, self.error = None, False, ""
        self.printing, self.status = Printing(), Status()
        self._notify()

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ------------------------------------------------------------------ submit
    def submit(self, entry: Entry) -> None:
        """Seal and keep ``entry`` (worker thread), then show the ticket; delivery follows."""
        if self.submitting or not self.available:
            return
        self.submitting, self.error = True, ""
        self._notify()
        self._spawn(self._submit(entry))

    async def _submit(self, entry: Entry) -> None:
        ticket, code, at = new_ticket(entry.kind), new_code(), self._now()
        try:
            await asyncio.to_thread(self._keep, entry, ticket, code, at)
        except Exception as exc:  # a full disk, a bad key: the citizen is told, nothing is claimed
            log.error("complaint could not be kept: %s", type(exc).__name__)
            self.submitting = False
            self.error = "暂时无法提交，请稍后再试，或拨打{hotline}、到{desk}反映"
            self._notify()
            return
        self._audit(
            "complaint_submitted",
            kind=entry.kind.value,
            ticket=ticket,
            identified=entry.identity is not None,
            phone=entry.phone is not None,
        )
        self.handed = Handed(entry.kind, ticket, code, at)
        self.submitting = False
        self._notify()
        self.outbox.wake()

    def _keep(self, entry: Entry, ticket: str, code: str, at: datetime) -> None:
        sealed = seal(entry.payload(ticket, code, self.terminal_id, at), self.config.platform_key)
        self.outbox.add_item(SealedEntry(ticket, sealed))

    async def _deliver(self, item: SealedEntry) -> None:
        if self.channel is None:
            raise BackendError(BackendErrorKind.UNAVAILABLE, "no backend configured")
        await self.channel.submit_complaint(item.ticket, item.sealed)
        self._audit("complaint_delivered", ticket=item.ticket)

    def delivered(self, ticket: str) -> bool:
        """Whether ``ticket`` has left this terminal (reads the outbox file: call off the UI thread)."""
        return not self.outbox.waiting(ticket)

    # ------------------------------------------------------------------ slip
    def print_slip(self) -> None:
        if self.handed is None or self.printing.phase == "printing":
            return
        self.printing = Printing("printing", "正在打印回执，请稍候")
        self._notify()
        self._spawn(self._print(self.handed))

    def slip(self, handed: Handed) -> Any:
        return slip_receipt(
            handed.kind,
            handed.ticket,
            handed.code,
            handed.at,
            terminal_name=self.terminal_name,
            status_url=self.config.status_url,
            hotline=self.config.hotline,
            desk=self.config.desk,
            centre_name=self._centre,
            test_data=self._demo,
        )

    async def _print(self, handed: Handed) -> None:
        from kiosk.receipt.job import PrintJob
        from kiosk.receipt.messages import PrinterState, message_for

        printer = self._printer()
        receipt = self.slip(handed)
        if printer is None:
            state, fallback = PrinterState.OFFLINE, None
        else:
            job = await asyncio.to_thread(PrintJob.prepare, receipt, printer.paper_width_dots)
            fallback = receipt.qr_payloads()[0]
            try:
                outcome = await asyncio.wait_for(job.run_in_thread(printer), PRINT_TIMEOUT)
            except TimeoutError:
                state = PrinterState.TIMEOUT
            else:
                if outcome.ok:
                    self._audit("complaint_slip_printed", ticket=handed.ticket)
                    self.printing = Printing("done", outcome.warning or "回执已打印，请取走")
                    self._notify()
                    return
                state = outcome.state
        self._audit("complaint_slip_failed", ticket=handed.ticket, reason=state.value)
        self.printing = Printing("failed", message_for(state), fallback)
        self._notify()

    # ------------------------------------------------------------------ status
    def clear_status(self) -> None:
        self.status = Status()

    def scanned(self, text: str) -> None:
        """A QR shown to the camera while the page is open: the slip's, or told it is not one."""
        found = parse_slip_qr(text, self.config.status_url)
        shown = self.status
        if shown.scanned and shown.ticket == (found[0] if found else ""):
            return  # the camera reads a code held up many times a second: one query for it
        if found is None:
            self.status = Status("failed", message="这不是咨询投诉回执上的二维码", scanned=True)
            self._notify()
            return
        self.ask_status(*found, scanned=True)

    def ask_status(self, ticket: str, code: str, scanned: bool = False) -> None:
        ticket, code = normal_ticket(ticket), code.strip()
        if not TICKET.match(ticket) or not CODE.match(code):
            self.status = Status(
                "failed",
                ticket,
                message="请输入完整的受理编号（如 TS-7K4M-9QX2）和4位查询码",
                scanned=scanned,
            )
            self._notify()
            return
        self.status = Status("asking", ticket, message="正在查询…", scanned=scanned)
        self._notify()
        self._spawn(self._ask(ticket, code, scanned))

    async def _ask(self, ticket: str, code: str, scanned: bool = False) -> None:
        if await asyncio.to_thread(self.outbox.waiting, ticket):
            self.status = Status(
                "shown",
                ticket,
                "waiting",
                message="已在本机提交，网络恢复后将自动送达平台，请稍后再查",
                scanned=scanned,
            )
            self._notify()
            return
        if self.channel is None:
            self.status = Status("failed", ticket, message="暂时无法连接平台，请稍后再试", scanned=scanned)
            self._notify()
            return
        try:
            found = await self.channel.complaint_status(ticket, code)
        except BackendError as exc:
            self.status = Status("failed", ticket, message=_status_error(exc.kind), scanned=scanned)
            self._notify()
            return
        self.status = Status("shown", ticket, str(found["state"]), found.get("answer"), scanned=scanned)
        self._notify()


def normal_ticket(typed: str) -> str:
    """A typed ticket in its printed form: dashes and spaces optional, any case (ts7k4m9qx2)."""
    raw = "".join(ch for ch in typed.upper() if ch.isascii() and ch.isalnum())
    return f"{raw[:2]}-{raw[2:6]}-{raw[6:]}" if len(raw) == 10 else typed.strip().upper()


def _status_error(kind: BackendErrorKind) -> str:
    if kind is BackendErrorKind.NOT_FOUND:
        return "未找到该受理编号，或查询码不正确"
    if kind is BackendErrorKind.RATE_LIMITED:
        return "查询码错误次数过多，请15分钟后再试"
    return "暂时无法连接平台，请稍后再试，或拨打{hotline}热线查询"
