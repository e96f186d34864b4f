"""The backend client on its own event loop, in its own thread.

WHY: the HTTP exchange is asynchronous, but everything around it is Python work done by whichever
loop runs the client: building and signing the request, TLS, parsing the answer (h11), decoding
the JSON, validating it (pydantic) and handing records to the verifier. On the Kivy loop that
work lands inside frames. In the soak, the frames in which the certificate list filled in were
the longest of a session (over 100 ms with the software renderer), and a good share of them was
the client's work on the answers arriving. On a loop of its own that work is cut into the
interpreter's switch intervals (5 ms) instead of sitting in one frame.

The wrapped client is used only from its own loop; callers on any other loop await its results.
Cancelling the caller's task cancels the call on the backend loop (``run_coroutine_threadsafe``
chains both ways), so a citizen who walks away does not leave requests running.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

from kiosk.backend.errors import BackendError, BackendErrorKind
from kiosk.bundles.port import FetchedBundle
from kiosk.domain.certificate import CertificateSummary, VerifiedCertificate
from kiosk.domain.holder import Holder
from kiosk.ports import BackendPort
from kiosk.thread_priority import run_below_the_screen

T = TypeVar("T")

THREAD_NAME = "backend-loop"
CLOSE_TIMEOUT = 10.0


class BackendOnOwnLoop:
    """A :class:`BackendPort` that runs another one on a private loop in a daemon thread.

    Every public call of the client (kiosk.backend.client.HttpBackend) is forwarded by name, with
    its signature (tests/backend/test_backend_own_loop.py compares them): a capability added to the
    client but not here fails only in ``kiosk run``, where the client is wrapped.
    """

    def __init__(self, inner: BackendPort, name: str = THREAD_NAME) -> None:
        self.inner = inner
        self._loop = asyncio.new_event_loop()
        self._closed = False
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), name=name, daemon=True)
        self._thread.start()
        ready.wait(5.0)

    def _run(self, ready: threading.Event) -> None:
        run_below_the_screen()  # signing, TLS and parsing give way to the screen's frames
        asyncio.set_event_loop(self._loop)
        self._loop.call_soon(ready.set)
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    async def _on_loop(self, coro: Coroutine[Any, Any, T]) -> T:
        if self._closed or not self._thread.is_alive():
            coro.close()
            raise BackendError(BackendErrorKind.UNAVAILABLE, "backend client is closed")
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return await asyncio.wrap_future(future)

    # ------------------------------------------------------------------ the port

    async def query_certificates(
        self, holder: Holder, use_cause: str, type_codes: Sequence[str] | None = None
    ) -> list[CertificateSummary]:
        return await self._on_loop(self.inner.query_certificates(holder, use_cause, type_codes))

    async def resolve_token(self, token: str, use_cause: str) -> tuple[Holder, list[CertificateSummary]]:
        return await self._on_loop(self.inner.resolve_token(token, use_cause))

    async def get_certificate(self, identifier: str) -> VerifiedCertificate:
        return await self._on_loop(self.inner.get_certificate(identifier))

    async def server_verify(self, identifier: str) -> tuple[bool, str, str | None]:
        return await self._on_loop(self.inner.server_verify(identifier))  # type: ignore[attr-defined]

    async def make_copy(self, identifier: str, use_cause: str, valid_days: int) -> bytes:
        return await self._on_loop(self.inner.make_copy(identifier, use_cause, valid_days))

    async def fetch_ofd(self, certificate: VerifiedCertificate) -> tuple[Any, bytes]:
        return await self._on_loop(self.inner.fetch_ofd(certificate))  # type: ignore[attr-defined]

    async def submit_evaluation(
        self, service_ref: str, score: int, reasons: Sequence[str] = (), comment: str | None = None
    ) -> None:
        await self._on_loop(self.inner.submit_evaluation(service_ref, score, reasons, comment))

    async def submit_complaint(self, ticket: str, sealed: bytes) -> str:
        return await self._on_loop(self.inner.submit_complaint(ticket, sealed))  # type: ignore[attr-defined]

    async def complaint_status(self, ticket: str, code: str) -> dict[str, Any]:
        return await self._on_loop(self.inner.complaint_status(ticket, code))  # type: ignore[attr-defined]

    async def fetch_bundle(self, group: str, etag: str | None = None) -> FetchedBundle | None:
        """kiosk.bundles' poller (a :class:`~kiosk.bundles.port.BundleSource`) through this wrapper:
        ``kiosk run`` wraps the client, so without it every poll failed on AttributeError."""
        return await self._on_loop(self.inner.fetch_bundle(group, etag))  # type: ignore[attr-defined]

    async def health(self) -> dict[str, Any]:
        return await self._on_loop(self.inner.health())

    async def aclose(self) -> None:
        """Close the wrapped client on its loop, then stop the loop and its thread (idempotent)."""
        if self._closed:
            return
        try:
            if self._thread.is_alive():
                await asyncio.wait_for(self._on_loop(self.inner.aclose()), CLOSE_TIMEOUT)
        finally:
            self._closed = True
            if self._thread.is_alive():
                self._loop.call_soon_threadsafe(self._loop.stop)
                await asyncio.to_thread(self._thread.join, CLOSE_TIMEOUT)
