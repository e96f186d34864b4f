"""The citizen session as an explicit state machine (no Kivy, no I/O, no clock of its own).

attract → identify → consent → certificates → detail → print → rate → goodbye → attract, with back
and cancel everywhere, an error state with a way out, and an idle timeout that warns with a
countdown and then wipes the session. Personal data lives only in :class:`SessionData`, which
:meth:`SessionMachine.end` wipes; everything outside it (view models, logs, audit) is derived and
masked.

Every certificate list and every fetched record passes holder binding
(:mod:`kiosk.domain.holder_binding`) here, in one place, before it is kept: what is not the
holder's (nor configured as someone they act for) never reaches a view model or a receipt, and is
audited with masked codes only.

The machine is driven by the controller (kiosk.controller) with events; an event that does not make
sense in the current step (a late touch during a transition, a device event from a finished
session) is ignored and reported as ``False``, never raised: a citizen's double tap must not crash
the terminal. Time is passed in (``now``, monotonic seconds) so tests control it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kiosk import messages
from kiosk.backend.privacy import mask_identifier
from kiosk.domain.certificate import CertificateSummary, VerifiedCertificate
from kiosk.domain.holder import Holder
from kiosk.domain.holder_binding import Binding, HolderBinding
from kiosk.privacy import mask_id


class Step(StrEnum):
    ATTRACT = "attract"
    IDENTIFY = "identify"
    FACE = "face"  # 人证核验 after an ID card (kiosk/face), when configured
    CONSENT = "consent"
    CERTIFICATES = "certificates"
    DETAIL = "detail"
    PRINT = "print"
    RATE = "rate"
    GOODBYE = "goodbye"
    ERROR = "error"


# Where "back" leads from each step (None: back ends the session).
BACK: dict[Step, Step | None] = {
    Step.IDENTIFY: None,
    Step.FACE: Step.IDENTIFY,
    Step.CONSENT: Step.IDENTIFY,
    Step.CERTIFICATES: Step.CONSENT,
    Step.DETAIL: Step.CERTIFICATES,
    Step.PRINT: Step.CERTIFICATES,
    Step.RATE: Step.CERTIFICATES,
    Step.GOODBYE: None,
}


class EndReason(StrEnum):
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    TIMEOUT = "timeout"
    ERROR = "error"
    ADMIN = "admin"


@dataclass
class PrintState:
    """Progress of the print step, shown on the print screen."""

    phase: str = "idle"  # idle | checking | printing | done | failed
    message: str = ""
    fallback_qr: str | None = None  # same content for the citizen's phone when printing failed
    attempts: int = 0
    job: object | None = None  # the rendered job, kept so that a retry prints the same paper


@dataclass
class SessionData:
    """Everything personal about one citizen's visit. Wiped when the session ends."""

    id: str = field(default_factory=lambda: secrets.token_hex(8))
    holder: Holder | None = None
    certificates: list[CertificateSummary] = field(default_factory=list)
    records: dict[str, VerifiedCertificate] = field(default_factory=dict)
    # identifier -> relation (法定代表人 …) for certificates shown because the citizen acts for
    # their holder (kiosk.domain.holder_binding); the citizen's own certificates are not in it
    acting_for: dict[str, str] = field(default_factory=dict)
    # listed certificates whose full record could not be fetched: shown as 无法核验, not 核验中
    unfetched: set[str] = field(default_factory=set)
    selected: str | None = None
    printing: PrintState = field(default_factory=PrintState)
    rating: int | None = None
    identified_by: str | None = None  # card | qr
    face: Any = None  # kiosk.face.check.FaceCheck: its frames live only here

    def wipe(self) -> None:
        if self.holder is not None:
            self.holder.wipe()
        self.holder = None
        if self.face is not None:
            self.face.wipe()
        self.face = None
        self.certificates.clear()
        self.records.clear()
        self.acting_for.clear()
        self.unfetched.clear()
        self.selected = None
        self.printing = PrintState()
        self.rating = None


@dataclass(frozen=True)
class ErrorInfo:
    message: str  # plain Chinese, already translated by the caller
    return_to: Step | None = None  # None: the way out ends the session
    code: str = ""  # stable code for the audit log


@dataclass
class Preferences:
    """Chosen on the attract screen, kept for one session, reset when it ends."""

    elder_mode: bool = False
    language: str = "zh_CN"


Listener = Callable[["SessionMachine"], None]
EventSink = Callable[[str, dict[str, Any]], None]


class SessionMachine:
    def __init__(
        self,
        idle_seconds: float,
        warning_seconds: float,
        goodbye_seconds: float,
        elder_idle_seconds: float | None = None,
        default_prefs: Preferences | None = None,
        on_event: EventSink | None = None,
        binding: HolderBinding | None = None,
        reveal_seconds: float = 30.0,
    ) -> None:
        self.idle_seconds = idle_seconds
        self.elder_idle_seconds = elder_idle_seconds or idle_seconds * 2
        self.warning_seconds = warning_seconds
        self.goodbye_seconds = goodbye_seconds
        # every certificate and record passes it before it reaches data (and so any screen or paper)
        self.binding = binding or HolderBinding()
        self.reveal_seconds = reveal_seconds
        # the detail page shows personal fields in full until then (monotonic seconds); None: masked
        self.revealed_until: float | None = None
        self._default_prefs = default_prefs or Preferences()
        self.prefs = Preferences(**vars(self._default_prefs))
        self.step = Step.ATTRACT
        self.data: SessionData | None = None
        self.error: ErrorInfo | None = None
        self.busy: str | None = None  # progress message while the controller waits on I/O
        self.warning_remaining: int | None = None  # idle countdown shown in the overlay
        self.goodbye_remaining: int | None = None
        # A page shown over the current step (办事指南, 政务公开, admin, diagnostics): the session,
        # if any, stays as it was underneath and the idle timeout still applies.
        self.view: str | None = None
        # Pages with their own inactivity limit (admin: AdminConfig.inactivity_seconds), by view name.
        self.view_idle_seconds: dict[str, float] = {}
        self._last_activity = 0.0
        self._goodbye_since = 0.0
        self._listeners: list[Listener] = []
        self._on_event = on_event or (lambda name, data: None)
        # whether a session identified ``via`` card|qr goes through the face step (kiosk.face)
        self.face_gate: Callable[[str], bool] = lambda via: False

    # ------------------------------------------------------------------ plumbing
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener(self)

    def _emit(self, name: str, **data: Any) -> None:
        self._on_event(name, data)

    def _go(self, step: Step, now: float) -> None:
        self.step = step
        self.view = None
        self.busy = None
        self.warning_remaining = None
        self.revealed_until = None  # leaving a page masks its personal fields again
        self._last_activity = now
        if step is Step.GOODBYE:
            self._goodbye_since = now
            self.goodbye_remaining = int(self.goodbye_seconds)
        else:
            self.goodbye_remaining = None
        self._changed()

    @property
    def active(self) -> bool:
        return self.data is not None

    @property
    def session_id(self) -> str | None:
        return self.data.id if self.data else None

    @property
    def effective_idle_seconds(self) -> float:
        return self.elder_idle_seconds if self.prefs.elder_mode else self.idle_seconds

    # ------------------------------------------------------------------ preferences
    def set_elder_mode(self, on: bool, now: float) -> None:
        self.prefs.elder_mode = on
        self._last_activity = now
        self._changed()

    def set_language(self, language: str, now: float) -> None:
        self.prefs.language = language
        self._last_activity = now
        self._changed()

    # ------------------------------------------------------------------ pages over the session
    def open_view(self, name: str, now: float) -> None:
        self.view = name
        self.revealed_until = None
        self._last_activity = now
        self.warning_remaining = None
        self._changed()

    def close_view(self, now: float) -> None:
        if self.view is not None:
            self.view = None
            self._last_activity = now
            self._changed()

    # ------------------------------------------------------------------ session life
    def begin(self, now: float) -> bool:
        if self.step is not Step.ATTRACT:
            return False
        self.data = SessionData()
        self.error = None
        self._emit("session_started", session=self.data.id, elder=self.prefs.elder_mode)
        self._go(Step.IDENTIFY, now)
        return True

    def end(self, reason: EndReason, now: float) -> None:
        """Wipe everything personal and go back to the attract screen."""
        if self.data is not None:
            self._emit("session_ended", session=self.data.id, reason=reason.value, step=self.step.value)
            self.data.wipe()
        self.data = None
        self.error = None
        self.prefs = Preferences(**vars(self._default_prefs))
        self._go(Step.ATTRACT, now)

    def identified(
        self, holder: Holder, via: str, now: float, certificates: Sequence[CertificateSummary] = ()
    ) -> bool:
        """``certificates``: what a 亮证 token brought with the holder (bound like any list)."""
        if self.step is Step.ATTRACT:
            self.begin(now)
        if self.step is not Step.IDENTIFY or self.data is None:
            return False
        self.data.holder = holder
        self.data.identified_by = via
        if holder.is_foreign and self.prefs.language == "zh_CN":
            self.prefs.language = "en"
        self._emit("identified", session=self.data.id, via=via, card_type=holder.card_type)
        self.data.certificates = self._bound(self.data, certificates)
        self._go(Step.FACE if self.face_gate(via) else Step.CONSENT, now)
        return True

    def face_passed(self, session_id: str, now: float) -> bool:
        """人证核验 passed: on to consent (the outcome is audited by kiosk.face)."""
        if self.data is None or self.data.id != session_id or self.step is not Step.FACE:
            return False
        self._go(Step.CONSENT, now)
        return True

    def agree(self, now: float) -> bool:
        if self.step is not Step.CONSENT or self.data is None:
            return False
        self._emit("consent_given", session=self.data.id)
        self._go(Step.CERTIFICATES, now)
        return True

    def certificates_loaded(self, session_id: str, certificates: Sequence[CertificateSummary]) -> bool:
        if self.data is None or self.data.id != session_id or self.step is not Step.CERTIFICATES:
            return False
        self.data.certificates = self._bound(self.data, certificates)
        self.busy = None
        self._emit("certificates_listed", session=session_id, count=len(self.data.certificates))
        self._changed()
        return True

    def select(self, identifier: str, now: float) -> bool:
        if self.step is not Step.CERTIFICATES or self.data is None or self.busy:
            return False
        if identifier not in {c.identifier for c in self.data.certificates}:
            return False
        self.data.selected = identifier
        self._go(Step.DETAIL, now)
        return True

    def record_loaded(self, session_id: str, record: VerifiedCertificate) -> bool:
        """A fetched record: kept only if it is the listed certificate and bound to the holder."""
        data = self.data
        if data is None or data.id != session_id:
            return False
        identifier = record.record.summary.identifier
        listed = next((c for c in data.certificates if c.identifier == identifier), None)
        if listed is None:
            return False  # never listed, or dropped meanwhile: nothing may show it
        bound = self.binding.record(data.holder, listed, record.record)
        if not bound.ok:
            self._refuse(data, record.record.summary, bound.reason)
            data.certificates = [c for c in data.certificates if c.identifier != identifier]
            data.acting_for.pop(identifier, None)
            data.unfetched.discard(identifier)
            if data.selected == identifier:
                data.selected = None
                if self.step is Step.DETAIL:
                    self.fail(
                        ErrorInfo(messages.certificate_not_yours(), Step.CERTIFICATES, bound.reason),
                        self._last_activity,  # not the citizen's doing: the idle clock runs on
                    )
                    return False
            self._changed()
            return False
        data.records[identifier] = record
        data.unfetched.discard(identifier)
        if self.step is Step.DETAIL and data.selected == identifier:
            self.busy = None
        self._emit(
            "certificate_viewed",
            session=session_id,
            type_code=record.record.summary.type_code,
            verification=record.verification.status.value,
        )
        self._changed()
        return True

    def record_failed(self, session_id: str, identifier: str) -> bool:
        """The full record could not be fetched: the certificate is shown as not verified."""
        data = self.data
        if data is None or data.id != session_id:
            return False
        if identifier not in {c.identifier for c in data.certificates} or identifier in data.records:
            return False
        data.unfetched.add(identifier)
        if self.step is Step.DETAIL and data.selected == identifier:
            self.busy = None
        self._changed()
        return True

    def _bound(
        self, data: SessionData, certificates: Sequence[CertificateSummary]
    ) -> list[CertificateSummary]:
        """The certificates the holder may see (kiosk.domain.holder_binding); the others are audited."""
        kept: list[CertificateSummary] = []
        for summary in certificates:
            bound = self.binding.summary(data.holder, summary)
            if not bound.ok:
                self._refuse(data, summary, bound.reason)
                continue
            if bound.binding is Binding.ACTS_FOR and bound.relation:
                data.acting_for[summary.identifier] = bound.relation
            else:
                data.acting_for.pop(summary.identifier, None)
            kept.append(summary)
        return kept

    def _refuse(self, data: SessionData, summary: CertificateSummary, reason: str) -> None:
        """Audit a certificate that is not the holder's: masked codes only, never a name."""
        self._emit(
            "certificate_refused",
            session=data.id,
            reason=reason,
            type_code=summary.type_code,
            certificate=mask_identifier(summary.identifier),
            holder_type=summary.holder_type,
            holder_code=mask_id(summary.holder_code),
        )

    # ------------------------------------------------------------------ 显示完整信息
    @property
    def revealed(self) -> bool:
        return self.revealed_until is not None

    def reveal(self, now: float) -> bool:
        """Show the selected certificate's personal fields in full, for ``reveal_seconds``."""
        if self.step is not Step.DETAIL or self.data is None or self.view is not None:
            return False
        self.revealed_until = now + self.reveal_seconds
        self._last_activity = now
        self._emit("details_revealed", session=self.data.id, seconds=self.reveal_seconds)
        self._changed()
        return True

    def conceal(self, now: float) -> None:
        self._last_activity = now
        if self.revealed_until is not None:
            self.revealed_until = None
            self._changed()

    def to_print(self, now: float) -> bool:
        if self.step not in (Step.CERTIFICATES, Step.DETAIL) or self.data is None or self.busy:
            return False
        self.data.printing = PrintState()
        self._go(Step.PRINT, now)
        return True

    def print_progress(self, session_id: str, state: PrintState) -> bool:
        if self.data is None or self.data.id != session_id or self.step is not Step.PRINT:
            return False
        self.data.printing = state
        if state.phase in ("done", "failed"):
            self._emit("print_" + state.phase, session=session_id, attempts=state.attempts)
        self._changed()
        return True

    def finish_service(self, now: float, rating_enabled: bool = True) -> bool:
        """The citizen is done with the service: ask for a rating, or say goodbye."""
        if self.step not in (Step.CERTIFICATES, Step.DETAIL, Step.PRINT) or self.data is None:
            return False
        self._go(Step.RATE if rating_enabled else Step.GOODBYE, now)
        return True

    def rated(self, score: int | None, now: float) -> bool:
        if self.step is not Step.RATE or self.data is None:
            return False
        self.data.rating = score
        self._emit("rated" if score else "rating_skipped", session=self.data.id, score=score)
        self._go(Step.GOODBYE, now)
        return True

    def fail(self, error: ErrorInfo, now: float) -> None:
        self.error = error
        if self.data is not None:
            self._emit("error", session=self.data.id, code=error.code, step=self.step.value)
        self._go(Step.ERROR, now)

    def acknowledge_error(self, now: float) -> None:
        if self.step is not Step.ERROR:
            return
        target = self.error.return_to if self.error else None
        self.error = None
        if target is None or self.data is None:
            self.end(EndReason.ERROR, now)
        else:
            self._go(target, now)

    def set_busy(self, message: str | None) -> None:
        self.busy = message
        self._changed()

    def back(self, now: float) -> bool:
        if self.view is not None:
            self.close_view(now)
            return True
        if self.step is Step.ATTRACT:
            return False
        if self.step is Step.ERROR:
            self.acknowledge_error(now)
            return True
        target = BACK.get(self.step)
        if target is None or self.data is None:
            self.end(EndReason.CANCELLED if self.step is not Step.GOODBYE else EndReason.COMPLETED, now)
            return True
        if target is Step.IDENTIFY:
            self.data.wipe()  # leaving consent forgets who was identified
        if target is Step.CERTIFICATES:
            self.data.selected = None
        self._go(target, now)
        return True

    def cancel(self, now: float) -> None:
        if self.step is Step.ATTRACT:
            self.close_view(now)
            return
        self.end(EndReason.COMPLETED if self.step is Step.GOODBYE else EndReason.CANCELLED, now)

    # ------------------------------------------------------------------ time
    def at_rest_for(self, now: float) -> float | None:
        """Seconds the terminal has stood on the attract screen untouched, ``None`` while in use."""
        if self.step is not Step.ATTRACT or self.view is not None or self.busy:
            return None
        return max(0.0, now - self._last_activity)

    def idle_remaining(self, now: float) -> float | None:
        """Seconds until the idle timeout ends the session (or closes the page open over the home
        page), for the footer's countdown; None where none applies (the bare home page, goodbye)."""
        if self.step is Step.GOODBYE or (self.step is Step.ATTRACT and self.view is None):
            return None
        if self.step is Step.ATTRACT:
            limit = self.view_idle_seconds.get(self.view or "", self.effective_idle_seconds)
        else:
            limit = self.effective_idle_seconds
        return max(0.0, limit - (now - self._last_activity))

    def touch(self, now: float) -> None:
        """Any touch or device activity: the citizen is still there."""
        self._last_activity = now
        if self.warning_remaining is not None:
            self.warning_remaining = None
            self._changed()

    def tick(self, now: float) -> None:
        """Called about once a second by the controller."""
        if self.step is Step.ATTRACT:
            limit = self.view_idle_seconds.get(self.view or "", self.effective_idle_seconds)
            if self.view is not None and now - self._last_activity >= limit:
                self._emit("idle_timeout", session=None, step=f"view:{self.view}")
                self.view = None
                self.prefs = Preferences(**vars(self._default_prefs))
                self._changed()
            return
        if self.step is Step.GOODBYE:
            remaining = round(self.goodbye_seconds - (now - self._goodbye_since))
            if remaining <= 0:
                self.end(EndReason.COMPLETED, now)
            elif remaining != self.goodbye_remaining:
                self.goodbye_remaining = remaining
                self._changed()
            return
        if self.revealed_until is not None and now >= self.revealed_until:
            self.revealed_until = None  # masked again by itself
            self._changed()
        idle = now - self._last_activity
        limit = self.effective_idle_seconds
        if idle >= limit:
            self._emit("idle_timeout", session=self.session_id, step=self.step.value)
            self.end(EndReason.TIMEOUT, now)
            return
        if idle >= limit - self.warning_seconds:
            remaining = max(1, round(limit - idle))
            if remaining != self.warning_remaining:
                self.warning_remaining = remaining
                self._changed()
        elif self.warning_remaining is not None:
            self.warning_remaining = None
            self._changed()
