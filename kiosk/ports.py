"""What the core needs from devices and the backend, stated as structural protocols.

Drivers in ``drivers/`` never import this module: their own small types satisfy these protocols by
shape (see architecture.md, "Devices"). The app wiring builds concrete adapters from configuration and
hands them to :class:`kiosk.controller.Controller`.

Threading contract: device ``start()`` callbacks may be called from a driver's worker thread. The
controller hops them onto the asyncio loop with ``loop.call_soon_threadsafe``; drivers never touch
the loop or the UI.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Protocol, runtime_checkable

from kiosk.domain.certificate import CertificateSummary, VerifiedCertificate
from kiosk.domain.holder import Holder

# --------------------------------------------------------------------------- card reader


class CardIdentityLike(Protocol):
    """Identity decoded from a card, as the card driver exports it."""

    @property
    def card_type(self) -> str: ...  # resident | hmt_permit | foreign_2017 | foreign_2023 | social_security
    @property
    def name(self) -> str: ...
    @property
    def name_en(self) -> str | None: ...
    @property
    def sex(self) -> str | None: ...
    @property
    def nation(self) -> str | None: ...
    @property
    def birth_date(self) -> date | None: ...
    @property
    def address(self) -> str | None: ...
    @property
    def id_number(self) -> str: ...
    @property
    def valid_to(self) -> date | None: ...


class CardEventLike(Protocol):
    """One event from a card reader.

    ``kind`` is one of: ``reader_added``, ``reader_removed``, ``card_inserted``, ``card_removed``,
    ``identity`` (``identity`` and ``evidence`` set), ``error`` (``error`` set to a stable code:
    ``removed_mid_read``, ``unreadable``, ``checksum``, ``malformed``, ``no_identity_support``,
    ``reader_failure``, ``not_genuine``).
    """

    @property
    def kind(self) -> str: ...
    @property
    def reader(self) -> str: ...
    @property
    def identity(self) -> CardIdentityLike | None: ...
    @property
    def error(self) -> str | None: ...
    @property
    def evidence(self) -> dict[str, Any]: ...


@runtime_checkable
class CardReaderPort(Protocol):
    def start(self, on_event: Callable[[Any], None]) -> None:
        """Begin watching readers and cards; ``on_event`` receives CardEventLike objects."""

    def stop(self) -> None: ...

    def health(self) -> str:
        """``ok`` | ``degraded`` | ``down`` | ``unknown`` for the status bar and diagnostics."""


# --------------------------------------------------------------------------- camera / QR


class FrameLike(Protocol):
    """A preview frame: RGB bytes, top row first."""

    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def rgb(self) -> bytes: ...


@runtime_checkable
class QrScannerPort(Protocol):
    def start(self, on_text: Callable[[str], None]) -> None:
        """Begin capturing and decoding; ``on_text`` receives each newly seen payload (strict text)."""

    def stop(self) -> None: ...

    def preview(self) -> FrameLike | None:
        """The newest frame for the on-screen preview, or None."""

    def health(self) -> str: ...


# --------------------------------------------------------------------------- printer


class PrinterStatusLike(Protocol):
    @property
    def online(self) -> bool | None: ...  # None = the printer did not answer (unknown)
    @property
    def cover_open(self) -> bool | None: ...
    @property
    def paper(self) -> str: ...  # ok | near_end | out | unknown


@runtime_checkable
class PrinterPort(Protocol):
    """Blocking calls: the controller runs them in a worker thread with ``asyncio.to_thread``."""

    def status(self) -> PrinterStatusLike: ...

    def print_image(self, image: Any) -> None:
        """Print a 1-bit PIL image as raster and cut. Raises ``OSError`` (or a subclass) on failure."""

    @property
    def paper_width_dots(self) -> int: ...


# --------------------------------------------------------------------------- backend


class BackendPort(Protocol):
    """The e-certificate backend (backend-api.md). Every method raises ``BackendError`` on failure."""

    async def query_certificates(
        self,
        holder: Holder,
        use_cause: str,
        type_codes: Sequence[str] | None = None,
    ) -> list[CertificateSummary]: ...

    async def resolve_token(self, token: str, use_cause: str) -> tuple[Holder, list[CertificateSummary]]: ...

    async def get_certificate(self, identifier: str) -> VerifiedCertificate:
        """Fetch and verify one full record (signature, identifier check, status, dates)."""

    async def make_copy(self, identifier: str, use_cause: str, valid_days: int) -> bytes:
        """A 加注件 PNG watermarked with the use cause and expiry."""

    async def submit_evaluation(
        self, service_ref: str, score: int, reasons: Sequence[str] = (), comment: str | None = None
    ) -> None: ...

    async def health(self) -> dict[str, Any]: ...

    async def aclose(self) -> None: ...
