"""Per session: the OFD files of the listed certificates, their seal checks, and the opened one drawn.

The seals of every listed certificate whose record verified valid and links a file are checked as
soon as its record arrives (the machine's changes are watched here): the list's badge and the list
receipt must not call a certificate 有效（已验证） whose file's seal fails, and a citizen must not
have to open each certificate to find out (``seal``). The file is fetched through the backend
client (size, SM3 and path checked there) and its seals checked in the verifier process
(kiosk.issued.work): one GET and a few milliseconds each. Opening a certificate (the controller
routes ``want``) draws it, from the file already fetched when there is one.

Everything is held for this session only, in memory: the machine's session changing (ended,
cancelled, timed out, the next citizen) wipes it, and a result for a session that has ended is
dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kiosk.backend.errors import BackendError
from kiosk.domain.certificate import CertStatus, Verification, VerifiedCertificate
from kiosk.issued import work
from kiosk.views import mask_face_value

if TYPE_CHECKING:
    from kiosk.session import SessionMachine

log = logging.getLogger(__name__)

# the page is drawn this many pixels wide: a portrait screen's width, a little over for zooming in
SCREEN_WIDTH_PX = 1200
# A4 加注件: the page drawn for about 180 mm of paper at 240 dpi
PRINT_WIDTH_PX = 1700

# what ``IssuedFaces.seal`` says of a listed certificate's file
SEAL_NONE = "none"  # no seal verdict applies: no file linked, the record not valid, or not fetched
SEAL_CHECKING = "checking"  # the record verified valid and links a file whose seals are not checked yet
SEAL_VALID = "valid"  # every seal VALID under the terminal's anchors (验章通过)
SEAL_FAILED = "failed"  # the seals were checked and did not verify: not proof, whatever the record says


@dataclass(frozen=True)
class IssuedFace:
    """One certificate's 照面 as issued, as far as it got."""

    phase: str  # loading | shown | failed
    check: work.SealCheck | None = None
    width: int = 0
    height: int = 0
    clear: bytes = b""  # RGB, top row first
    covered: bytes = b""  # the same with personal fields painted over
    failure: str = ""  # fetch failed: why (for the log; the screen says it plainly)

    @property
    def sealed_ok(self) -> bool:
        """验章通过: every seal VALID under the terminal's anchors."""
        return self.check is not None and self.check.status == work.VALID


def cover_boxes(certificate: VerifiedCertificate, link: Any) -> list[tuple[float, float, float, float]]:
    """Page fractions of the values the detail page masks (the same rule: kiosk.views)."""
    record = certificate.record
    number = record.summary.number
    values = {f.label: f.value for f in record.face}
    values.setdefault("证照编号", number)
    width, height = (float(v) for v in link.page)
    boxes = []
    for field in link.fields:
        value = values.get(field.label)
        if value is None or mask_face_value(field.label, value, number) == value:
            continue
        x, y, w, h = (float(v) for v in field.box)
        boxes.append((x / width, y / height, w / width, h / height))
    return boxes


class IssuedFaces:
    """The session's 照面 files (kiosk.controller holds one and routes to it)."""

    def __init__(
        self,
        machine: SessionMachine,
        backend: Callable[[], Any],
        anchors: Callable[[], list[bytes]],
        spawn: Callable[[Any], Any],
        notify: Callable[[], None],
    ) -> None:
        self._machine = machine
        self._backend = backend
        self._anchors = anchors
        self._spawn = spawn
        self._notify = notify
        self._session: str | None = None
        self._faces: dict[str, IssuedFace] = {}
        self._files: dict[str, bytes] = {}  # fetched files (SM3 checked), whatever their seals
        self._links: dict[str, Any] = {}  # identifier -> its record's OFD link, with the file
        self._checks: dict[str, work.SealCheck | None] = {}  # the listing's checks; None: running
        self._fetched: dict[str, asyncio.Event] = {}  # set when the listing's fetch is over
        self._considered: set[str] = set()  # records looked at for a listing check
        self.version = 0  # bumped at every change: part of the detail screen's signature
        machine.subscribe(self._on_machine)

    # ------------------------------------------------------------------ reading
    def face(self, identifier: str | None) -> IssuedFace | None:
        data = self._machine.data
        if identifier is None or data is None or data.id != self._session:
            return None
        return self._faces.get(identifier)

    def file(self, identifier: str) -> bytes | None:
        """The verified file (only when its seals were VALID): what the A4 加注件 prints."""
        face = self.face(identifier)
        return self._files.get(identifier) if face is not None and face.sealed_ok else None

    def seal(self, identifier: str) -> str:
        """The seal verdict of a listed certificate's file, for the list's badge and receipts.

        SEAL_FAILED only when the check ran and was not VALID (the detail page's rule:
        IssuedView.seal_failed); a file that could not be fetched leaves the record's own check to
        decide (SEAL_NONE), as the detail page does. SEAL_CHECKING until the check is over.
        """
        data = self._machine.data
        record = data.records.get(identifier) if data is not None else None
        if data is None or record is None or not record.verification.ok:
            return SEAL_NONE
        if data.id == self._session:
            face = self._faces.get(identifier)
            if face is not None and face.phase != "loading":
                return _verdict(face.check)
            if identifier in self._checks:
                check = self._checks[identifier]
                return SEAL_CHECKING if check is None else _verdict(check)
        backend = self._backend()
        if backend is None or not hasattr(backend, "fetch_ofd") or not _links_a_file(record):
            return SEAL_NONE
        return SEAL_CHECKING  # about to be checked (the machine's change that starts it is on its way)

    async def settled(self, identifiers: Iterable[str], timeout: float) -> None:
        """Wait, at most ``timeout`` seconds, until none of ``identifiers`` is SEAL_CHECKING.

        For the print step: a receipt printed while a seal is being checked would otherwise have
        to leave that certificate out. What is still unchecked then is left out by the caller.
        """
        wanted = list(identifiers)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while any(self.seal(i) == SEAL_CHECKING for i in wanted) and loop.time() < deadline:
            await asyncio.sleep(0.05)

    # ------------------------------------------------------------------ routing
    def want(self, identifier: str) -> None:
        """The citizen opened ``identifier``: fetch, check and draw its file once per session."""
        data = self._machine.data
        backend = self._backend()
        if data is None or backend is None or not hasattr(backend, "fetch_ofd"):
            return
        if data.id != self._session:
            self._wipe(data.id)
        certificate = data.records.get(identifier)
        if certificate is None or identifier in self._faces or not _links_a_file(certificate):
            return
        if not certificate.verification.ok:
            # a revoked, expired or restricted certificate keeps today's page (the field list and
            # why it cannot serve): a 验章通过 beside it would read as if it could
            return
        self._set(identifier, IssuedFace("loading"))
        self._spawn(self._load(data.id, identifier, certificate))

    async def _load(self, session_id: str, identifier: str, certificate: VerifiedCertificate) -> None:
        from kiosk.backend.verifier import run_verifier

        fetching = self._fetched.get(identifier)
        if fetching is not None:
            await fetching.wait()  # the listing's check is fetching it: the same file, not twice
        if session_id != self._session:
            return
        link, data = self._links.get(identifier), self._files.get(identifier)
        if link is None or data is None:
            try:
                link, data = await self._backend().fetch_ofd(certificate)
            except BackendError as exc:
                log.warning("issued: OFD file not taken: %s", exc.kind.value)
                self._store(session_id, identifier, IssuedFace("failed", failure=exc.kind.value))
                return
        drawn = await run_verifier(
            work.check_and_draw, data, self._anchors(), SCREEN_WIDTH_PX, cover_boxes(certificate, link)
        )
        if drawn.check.status != work.VALID:
            log.warning("issued: seal check %s", drawn.check.status)
        phase = "shown" if drawn.clear else "failed"
        face = IssuedFace(phase, drawn.check, drawn.width, drawn.height, drawn.clear, drawn.covered)
        if self._store(session_id, identifier, face):
            self._files[identifier] = data
            self._links[identifier] = link

    # ------------------------------------------------------------------ the listing's checks
    def _check_listed(self, session_id: str, records: dict[str, VerifiedCertificate]) -> None:
        """Start the seal check of each record that arrived, verified valid and linking a file."""
        new = [i for i in records if i not in self._considered]
        if not new:
            return
        backend = self._backend()
        if backend is None or not hasattr(backend, "fetch_ofd"):
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # not on the controller's loop (a machine driven alone): no checks
            return
        for identifier in new:
            self._considered.add(identifier)
            certificate = records[identifier]
            if not certificate.verification.ok or not _links_a_file(certificate):
                continue
            self._checks[identifier] = None
            self._fetched[identifier] = asyncio.Event()
            self._spawn(self._check(session_id, identifier, certificate))

    async def _check(self, session_id: str, identifier: str, certificate: VerifiedCertificate) -> None:
        from kiosk.backend.verifier import run_verifier

        fetched = self._fetched[identifier]
        try:
            try:
                link, data = await self._backend().fetch_ofd(certificate)
            except BackendError as exc:
                log.warning("issued: OFD file not taken for its seal check: %s", exc.kind.value)
                self._checked(session_id, identifier, work.SealCheck(work.UNFETCHED, exc.kind.value))
                return
            if session_id != self._session:
                return
            self._files[identifier], self._links[identifier] = data, link
        finally:
            fetched.set()
        check = await run_verifier(work.check_seals, data, self._anchors())
        if check.status != work.VALID:
            log.warning("issued: seal check %s", check.status)
        self._checked(session_id, identifier, check)

    def _checked(self, session_id: str, identifier: str, check: work.SealCheck) -> None:
        data = self._machine.data
        if data is None or data.id != session_id or session_id != self._session:
            return  # the session ended meanwhile: nothing of it is kept
        self._checks[identifier] = check
        self.version += 1
        self._notify()

    # ------------------------------------------------------------------ state
    def _store(self, session_id: str, identifier: str, face: IssuedFace) -> bool:
        data = self._machine.data
        if data is None or data.id != session_id or session_id != self._session:
            return False  # the session ended meanwhile: nothing of it is kept
        self._set(identifier, face)
        return True

    def _set(self, identifier: str, face: IssuedFace) -> None:
        self._faces[identifier] = face
        self.version += 1
        self._notify()

    def _on_machine(self, machine: SessionMachine) -> None:
        data = machine.data
        current = data.id if data is not None else None
        if current != self._session:
            self._wipe(current)
        if data is not None and data.records:
            self._check_listed(data.id, data.records)

    def _wipe(self, session_id: str | None) -> None:
        self._faces.clear()
        self._files.clear()
        self._links.clear()
        self._checks.clear()
        self._considered.clear()
        for fetching in self._fetched.values():
            fetching.set()  # an opened certificate waiting on the old session's fetch goes on (and drops)
        self._fetched.clear()
        self._session = session_id
        self.version += 1


def as_printed(certificate: VerifiedCertificate, seal: str) -> VerifiedCertificate:
    """A record as a receipt may list it, given its file's seal verdict (``IssuedFaces.seal``).

    The receipt (kiosk.receipt.contents) puts only records verified VALID under its official
    marks. A record whose file's seals failed, or are still unchecked when the paper is made, is
    handed to it as not verified (its reason says which): left off a list with the others that
    cannot serve, or printed as 未能核验，不能作为办事凭证 — never as 有效（已验证）.
    """
    if not certificate.verification.ok or seal not in (SEAL_FAILED, SEAL_CHECKING):
        return certificate
    reason = "证照文件的电子印章未通过核验" if seal == SEAL_FAILED else "证照文件的电子印章尚未核验"
    return VerifiedCertificate(certificate.record, Verification(CertStatus.UNVERIFIED, reason))


def _verdict(check: work.SealCheck | None) -> str:
    if check is None or check.status == work.UNFETCHED:
        return SEAL_NONE  # not fetched: no check ran (the detail page keeps the record's word too)
    return SEAL_VALID if check.status == work.VALID else SEAL_FAILED


def _links_a_file(certificate: VerifiedCertificate) -> bool:
    from kiosk.backend.client import ofd_link

    return ofd_link(certificate) is not None
