"""The shared shape of every python-escpos link (TCP, USB, serial): status queries and raw jobs.

python-escpos gives one small class per link with ``_raw`` and ``_read``; its own status helpers
report "paper adequate" and "offline" when the printer answers nothing, and its Network default
timeout is 60 s (Usb: none). Here each link reads with a short timeout, silence is "unknown", and
every failure becomes a :class:`PrinterError` with a stable reason.
"""

from __future__ import annotations

import logging
import socket
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError
from escpos.exceptions import Error as EscposError

from drivers.printer.job_bytes import receipt_job
from drivers.printer.status_bytes import (
    DLE_EOT_OFFLINE_CAUSE,
    DLE_EOT_ONLINE,
    DLE_EOT_PAPER,
    decode_cover_open,
    decode_online,
    decode_paper,
    decode_paper_end_stop,
)
from drivers.printer.types import PrinterError, PrinterStatus, paper_width_dots, refuse_if_not_ready

log = logging.getLogger(__name__)


def classify_os_error(exc: BaseException, connecting: bool) -> PrinterError:
    """Map a link failure onto the stable reasons the core understands."""
    if isinstance(exc, PrinterError):
        return exc
    # socket timeouts, pyserial's SerialTimeoutException and pyusb's USBTimeoutError are all timeouts
    if isinstance(exc, socket.timeout | TimeoutError) or type(exc).__name__.endswith("TimeoutException"):
        return PrinterError("offline" if connecting else "timeout", str(exc))
    if type(exc).__name__ == "USBTimeoutError":
        return PrinterError("offline" if connecting else "timeout", str(exc))
    if connecting or isinstance(exc, DeviceNotFoundError | ConnectionRefusedError):
        return PrinterError("offline", str(exc) or type(exc).__name__)
    return PrinterError("io", str(exc) or type(exc).__name__)


class EscposLinkPrinter(ABC):
    """Base of the TCP, USB and serial receipt printers (``kiosk.ports.PrinterPort`` by shape).

    One link at a time: a lock serialises status polls and jobs, since a printer answers status
    bytes on the same channel that carries the job.
    """

    kind = "escpos"

    def __init__(
        self,
        paper_mm: int = 80,
        timeout_seconds: float = 3.0,
        status_timeout_seconds: float = 0.5,
        check_status: bool = True,
    ) -> None:
        self._width = paper_width_dots(paper_mm)
        self.timeout_seconds = timeout_seconds
        self.status_timeout_seconds = status_timeout_seconds
        self.check_status = check_status
        self._lock = threading.Lock()

    @property
    def paper_width_dots(self) -> int:
        return self._width

    # ------------------------------------------------------------------ link specifics
    @abstractmethod
    def _open_link(self) -> Escpos:
        """A connected python-escpos printer; raise on failure."""

    def _drain(self, link: Escpos) -> None:  # noqa: B027 - optional hook
        """Discard bytes a printer sent late (an answer to an earlier query) before asking again."""

    def _prepare_send(self, link: Escpos, size: int) -> None:  # noqa: B027 - optional hook
        """Adjust the link's write timeout for a job of ``size`` bytes (serial links are slow)."""

    # ------------------------------------------------------------------ shared logic
    @contextmanager
    def _session(self) -> Iterator[Escpos]:
        try:
            link = self._open_link()
        except (OSError, EscposError) as exc:
            raise classify_os_error(exc, connecting=True) from exc
        try:
            yield link
        finally:
            try:
                link.close()
            except (OSError, EscposError) as exc:  # closing a dead link must not hide the real error
                log.debug("closing printer link failed: %s", exc)

    def _query(self, link: Escpos, query: bytes) -> bytes:
        self._drain(link)
        link._raw(query)
        return bytes(link._read() or b"")

    def _read_status(self, link: Escpos) -> PrinterStatus:
        try:
            online_answer = self._query(link, DLE_EOT_ONLINE)
            online = decode_online(online_answer)
            if online is None:  # a printer that does not answer the first query will not answer the rest
                return PrinterStatus.unknown()
            cause = self._query(link, DLE_EOT_OFFLINE_CAUSE)
            paper = decode_paper(self._query(link, DLE_EOT_PAPER))
        except (OSError, EscposError) as exc:
            raise classify_os_error(exc, connecting=False) from exc
        if decode_paper_end_stop(cause):
            paper = "out"
        return PrinterStatus(online=online, cover_open=decode_cover_open(cause), paper=paper)

    def status(self) -> PrinterStatus:
        """Query DLE EOT 1, 2, 4. An unreachable printer is offline; a silent one is unknown."""
        with self._lock:
            try:
                with self._session() as link:
                    return self._read_status(link)
            except PrinterError as exc:
                if exc.reason == "offline":
                    return PrinterStatus(online=False, cover_open=None, paper="unknown")
                return PrinterStatus.unknown()

    def print_image(self, image: Any) -> None:
        """Send one job (ESC @, GS v 0 raster, cut) after checking the printer says it can print."""
        job = receipt_job(image, self._width)
        with self._lock, self._session() as link:
            if self.check_status:
                refuse_if_not_ready(self._read_status(link))
            try:
                self._prepare_send(link, len(job))
                link._raw(job)
            except (OSError, EscposError) as exc:
                raise classify_os_error(exc, connecting=False) from exc

    def send_raw(self, data: bytes) -> None:
        """Send bytes as they are (diagnostics)."""
        with self._lock, self._session() as link:
            try:
                self._prepare_send(link, len(data))
                link._raw(data)
            except (OSError, EscposError) as exc:
                raise classify_os_error(exc, connecting=False) from exc
