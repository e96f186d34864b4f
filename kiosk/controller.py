"""The conductor between devices, the backend and the session state machine.

Screens forward touches here; drivers deliver events here (from their own threads, hopped onto the
asyncio loop); the controller runs every slow call (backend over httpx, printer and camera work in
worker threads) as an asyncio task, so the Kivy main loop that shares this loop never waits on I/O.

Every task belongs to one session: when the session ends (cancel, timeout, error) its tasks are
cancelled, and a late result for an old session id is dropped by the state machine.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kiosk import messages, session_memory
from kiosk.audit import AuditLog
from kiosk.backend.errors import BackendError, BackendErrorKind
from kiosk.domain.holder import Holder
from kiosk.i18n import _, set_language
from kiosk.ports import BackendPort, CardReaderPort, PrinterPort, QrScannerPort
from kiosk.session import EndReason, ErrorInfo, Preferences, PrintState, SessionMachine, Step
from kiosk.settings import KioskConfig

log = logging.getLogger(__name__)

Clock = Callable[[], float]
SCAN_REST_AFTER_SECONDS = 10.0  # the home page untouched this long: the camera reads at rest
ATTRACT_CUE_SECONDS = 60.0  # the home page's cue plays this long after a touch or someone seen


@dataclass
class Devices:
    card: CardReaderPort | None = None
    scanner: QrScannerPort | None = None
    printer: PrinterPort | None = None


@dataclass
class Health:
    """What the status bar and the degraded mode show (issue 7 widens this)."""

    card: str = "unknown"
    camera: str = "unknown"
    printer: str = "unknown"
    printer_message: str = ""
    backend: str = "unknown"
    checked_at: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


def holder_from_card(identity: Any, evidence: dict[str, Any]) -> Holder:
    """Build the session's holder from a card driver's identity (CardIdentityLike)."""
    return Holder(
        name=identity.name,
        id_number=identity.id_number,
        holder_type="111",
        card_type=identity.card_type,
        name_en=getattr(identity, "name_en", None),
        sex=getattr(identity, "sex", None),
        nation=getattr(identity, "nation", None),
        birth_date=getattr(identity, "birth_date", None),
        address=getattr(identity, "address", None),
        valid_to=getattr(identity, "valid_to", None),
        evidence=dict(evidence),
    )


class Controller:
    def __init__(
        self,
        config: KioskConfig,
        devices: Devices,
        backend: BackendPort | None,
        audit: AuditLog,
        clock: Clock = time.monotonic,
        today: Callable[[], date] = date.today,
        demo: bool = False,
    ) -> None:
        self.config = config
        self.demo = demo  # receipts say 测试数据 and the demo panel is shown
        self.devices = devices
        self.backend = backend
        self.audit = audit
        self.clock = clock
        self.today = today
        t = config.timeouts
        self.machine = SessionMachine(
            idle_seconds=t.idle_seconds,
            warning_seconds=t.warning_seconds,
            goodbye_seconds=t.goodbye_seconds,
            elder_idle_seconds=t.elder_idle_seconds,
            default_prefs=Preferences(
                elder_mode=config.display.elder_mode_default, language=config.display.language
            ),
            on_event=self._audit_event,
            binding=config.trust.binding(),
            reveal_seconds=t.reveal_seconds,
        )
        self.machine.subscribe(self._on_change)
        self.health = Health()
        from kiosk.health import HealthCoordinator

        self.health_coordinator = HealthCoordinator()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._session_tasks: set[asyncio.Task[Any]] = set()
        self._background: set[asyncio.Task[Any]] = set()
        self._scanning = False
        self._last_step = self.machine.step
        self._rested = True  # at rest: attract step, no page over it (kiosk.session_memory)
        self._listeners: list[Callable[[], None]] = []
        self._fallback_secret = secrets.token_hex(16)
        self._help_count = 0
        from kiosk.rating import HelpTickets, RatingOutbox
        from kiosk.rating.paths import state_dir_of

        self.ratings = RatingOutbox(state_dir_of(self), self._deliver_rating)  # 好差评, kept until sent
        self.help_tickets = HelpTickets(state_dir_of(self), today)
        from kiosk.notify import HelpCall, HelpDesk

        self.help_desk = HelpDesk(config, self.audit.record)  # 呼叫工作人员 reaches staff (kiosk.notify)
        self.help_call: HelpCall | None = None  # the citizen's latest call, as their screen shows it
        from kiosk.complaints import ComplaintDesk

        self.complaints = ComplaintDesk(  # 咨询·投诉·举报: sealed, kept until the platform has it
            config.complaints,
            config.terminal.id,
            config.terminal.name,
            state_dir_of(self),
            self.backend,  # type: ignore[arg-type]  # HttpBackend (maybe on its own loop) has the calls
            printer=lambda: self.devices.printer,
            audit=self.audit.record,
            notify=self._notify,
            centre_name=config.terminal.centre_name,
            demo=demo,
        )
        self.available_views: set[str] = set()  # filled by the app with the pages it can show
        self.guide_printing = PrintState()  # the 办事指南 checklist print (kiosk.guide.printing)
        self.paused: str | None = None  # staff paused the terminal (暂停服务): the message shown
        # an ID card lies in the reader (card_inserted until card_removed), and whether it was left
        # there when its session ended (idle timeout …): the home page and the voice ask for it
        # until it is taken
        self.card_present = False
        self.card_left = False
        self._last_code: str | None = None  # a digest of the last code read on the identify page
        self._scanner_at_rest: bool | None = None  # the camera's pace as last set (_pace_scanner)
        self._started_at = float("-inf")
        # where admin mode saves changes (kiosk run sets them from --config / --secrets)
        self.config_file: Path | None = None
        self.secrets_file: Path | None = None
        self.bundles: Any = None  # kiosk.bundles.BundleService when [bundles] is enabled
        self.content: Any = None  # the applied kiosk.bundles.Bundle (办事指南, 政务公开); None: shipped files
        self._staff_view_limits(config)
        set_language(config.display.language)
        from kiosk.face.service import face_required
        from kiosk.face.wiring import build_face_service

        self.face = build_face_service(self)  # 人证核验 (kiosk/face): the controller only routes
        self.machine.face_gate = lambda via: face_required(self.config, via)
        from kiosk.issued import IssuedFaces

        # the certificate as issued: its OFD file, seal-checked and drawn (kiosk/issued); routed only
        self.issued = IssuedFaces(
            self.machine,
            lambda: self.backend,
            lambda: self.config.trust.ofd_anchors(),
            self._spawn,
            self._notify,
        )

    # ------------------------------------------------------------------ life cycle
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._started_at = self.clock()  # the home page's cue plays after start-up (attract_cue_wanted)
        if self.devices.card is not None and self.config.services.card_identify:
            try:
                self.devices.card.start(self._threadsafe(self._on_card_event))
            except Exception:  # a broken reader must not stop the terminal
                log.exception("card reader failed to start")
                self.health.card = "down"
        self._update_scanner(self.machine.step, self.machine.busy)  # the home page reads 亮证码
        self._spawn_background(self._ticker())
        self._spawn_background(self._health_poller())
        if self.backend is not None:
            self._spawn_background(self.ratings.run())
            self._spawn_background(self.complaints.run())
        self._start_bundles()
        self.audit.record("terminal_started", terminal=self.config.terminal.id)

    def _start_bundles(self) -> None:
        """Content and settings from the backend (kiosk.bundles): restore the kept bundle, then poll."""
        if not self.config.bundles.enabled or self.backend is None:
            return
        from kiosk.bundles import BundleService, BundleStore
        from kiosk.rating.paths import state_dir_of

        self.bundles = BundleService(
            self.config.bundles,
            dict(self.config.backend.issuer_keys),
            self.config,
            self.backend,  # type: ignore[arg-type]  # HttpBackend (maybe observed) has fetch_bundle
            BundleStore(state_dir_of(self)),
            self.audit,
            lambda: self.machine.at_rest_for(self.clock()),
            self._apply_bundle,
        )
        self.bundles.restore()
        self._spawn_background(self.bundles.run())

    def _apply_bundle(self, bundle: Any) -> None:
        """Called at rest only (kiosk.bundles.service): the content and the settings overlay."""
        from kiosk.admin.changes import diff_configs
        from kiosk.bundles.bundle import swap_overlay

        old = self.content.overlay if self.content is not None else {}
        self.content = bundle
        before = self.config
        after = swap_overlay(before, self.bundles.base, old, bundle.overlay if bundle is not None else {})
        restart = self.apply_config(after)
        changes = diff_configs(before, after)
        if changes:  # the settings a bundle changed, audited like a staff change on the admin page
            self.audit.record(
                "config_changed",
                who="bundle",
                version=bundle.version if bundle is not None else 0,
                changes=[c.as_audit() for c in changes],
                restart_required=restart,
            )

    async def stop(self) -> None:
        self.machine.end(EndReason.ADMIN, self.clock()) if self.machine.active else None
        for task in list(self._background | self._session_tasks):
            task.cancel()
        await asyncio.gather(*self._background, *self._session_tasks, return_exceptions=True)
        for stop in (
            getattr(self.devices.card, "stop", None),
            getattr(self.devices.scanner, "stop", None),
        ):
            if stop is not None:
                try:
                    stop()
                except Exception:
                    log.exception("device stop failed")
        if self.backend is not None:
            await self.backend.aclose()
        self.audit.record("terminal_stopped", terminal=self.config.terminal.id)
        await asyncio.to_thread(self.audit.close)  # its writer puts the last entries on disk

    def subscribe(self, listener: Callable[[], None]) -> None:
        """The app redraws on every change of session or health."""
        self._listeners.append(listener)

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()

    # ------------------------------------------------------------------ plumbing
    def _audit_event(self, name: str, data: dict[str, Any]) -> None:
        self.audit.record(name, **data)

    def _threadsafe(self, handler: Callable[[Any], None]) -> Callable[[Any], None]:
        """Wrap a handler so that a driver's worker thread can call it."""

        def call(event: Any) -> None:
            loop = self._loop
            if loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(handler, event)

        return call

    def _spawn_background(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """A task that belongs to the current session and dies with it."""
        task = asyncio.get_running_loop().create_task(self._guard(coro))
        self._session_tasks.add(task)
        task.add_done_callback(self._session_tasks.discard)
        # a task cancelled before its first step (the citizen left in the same instant) never
        # started ``coro``: closed here, it is not reported as "never awaited" when collected
        task.add_done_callback(lambda _task: coro.close())
        return task

    async def _guard(self, coro: Awaitable[Any]) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("session task failed")
            if self.machine.active:
                self.machine.fail(ErrorInfo(messages.unexpected(), None, "internal"), self.clock())

    def _cancel_session_tasks(self) -> None:
        for task in list(self._session_tasks):
            task.cancel()

    def _on_change(self, machine: SessionMachine) -> None:
        step = machine.step
        if step is Step.ATTRACT and self._last_step is not Step.ATTRACT and self.card_present:
            self.card_left = True  # the session ended with the card still in the reader
            self.audit.record("card_left_behind", step=self._last_step.value)
        if step is not self._last_step:
            if step is Step.ATTRACT:
                self._cancel_session_tasks()
                self.guide_printing = PrintState()  # its phone text may tell what a citizen holds
            if self._last_step is Step.ATTRACT:  # a session starts: its receipt's fonts, ahead
                session_memory.warm_up("kiosk.wiring.printer")
            if step is Step.CONSENT:  # the face a certificate is drawn with, loaded while the
                # citizen reads this still page: parsed as the list was drawn, it held the
                # interpreter's lock between the list's label uploads (bench/soak.py, issue 21)
                session_memory.warm_up("kiosk.ofd.draw")
            if step is Step.FACE and machine.data is not None:
                self.face.enter(machine.data)
            self._last_step = step
        rested = step is Step.ATTRACT and machine.view is None
        if rested and not self._rested:  # a session or a page over the attract step (投诉…) ended
            session_memory.release()  # what it loaded does not stay while the terminal rests
        self._rested = rested
        set_language(machine.prefs.language)
        self._update_scanner(step, machine.busy)
        self._notify()

    async def _ticker(self) -> None:
        while True:
            await asyncio.sleep(0.5)
            self.machine.tick(self.clock())
            self._pace_scanner()

    # ------------------------------------------------------------------ touches
    def touch(self) -> None:
        self.machine.touch(self.clock())

    def start_session(self) -> None:
        if not self.config.services.mianzheng or self.paused is not None:
            return
        self.machine.begin(self.clock())

    def toggle_elder_mode(self) -> None:
        self.machine.set_elder_mode(not self.machine.prefs.elder_mode, self.clock())

    def set_language(self, language: str) -> None:
        self.machine.set_language(language, self.clock())

    def open_view(self, name: str) -> None:
        """Show a page over the current step (guide, disclosure, admin...), if the app has it."""
        if name in self.available_views:
            self.machine.open_view(name, self.clock())

    def close_view(self) -> None:
        self.machine.close_view(self.clock())

    def keep_alive(self) -> None:
        self.machine.touch(self.clock())

    def back(self) -> None:
        self.machine.back(self.clock())

    def home(self) -> None:
        self.machine.cancel(self.clock())

    def acknowledge_error(self) -> None:
        self.machine.acknowledge_error(self.clock())

    def agree(self) -> None:
        if self.machine.agree(self.clock()):
            data = self.machine.data
            assert data is not None
            if data.certificates:  # a 亮证 token already brought the holder's chosen certificates
                self._after_list(data.id)
            else:
                # busy at once, so the list screen never flashes "no certificates" before the query
                self.machine.set_busy(_("正在查询您的电子证照…"))
                self._spawn(self._load_certificates(data.id))

    def face_begin(self) -> None:
        """开始核验 / 再试一次 on the face screen."""
        data = self.machine.data
        if self.machine.step is Step.FACE and data is not None and data.face is not None:
            self.machine.touch(self.clock())
            session_id = data.id
            self._spawn(self.face.run(data, lambda: self.machine.face_passed(session_id, self.clock())))

    def select(self, identifier: str) -> None:
        if self.machine.select(identifier, self.clock()):
            data = self.machine.data
            assert data is not None
            if identifier not in data.records:
                self.machine.set_busy(_("正在核验证照…"))
                self._spawn(self._load_record(data.id, identifier, show_errors=True))
            else:
                self.issued.want(identifier)

    def reveal_details(self) -> None:
        """显示完整信息, after the citizen confirmed the onlooker warning."""
        self.machine.reveal(self.clock())

    def conceal_details(self) -> None:
        self.machine.conceal(self.clock())

    def print_receipt(self) -> None:
        if self.config.services.print_receipt and self.machine.to_print(self.clock()):
            data = self.machine.data
            assert data is not None
            self._spawn(self._print(data.id))

    def print_annotated(self) -> None:
        """The A4 加注件 of the opened certificate as issued (kiosk.issued.printing)."""
        data = self.machine.data
        if data is None or data.selected is None or self.issued.file(data.selected) is None:
            return
        identifier = data.selected
        if self.machine.to_print(self.clock()):
            self._spawn(self._print_a4(data.id, identifier))

    async def _print_a4(self, session_id: str, identifier: str) -> None:
        from kiosk.issued.printing import print_annotated

        await print_annotated(self, session_id, identifier)

    def retry_print(self) -> None:
        data = self.machine.data
        if self.machine.step is Step.PRINT and data is not None and data.printing.phase == "failed":
            from kiosk.issued.printing import A4Job

            job = data.printing.job
            if isinstance(job, A4Job):
                self._spawn(self._print_a4(data.id, job.identifier))
                return
            self._spawn(self._print(data.id))

    def finish_service(self) -> None:
        self.machine.finish_service(self.clock(), rating_enabled=self.config.services.rating)

    def rate(self, score: int | None, reasons: tuple[str, ...] = (), comment: str | None = None) -> None:
        data = self.machine.data
        if data is None:
            return
        session_id = data.id
        if self.machine.rated(score, self.clock()) and score and self.backend is not None:
            self._send_rating(session_id, score, reasons, comment)

    # ------------------------------------------------------------------ identification
    def _on_card_event(self, event: Any) -> None:
        kind = getattr(event, "kind", "")
        if kind in ("reader_added", "reader_removed"):
            self.health.card = "ok" if kind == "reader_added" else "down"
            if kind == "reader_removed":
                self.card_present = self.card_left = False
            self.audit.record("card_reader_" + kind.split("_")[1])
            self._notify()
            return
        if kind == "card_inserted":
            self.card_present = True
            self.machine.touch(self.clock())
            return
        if kind == "card_removed":
            self.card_present = False
            if self.card_left:
                self.card_left = False
                self.audit.record("card_taken")
                self._notify()
            return
        step = self.machine.step
        if step not in (Step.ATTRACT, Step.IDENTIFY):
            return  # a card event in the middle of a session changes nothing
        if step is Step.ATTRACT and (self.paused is not None or self.machine.view in STAFF_VIEWS):
            return  # paused, or staff at the terminal: a card starts no session
        now = self.clock()
        if kind == "error":
            code = str(getattr(event, "error", "") or "unreadable")
            if step is Step.ATTRACT:
                self.machine.begin(now)
            self.machine.fail(ErrorInfo(messages.card_error(code), Step.IDENTIFY, "card_" + code), now)
            return
        if kind != "identity" or getattr(event, "identity", None) is None:
            return
        identity = event.identity
        valid_to = getattr(identity, "valid_to", None)
        if valid_to is not None and valid_to < self.today():
            if step is Step.ATTRACT:
                self.machine.begin(now)
            self.machine.fail(ErrorInfo(messages.card_expired(), Step.IDENTIFY, "card_expired"), now)
            return
        evidence = dict(getattr(event, "evidence", {}) or {})
        evidence.setdefault("kind", "id_card")
        evidence.setdefault("card_type", identity.card_type)
        evidence.setdefault("read_at", datetime.now().astimezone().isoformat(timespec="seconds"))
        self.machine.identified(holder_from_card(identity, evidence), "card", now)

    def _update_scanner(self, step: Step, busy: str | None) -> None:
        """The camera films and decodes only while a citizen may show a code: on the identify
        screen, and not while a code or a card read there is being checked with the backend.

        WHY not while busy: a code decoded then is ignored anyway (``_on_qr_text``), and capture,
        decoding and the live preview cost a core and a full redraw ten times a second, taken from
        the screen's renderer while the citizen waits on a slow backend (soak).
        """
        scanner = self.devices.scanner
        if scanner is None or not self.config.services.qr_identify:
            return
        want = (step is Step.IDENTIFY and not busy) or self._scans_at_home()
        want = want or self.machine.view == "complaint"  # the slip's QR for its status (kiosk.complaints)
        if want and not self._scanning:
            try:
                scanner.start(self._threadsafe(self._on_qr_text))
                self._scanning = True
            except Exception:
                log.exception("camera failed to start")
                self.health.camera = "down"
        elif not want and self._scanning:
            self._scanning = False
            try:
                scanner.stop()
            except Exception:
                log.exception("camera failed to stop")
        self._pace_scanner()

    def _pace_scanner(self) -> None:
        """The home page nobody has touched for a while: the camera decodes slowly and lightly
        (drivers.camera.scanner AT_REST: a static page must cost next to no CPU), and wakes on
        its own when a phone comes into view; full speed anywhere a citizen is asked for a code."""
        set_at_rest = getattr(self.devices.scanner, "set_at_rest", None)
        if set_at_rest is None or not self._scanning:
            return
        untouched = self.machine.at_rest_for(self.clock())
        at_rest = self._scans_at_home() and untouched is not None and untouched >= SCAN_REST_AFTER_SECONDS
        if at_rest is not self._scanner_at_rest:
            self._scanner_at_rest = at_rest
            try:
                set_at_rest(at_rest)
            except Exception:
                log.exception("camera pace not set")

    def attract_cue_wanted(self) -> bool:
        """Whether the home page's attention cue should play: within ATTRACT_CUE_SECONDS of the
        page's last touch (a citizen just left; the next one is often near), or of the resting
        camera seeing its scene change (someone stepped up). WHY not always: each step of the cue
        redraws the whole screen, on a terminal without a graphics card ~2 % of a core all night
        for a cue nobody is there to see (issue 21: ≤ 3 % at rest)."""
        now = self.clock()
        untouched = self.machine.at_rest_for(now)
        if untouched is None or min(untouched, now - self._started_at) < ATTRACT_CUE_SECONDS:
            return True
        seen = getattr(self.devices.scanner, "seconds_since_scene_change", None)
        try:
            since = seen() if seen is not None and self._scanning else None
        except Exception:
            log.exception("camera scene change not read")
            return False
        return since is not None and since < ATTRACT_CUE_SECONDS

    def _scans_at_home(self) -> bool:
        """The home page invites citizens to show a 亮证码: the camera reads there too (without a
        preview, so without redraws), unless the terminal is paused or a page is open over it."""
        m = self.machine
        return (
            m.step is Step.ATTRACT
            and m.view is None
            and not m.busy
            and self.paused is None
            and self.config.services.mianzheng
        )

    def rescan(self) -> None:
        """Someone else stopped the camera (the diagnostics preview): start it again if it should run."""
        self._scanning = False
        self._update_scanner(self.machine.step, self.machine.busy)

    def _on_qr_text(self, text: Any) -> None:
        if self.machine.view == "complaint":  # a 咨询投诉 slip shown for its status
            self.machine.touch(self.clock())
            self.complaints.scanned(str(text))
            return
        if self._scans_at_home():  # a code shown on the home page starts the session ...
            if _digest(text) == self._last_code:
                return  # ... but not the last one read, still held up (it was used, or refused)
            self.machine.begin(self.clock())
        if self.machine.step is not Step.IDENTIFY or self.machine.busy or self.machine.data is None:
            return
        from kiosk.qr import classify

        result = classify(str(text), self.config)
        now = self.clock()
        self.machine.touch(now)
        self._last_code = _digest(text)
        if result.kind != "lz_token" or not result.value:
            self.audit.record("qr_refused", session=self.machine.session_id, kind=result.kind)
            self.machine.fail(
                ErrorInfo(result.message or messages.qr_not_supported(), Step.IDENTIFY, "qr_" + result.kind),
                now,
            )
            return
        self.machine.set_busy(_("正在核验亮证码…"))
        self._spawn(self._resolve_token(self.machine.data.id, result.value))

    async def _resolve_token(self, session_id: str, token: str) -> None:
        assert self.backend is not None
        try:
            holder, certificates = await self.backend.resolve_token(token, self.config.session.use_cause)
        except BackendError as exc:
            self._backend_failed(session_id, exc, Step.IDENTIFY)
            return
        data = self.machine.data
        if data is None or data.id != session_id:
            return
        self.machine.identified(holder, "qr", self.clock(), certificates)

    # ------------------------------------------------------------------ certificates
    def _backend_failed(self, session_id: str, exc: BackendError, return_to: Step | None) -> None:
        from kiosk.backend.messages import message_for

        if self.machine.session_id != session_id:
            return
        log.warning("backend call failed", extra={"kind": exc.kind.value})
        self.machine.fail(
            ErrorInfo(message_for(exc.kind), return_to, "backend_" + exc.kind.value), self.clock()
        )

    async def _load_certificates(self, session_id: str) -> None:
        data = self.machine.data
        if self.backend is None or data is None or data.holder is None:
            return
        self.machine.set_busy(_("正在查询您的电子证照…"))
        type_codes = self.config.session.type_codes or None
        try:
            certs = await self.backend.query_certificates(
                data.holder, self.config.session.use_cause, type_codes
            )
        except BackendError as exc:
            self._backend_failed(session_id, exc, Step.CONSENT)
            return
        if self.machine.certificates_loaded(session_id, certs):
            self._after_list(session_id)

    def _after_list(self, session_id: str) -> None:
        data = self.machine.data
        if data is None:
            return
        self.machine.certificates_loaded(session_id, data.certificates)
        for cert in data.certificates:
            self._spawn(self._load_record(session_id, cert.identifier, show_errors=False))

    async def _load_record(self, session_id: str, identifier: str, show_errors: bool) -> None:
        assert self.backend is not None
        try:
            record = await self.backend.get_certificate(identifier)
        except BackendError as exc:
            self.machine.record_failed(session_id, identifier)
            if show_errors:
                self._backend_failed(session_id, exc, Step.CERTIFICATES)
            return
        self.machine.record_loaded(session_id, record)
        data = self.machine.data
        if data is not None and data.id == session_id and data.selected == identifier:
            self.issued.want(identifier)

    # ------------------------------------------------------------------ printing
    async def _print(self, session_id: str) -> None:
        from kiosk.printing import print_session_receipt

        await print_session_receipt(self, session_id)

    def _send_rating(
        self, session_id: str, score: int, reasons: tuple[str, ...], comment: str | None = None
    ) -> None:
        """Into the persistent outbox (kiosk.rating): its background task delivers, with back-off."""
        try:
            self.ratings.add(session_id, score, reasons, comment)
        except OSError:
            # a full or read-only disk must not lose the citizen's rating: send it straight away
            log.warning("rating outbox unwritable; sending the rating directly")
            self._spawn_background(self._rate_now(session_id, score, reasons, comment))
        except ValueError:
            log.exception("rating could not be kept")

    async def _rate_now(
        self, session_id: str, score: int, reasons: tuple[str, ...], comment: str | None
    ) -> None:
        from kiosk.rating import safe_comment

        if self.backend is None:
            return
        try:
            await self.backend.submit_evaluation(session_id, score, reasons, safe_comment(comment))
        except BackendError as exc:
            log.warning("rating lost: the disk and the backend both failed", extra={"kind": exc.kind.value})

    async def _deliver_rating(self, item: Any) -> None:
        if self.backend is None:
            raise BackendError(BackendErrorKind.UNAVAILABLE, "no backend configured")
        await self.backend.submit_evaluation(item.service_ref, item.score, item.reasons, item.comment)

    # ------------------------------------------------------------------ health
    async def _health_poller(self) -> None:
        while True:
            await self.refresh_health()
            await asyncio.sleep(self.health_coordinator.next_interval())

    async def refresh_health(self) -> None:
        """Probe every device and the backend (kiosk.health); redraw only when something changed."""
        if await self.health_coordinator.refresh(self):
            self._notify()

    # ------------------------------------------------------------------ staff (kiosk/admin)
    def _staff_view_limits(self, config: KioskConfig) -> None:
        for view in STAFF_VIEWS:
            self.machine.view_idle_seconds[view] = config.admin.inactivity_seconds

    def pause(self, message: str) -> None:
        """Staff paused the terminal: the attract screen shows ``message`` and starts no session."""
        self.paused = message.strip() or _("本机暂停服务，请到服务窗口办理。")
        self.audit.record("terminal_paused", who="staff", message=self.paused)
        self._update_scanner(self.machine.step, self.machine.busy)  # no reading on a paused home page
        self._notify()

    def resume(self) -> None:
        if self.paused is not None:
            self.paused = None
            self.audit.record("terminal_resumed", who="staff")
            self._update_scanner(self.machine.step, self.machine.busy)
            self._notify()

    def apply_config(self, new_config: KioskConfig) -> list[str]:
        """Swap in a validated configuration without a restart.

        Timeouts, services, default display preferences and the staff page limits take effect at
        once; returns the dotted fields that changed but only take effect after a restart (devices,
        backend, window size...), so the admin screen can say so.
        """
        from kiosk.admin.changes import restart_required

        old, self.config = self.config, new_config
        t, m = new_config.timeouts, self.machine
        m.idle_seconds, m.elder_idle_seconds = t.idle_seconds, t.elder_idle_seconds
        m.warning_seconds, m.goodbye_seconds = t.warning_seconds, t.goodbye_seconds
        m.binding, m.reveal_seconds = new_config.trust.binding(), t.reveal_seconds
        m._default_prefs = Preferences(
            elder_mode=new_config.display.elder_mode_default, language=new_config.display.language
        )
        if not m.active and m.view not in STAFF_VIEWS:
            m.prefs = Preferences(**vars(m._default_prefs))
        self._staff_view_limits(new_config)
        self.help_desk.reconfigure(new_config)
        card = self.devices.card
        if card is not None and old.services.card_identify != new_config.services.card_identify:
            try:
                if new_config.services.card_identify:
                    card.start(self._threadsafe(self._on_card_event))
                else:
                    card.stop()
            except Exception:
                log.exception("card reader could not follow the new configuration")
        self._notify()
        return restart_required(old, new_config)

    def call_staff(self) -> str:
        """A citizen asked for help: give them a ticket and hand the call to the help desk.

        ``help_call`` says what the screen may tell them: "calling", then "accepted" only once a
        channel took the call, else "fallback" (kiosk.notify.desk). No personal data is sent.
        """
        self.machine.touch(self.clock())
        session = self.machine.session_id
        pending = self.help_desk.pending(session)
        if pending is not None:  # tapped again: the same call, shown again, no second message
            self.help_call = pending
            return pending.ticket
        self._help_count += 1
        try:
            ticket = self.help_tickets.next()  # H-MMDD-NNN, unique per terminal per day
        except OSError:
            ticket = f"H{self._help_count:03d}"
        step = self.machine.step.value
        call = self.help_call = self.help_desk.open(ticket, step, session)
        self.audit.record(
            "help_requested",
            ticket=ticket,
            step=step,
            session=self.machine.session_id,
            open=len(self.help_desk.calls),
        )
        self._spawn_background(self.help_desk.run(call, self._notify))
        return ticket

    def help_handled(self, ticket: str) -> None:
        """Staff marked a call handled on the admin page: the desk closes it and tells the channels."""
        self._spawn_background(self._help_handled(ticket))

    async def _help_handled(self, ticket: str) -> None:
        await self.help_desk.handled(ticket)
        self._notify()

    def receipt_secret(self) -> bytes:
        """Key of the receipt check code: ``[receipt] code_key``, or a per-run random one when unset.

        Never the backend terminal secret: every printed code would be an HMAC under it that anyone
        holding the paper could test guesses against, and one key would serve two purposes.
        """
        key = self.config.receipt.code_key.get_secret_value()
        return (key or self._fallback_secret).encode()

    def printing_available(self) -> bool:
        """Degraded mode: do not offer printing that is bound to fail at the end."""
        return self.devices.printer is not None and self.health.printer != "down"

    def preview_frame(self) -> Any:
        scanner = self.devices.scanner
        if scanner is None or not self._scanning:
            return None
        try:
            return scanner.preview()
        except Exception:
            return None

    def set_print_state(self, session_id: str, state: PrintState) -> None:
        self.machine.print_progress(session_id, state)

    def print_guide_checklist(self, matter_id: str) -> None:
        """Print a matter's checklist from the guide (with the citizen's 免证 materials if identified)."""
        if self.guide_printing.phase in ("checking", "printing"):
            return
        from kiosk.guide.printing import print_checklist

        self._spawn(print_checklist(self, matter_id))

    def set_guide_print_state(self, state: PrintState) -> None:
        self.guide_printing = state
        self._notify()


STAFF_VIEWS = ("admin", "diagnostics")


def _digest(text: Any) -> str:
    """A code's fingerprint, so the home page can tell the last code read from a new one without
    keeping the code itself."""
    import hashlib

    return hashlib.sha256(str(text).encode("utf-8", "surrogatepass")).hexdigest()
