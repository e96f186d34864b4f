"""Per session: the OFD file of the certificate the citizen opened, its seal check and its drawing.

Started when the citizen opens a certificate whose verified record links a file (the controller
routes ``want``); the file is fetched through the backend client (size, SM3 and path checked
there), then checked and drawn in the verifier process (kiosk.issued.work). Everything is held for
this session only, in memory: the machine's session changing (ended, cancelled, timed out, the
next citizen) wipes it, and a result for a session that has ended is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kiosk.backend.errors import BackendError
from kiosk.domain.certificate import VerifiedCertificate
from kiosk.issued import work
from kiosk.views import mask_face_value

if TYPE_CHECKING:
    from kiosk.session import SessionMachine

log = logging.getLogger(__name__)

# the page is drawn this many pixels wide: a portrait screen's width, a little over for zooming in
SCREEN_WIDTH_PX = 1200
# A4 加注件: the page drawn for about 180 mm of paper at 240 dpi
PRINT_WIDTH_PX = 1700


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
        self._files: dict[str, bytes] = {}
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

        backend = self._backend()
        try:
            link, data = await backend.fetch_ofd(certificate)
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
        current = machine.data.id if machine.data is not None else None
        if current != self._session and (self._faces or self._files):
            self._wipe(current)

    def _wipe(self, session_id: str | None) -> None:
        self._faces.clear()
        self._files.clear()
        self._session = session_id
        self.version += 1


def _links_a_file(certificate: VerifiedCertificate) -> bool:
    from kiosk.backend.client import ofd_link

    return ofd_link(certificate) is not None
