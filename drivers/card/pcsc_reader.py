"""PC/SC card reader adapter (pyscard over pcscd).

Two threads. The monitor thread waits in ``SCardGetStatusChange`` (readers and the PnP notification
pseudo-reader) and turns state changes into observations; the worker thread consumes them in order,
emits events and runs the reads, so a slow or failing card never blocks the monitoring and events
reach ``on_event`` in a sensible order (an error for a pulled card comes before its card_removed).

Why not pyscard's CardMonitor/ReaderMonitor observers: they are process-wide singletons, stop for good
when pcscd goes away (a kiosk must recover when pcscd restarts), print tracebacks, and take up to a
minute to stop. The loop here is the same ``SCardGetStatusChange`` they use, with recovery and a
prompt ``SCardCancel`` on stop; ``add_observer`` offers the observer shape for diagnostics.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from smartcard import scard

from drivers.card.apdu import parse_hex_apdu
from drivers.card.errors import CardDataError, PsamError
from drivers.card.events import CardEvent, identity_evidence
from drivers.card.pcsc_profiles import (
    PROFILES,
    ProfileResult,
    read_plain,
    read_social_security,
    read_vendor_sam,
)
from drivers.card.ssse_auth import PsamProfile, authenticate_card, select_psam

log = logging.getLogger(__name__)

PNP_NOTIFICATION = "\\\\?PnP?\\Notification"
_SERVICE_GONE = {
    scard.SCARD_E_NO_SERVICE,
    scard.SCARD_E_SERVICE_STOPPED,
    scard.SCARD_E_INVALID_HANDLE,
    scard.SCARD_F_COMM_ERROR,
}
_CARD_GONE = {
    scard.SCARD_W_REMOVED_CARD,
    scard.SCARD_E_NO_SMARTCARD,
    scard.SCARD_W_RESET_CARD,
    scard.SCARD_E_NOT_TRANSACTED,
    scard.SCARD_E_COMM_DATA_LOST,
    scard.SCARD_W_UNPOWERED_CARD,
}
_RETRY_SECONDS = 1.0
# How long a failed read waits for pcscd to report the card gone (it polls vpcd/USB every ~400 ms)
# before calling the failure "unreadable" rather than "removed_mid_read".
_REMOVAL_GRACE_MS = 1200


class PcscError(Exception):
    def __init__(self, what: str, hresult: int) -> None:
        super().__init__(f"{what}: {scard.SCardGetErrorMessage(hresult)} ({hresult & 0xFFFFFFFF:#010x})")
        self.hresult = hresult


def _check(hresult: int, what: str) -> None:
    if hresult != scard.SCARD_S_SUCCESS:
        raise PcscError(what, hresult)


def list_pcsc_readers() -> list[str]:
    """Readers pcscd knows now. Raises PcscError if pcscd does not answer."""
    hresult, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    _check(hresult, "establish context")
    try:
        hresult, readers = scard.SCardListReaders(ctx, [])
        if hresult == scard.SCARD_E_NO_READERS_AVAILABLE:
            return []
        _check(hresult, "list readers")
        return list(readers)
    finally:
        scard.SCardReleaseContext(ctx)


def _matches(reader: str, wanted: str) -> bool:
    return wanted.lower() in reader.lower()


def find_psam_reader(readers: Sequence[str], profile: PsamProfile) -> str:
    """The one reader whose name contains the configured PSAM reader name; else PsamError."""
    found = sorted(r for r in readers if _matches(r, profile.reader))
    if not found:
        raise PsamError(f"PSAM reader {profile.reader!r} not found (readers: {', '.join(readers) or 'none'})")
    if len(found) > 1:
        raise PsamError(f"PSAM reader name {profile.reader!r} matches several readers: {', '.join(found)}")
    return found[0]


def _connect(ctx: int, reader: str) -> tuple[int, Callable[[list[int]], tuple[list[int], int, int]]]:
    """Connect (shared) and return the card handle and a ``Transmit`` over it."""
    hresult, card, protocol = scard.SCardConnect(
        ctx, reader, scard.SCARD_SHARE_SHARED, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
    )
    _check(hresult, "connect")
    pci = scard.SCARD_PCI_T0 if protocol == scard.SCARD_PROTOCOL_T0 else scard.SCARD_PCI_T1

    def transmit(apdu: list[int]) -> tuple[list[int], int, int]:
        hresult, response = scard.SCardTransmit(card, pci, apdu)
        _check(hresult, "transmit")
        if len(response) < 2:
            raise PcscError("transmit", scard.SCARD_E_NOT_TRANSACTED)
        return list(response[:-2]), response[-2], response[-1]

    return card, transmit


@contextlib.contextmanager
def open_psam(ctx: int, profile: PsamProfile) -> Iterator[Callable[[list[int]], tuple[list[int], int, int]]]:
    """A ``Transmit`` to the PSAM for one card read. Every PC/SC failure on the PSAM's side becomes
    a :class:`PsamError` (a terminal fault), so it is never taken for the citizen's card."""
    hresult, readers = scard.SCardListReaders(ctx, [])
    if hresult != scard.SCARD_S_SUCCESS:
        readers = []
    reader = find_psam_reader(list(readers), profile)
    try:
        card, transmit = _connect(ctx, reader)
    except PcscError as exc:
        absent = exc.hresult in (scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_REMOVED_CARD)
        raise PsamError(f"no PSAM in {reader!r}" if absent else f"PSAM in {reader!r}: {exc}") from None

    def psam_transmit(apdu: list[int]) -> tuple[list[int], int, int]:
        try:
            return transmit(apdu)
        except PcscError as exc:
            raise PsamError(f"PSAM in {reader!r}: {exc}") from None

    try:
        yield psam_transmit
    finally:
        scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)


def probe_psam(profile: PsamProfile, select: bool = True) -> str:
    """Diagnostics: find the PSAM, connect (shared) and, with ``select``, select its application.
    Returns the reader name; raises PsamError (or PcscError when pcscd does not answer). Without
    ``select`` nothing is sent to the PSAM: safe while the running app may be using it."""
    hresult, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    _check(hresult, "establish context")
    try:
        with open_psam(ctx, profile) as psam:
            if select:
                select_psam(psam, profile)
        _, readers = scard.SCardListReaders(ctx, [])
        return find_psam_reader(list(readers), profile)
    finally:
        scard.SCardReleaseContext(ctx)


@dataclass(frozen=True, slots=True)
class _Observation:
    kind: str  # reader_added | reader_removed | card_inserted | card_removed | service_down
    reader: str
    atr: bytes = b""


class PcscCardReader:
    """Satisfies ``CardReaderPort``. Configure with plain values (drivers do not read kiosk settings)."""

    def __init__(
        self,
        *,
        profile: str = "vendor_sam",
        reader_name_contains: str = "",
        text_apdu: str | Sequence[int] = "FFB0000000",
        text_offset: int = 4,
        ssse_pin: bytes | None = None,
        psam: PsamProfile | None = None,
    ) -> None:
        if profile not in PROFILES:
            raise ValueError(f"unknown reader profile {profile!r} (expected one of {', '.join(PROFILES)})")
        if profile == "ssse" and psam is None:
            raise ValueError(
                "the ssse profile needs a PSAM: without one a forged card would be taken as genuine"
            )
        if psam is not None and reader_name_contains and _matches(psam.reader, reader_name_contains):
            raise ValueError(
                f"reader_name_contains {reader_name_contains!r} also matches the PSAM reader {psam.reader!r}"
            )
        self.profile = profile
        self.psam = psam
        self.reader_name_contains = reader_name_contains
        self.text_apdu = parse_hex_apdu(text_apdu) if isinstance(text_apdu, str) else list(text_apdu)
        self.text_offset = text_offset
        self.ssse_pin = ssse_pin
        self._on_event: Callable[[Any], None] | None = None
        self._observers: list[Callable[[CardEvent], None]] = []
        self._stop = threading.Event()
        self._jobs: queue.Queue[_Observation | None] = queue.Queue()
        self._monitor: threading.Thread | None = None
        self._worker: threading.Thread | None = None
        self._monitor_ctx: int | None = None
        self._ctx_lock = threading.Lock()
        self._readers: set[str] = set()  # as seen by the worker (events emitted)
        self._cards: set[str] = set()  # readers holding a card, as seen by the worker
        self._service_up: bool | None = None
        self._last_failure = False

    # ------------------------------------------------------------------ CardReaderPort

    def start(self, on_event: Callable[[Any], None]) -> None:
        if self._monitor is not None:
            raise RuntimeError("reader already started")
        self._on_event = on_event
        self._stop.clear()
        self._worker = threading.Thread(target=self._work, name="card-pcsc-read", daemon=True)
        self._monitor = threading.Thread(target=self._watch, name="card-pcsc-monitor", daemon=True)
        self._worker.start()
        self._monitor.start()

    def stop(self) -> None:
        if self._monitor is None:
            return
        self._stop.set()
        self._jobs.put(None)
        # SCardCancel only wakes a wait already in progress: repeat it until the monitor has left,
        # in case it was between two waits when the first cancel came.
        for _ in range(100):
            with self._ctx_lock:
                if self._monitor_ctx is not None:
                    scard.SCardCancel(self._monitor_ctx)
            self._monitor.join(timeout=0.05)
            if not self._monitor.is_alive():
                break
        if self._worker is not None:
            self._worker.join(timeout=10)
        self._monitor = self._worker = None
        self._on_event = None

    def health(self) -> str:
        if self._monitor is None or self._service_up is None:
            return "unknown"
        if not self._service_up or not self._readers:
            return "down"
        return "degraded" if self._last_failure else "ok"

    def add_observer(self, observer: Callable[[CardEvent], None]) -> None:
        """Extra listeners (diagnostics), called after ``on_event`` on the worker thread."""
        self._observers.append(observer)

    # ------------------------------------------------------------------ monitor thread

    def _wanted(self, reader: str) -> bool:
        """A reader for citizens' cards: it matches the configured name and is not the PSAM's slot."""
        if self.psam is not None and _matches(reader, self.psam.reader):
            return False
        return _matches(reader, self.reader_name_contains)

    def _watch(self) -> None:
        while not self._stop.is_set():
            hresult, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if hresult != scard.SCARD_S_SUCCESS:
                self._jobs.put(_Observation("service_down", ""))
                self._stop.wait(_RETRY_SECONDS)
                continue
            with self._ctx_lock:
                self._monitor_ctx = ctx
            try:
                self._watch_context(ctx)
            except PcscError as exc:
                log.warning("pcsc monitor: %s", exc)
                self._jobs.put(_Observation("service_down", ""))
                self._stop.wait(_RETRY_SECONDS)
            finally:
                with self._ctx_lock:
                    self._monitor_ctx = None
                scard.SCardReleaseContext(ctx)

    def _watch_context(self, ctx: int) -> None:
        states: dict[str, int] = {}  # reader → last known event state
        pnp_state = scard.SCARD_STATE_UNAWARE
        readers_dirty = True
        while not self._stop.is_set():
            if readers_dirty:
                hresult, listed = scard.SCardListReaders(ctx, [])
                if hresult == scard.SCARD_E_NO_READERS_AVAILABLE:
                    listed = []
                elif hresult != scard.SCARD_S_SUCCESS:
                    raise PcscError("list readers", hresult)
                current = {r for r in listed if self._wanted(r)}
                for gone in sorted(set(states) - current):
                    if states[gone] & scard.SCARD_STATE_PRESENT:
                        self._jobs.put(_Observation("card_removed", gone))
                    self._jobs.put(_Observation("reader_removed", gone))
                    del states[gone]
                for new in sorted(current - set(states)):
                    self._jobs.put(_Observation("reader_added", new))
                    states[new] = scard.SCARD_STATE_UNAWARE
                self._jobs.put(_Observation("service_up", ""))
                readers_dirty = False
            query = [(PNP_NOTIFICATION, pnp_state)] + [(r, s) for r, s in states.items()]
            hresult, answers = scard.SCardGetStatusChange(ctx, 60_000, query)
            if hresult in (scard.SCARD_E_TIMEOUT, scard.SCARD_E_CANCELLED):
                continue
            if hresult == scard.SCARD_E_UNKNOWN_READER:
                readers_dirty = True
                continue
            if hresult != scard.SCARD_S_SUCCESS:
                raise PcscError("wait for status change", hresult)
            for name, event_state, atr in answers:
                new_state = event_state & ~scard.SCARD_STATE_CHANGED
                if name == PNP_NOTIFICATION:
                    if event_state & scard.SCARD_STATE_CHANGED:
                        readers_dirty = True
                    pnp_state = new_state
                    continue
                old = states.get(name)
                if old is None:
                    continue
                if event_state & (scard.SCARD_STATE_UNAVAILABLE | scard.SCARD_STATE_UNKNOWN):
                    readers_dirty = True
                was_present = bool(old & scard.SCARD_STATE_PRESENT)
                is_present = bool(event_state & scard.SCARD_STATE_PRESENT)
                if is_present and not was_present:
                    self._jobs.put(_Observation("card_inserted", name, bytes(atr)))
                elif was_present and not is_present:
                    self._jobs.put(_Observation("card_removed", name))
                states[name] = new_state

    # ------------------------------------------------------------------ worker thread

    def _emit(self, kind: str, reader: str, **kwargs: Any) -> None:
        event = CardEvent(kind=kind, reader=reader, **kwargs)
        log.info("card: %s", event.masked())
        for listener in (self._on_event, *self._observers):
            if listener is None or self._stop.is_set():
                continue
            try:
                listener(event)
            except Exception:
                log.exception("card event listener failed")

    def _work(self) -> None:
        while True:
            obs = self._jobs.get()
            if obs is None or self._stop.is_set():
                return
            if obs.kind == "service_up":
                self._service_up = True
            elif obs.kind == "service_down":
                if self._service_up is not False:
                    log.warning("pcsc: pcscd is not answering")
                self._service_up = False
                for reader in sorted(self._readers):
                    self._card_gone(reader)
                    self._emit("reader_removed", reader, detail="pcscd not answering")
                self._readers.clear()
            elif obs.kind == "reader_added":
                self._readers.add(obs.reader)
                self._emit("reader_added", obs.reader)
            elif obs.kind == "reader_removed":
                if obs.reader in self._readers:
                    self._readers.discard(obs.reader)
                    self._card_gone(obs.reader)
                    self._emit("reader_removed", obs.reader)
            elif obs.kind == "card_removed":
                self._card_gone(obs.reader)
            elif obs.kind == "card_inserted":
                self._cards.add(obs.reader)
                self._emit("card_inserted", obs.reader)
                self._read(obs.reader, obs.atr)

    def _card_gone(self, reader: str) -> None:
        if reader in self._cards:
            self._cards.discard(reader)
            self._emit("card_removed", reader)

    def _read(self, reader: str, atr: bytes) -> None:
        hresult, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != scard.SCARD_S_SUCCESS:
            self._fail(reader, "reader_failure", f"establish context: {scard.SCardGetErrorMessage(hresult)}")
            return
        try:
            result = self._read_with(ctx, reader)
        except PcscError as exc:
            if exc.hresult in _CARD_GONE and self._card_left(ctx, reader):
                self._fail(reader, "removed_mid_read", str(exc))
            elif exc.hresult in _CARD_GONE or exc.hresult == scard.SCARD_W_UNRESPONSIVE_CARD:
                self._fail(reader, "unreadable", str(exc))
            else:
                self._fail(reader, "reader_failure", str(exc))
            return
        except CardDataError as exc:
            if exc.code == "unreadable" and self._card_left(ctx, reader, wait_ms=0):
                self._fail(reader, "removed_mid_read", exc.reason)
            else:
                self._fail(reader, exc.code, exc.reason)
            return
        finally:
            scard.SCardReleaseContext(ctx)
        self._last_failure = False
        extra = {"atr": atr.hex().upper(), **result.reader_extra}
        if result.identity is None:
            evidence = {"kind": "id_card", "reader": {"kind": "pcsc", "name": reader, **extra}}
            self._emit(
                "error",
                reader,
                error="no_identity_support",
                evidence=evidence,
                detail="plain PC/SC reader: chip serial only, no identity data without a SAM",
            )
            return
        evidence = identity_evidence(
            result.identity.card_type, "pcsc", reader, chip_serial=result.reader_extra.get("chip_serial")
        )
        self._emit("identity", reader, identity=result.identity, evidence=evidence)

    def _fail(self, reader: str, code: str, detail: str) -> None:
        self._last_failure = code == "reader_failure"
        self._emit("error", reader, error=code, detail=detail)

    def _read_with(self, ctx: int, reader: str) -> ProfileResult:
        card, transmit = _connect(ctx, reader)
        try:
            if self.profile == "vendor_sam":
                return read_vendor_sam(transmit, self.text_apdu, self.text_offset)
            if self.profile == "ssse":
                psam = self.psam
                assert psam is not None  # the constructor refuses ssse without a PSAM

                def authenticate(card_link: Any, card_identifier: bytes) -> None:
                    with open_psam(ctx, psam) as psam_link:
                        authenticate_card(card_link, psam_link, psam, card_identifier)

                return read_social_security(transmit, self.ssse_pin, authenticate)
            return read_plain(transmit)
        finally:
            scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)

    def _card_left(self, ctx: int, reader: str, wait_ms: int = _REMOVAL_GRACE_MS) -> bool:
        """Wait (event-driven, bounded) for pcscd to report the reader empty."""
        hresult, answers = scard.SCardGetStatusChange(ctx, 0, [(reader, scard.SCARD_STATE_UNAWARE)])
        if hresult != scard.SCARD_S_SUCCESS:
            return False
        state = answers[0][1] & ~scard.SCARD_STATE_CHANGED
        if state & scard.SCARD_STATE_EMPTY:
            return True
        if wait_ms <= 0:
            return False
        hresult, answers = scard.SCardGetStatusChange(ctx, wait_ms, [(reader, state)])
        return hresult == scard.SCARD_S_SUCCESS and bool(answers[0][1] & scard.SCARD_STATE_EMPTY)
