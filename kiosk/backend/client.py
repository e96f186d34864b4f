"""The e-certificate backend client (satisfies :class:`kiosk.ports.BackendPort`).

One :class:`HttpBackend` per terminal, holding one ``httpx.AsyncClient`` so TLS sessions and TCP
connections are reused between calls. Every request is signed (:mod:`kiosk.backend.signing`).

Failure policy, decided here once so that every call behaves the same:

* Timeouts: connect and read timeouts per attempt from the configuration, and ``total_timeout``
  around the whole call including retries and back-off, so a citizen never waits longer than that.
* Retries (at most ``retries`` more attempts, exponential back-off with full jitter) only for
  transient failures: a connection that could not be made, and 502/503/504 answers.
  Idempotent calls (GET record, verify, health) retry on all of these and on a connection lost
  mid-answer. Calls that change something on the server — query and token resolution (usage log;
  a 亮证 token is single-use), copies (usage log) and ratings — are retried ONLY when the
  connection could not be established, because only then is it certain the request never reached
  the server. A retried token resolution would otherwise come back TOKEN_USED, and a rating would
  be counted twice. (The one exception, a kept-alive connection that died unanswered, follows.)
* Kept-alive connections: idle ones are dropped after ``keepalive_expiry`` (default 4 s), below
  the server's own idle timeout (uvicorn: 5 s), so the client does not pick a connection the
  server is closing. Should one still die under a request before any answer came back (the server
  closed it as the request went out), the request is sent once more at once, on another
  connection, outside the ``retries`` count (see :meth:`HttpBackend._once` for why that is safe
  also for the calls above that change something).
* Circuit breaker: ``breaker_failures`` consecutive failed calls (unreachable, timeout, 5xx,
  malformed answers) open it for ``breaker_reset_seconds``; meanwhile calls fail at once with
  CIRCUIT_OPEN. Then one trial call goes through (half-open). Business answers (404, 403, token
  expired …) are the server working normally and count as success.
* Bounds on what a server can make the terminal hold or do (issue 19): the client asks for
  ``Accept-Encoding: gzip`` only and decodes the raw bytes itself (:mod:`kiosk.backend.bounded`),
  so the decoded body never exceeds ``max_response_bytes`` (error answers: ``ERROR_BODY_LIMIT``),
  compressed or not, whatever ``Content-Length`` claims; stacked (``gzip, gzip``) and unknown
  codings are refused. JSON deeper than 32 levels, ``NaN``/``Infinity`` and invalid UTF-8 are
  refused before or while parsing (:mod:`kiosk.backend.safejson`), then the answer is validated
  with pydantic (:mod:`kiosk.backend.schemas`: bounded lengths, finite numbers, a plausible server
  time). Every way an answer can fail there is BAD_RESPONSE, which feeds the breaker; a server
  that drips its answer is cut off by ``total_timeout``.
* Logging shows method, masked path, status, timing and error kind — never bodies, names or codes.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import ipaddress
import json
import logging
import random
import re
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from gmssl import sm3
from pydantic import BaseModel

from kiosk.backend import safejson
from kiosk.backend.bounded import BodyRefused, BoundedBody
from kiosk.backend.breaker import CircuitBreaker
from kiosk.backend.errors import BackendError, BackendErrorKind
from kiosk.backend.privacy import install_log_masking, mask_identifier
from kiosk.backend.schemas import (
    CertificateListAnswer,
    ErrorAnswer,
    FullRecordAnswer,
    HealthAnswer,
    OfdLinkModel,
    ResolveAnswer,
    SummaryModel,
    VerifyAnswer,
)
from kiosk.backend.signing import new_nonce, sign_headers
from kiosk.backend.verifier import run_verifier
from kiosk.backend.verify import to_record, verify_record
from kiosk.bundles.port import FetchedBundle
from kiosk.domain.certificate import CertificateSummary, CertStatus, VerifiedCertificate
from kiosk.domain.holder import Holder
from kiosk.domain.identifiers import CertificateIdentifierError, parse_certificate_identifier
from kiosk.settings.backend import BackendConfig

log = logging.getLogger("kiosk.backend")
install_log_masking()

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

# Stable error codes of backend-api.md → kinds.
CODE_KINDS: dict[str, BackendErrorKind] = {
    "AUTH_FAILED": BackendErrorKind.AUTH_FAILED,
    "CLOCK_SKEW": BackendErrorKind.CLOCK_SKEW,
    "REPLAY": BackendErrorKind.REPLAY,
    "FORBIDDEN_TYPE": BackendErrorKind.FORBIDDEN_TYPE,
    "NOT_FOUND": BackendErrorKind.NOT_FOUND,
    "TOKEN_EXPIRED": BackendErrorKind.TOKEN_EXPIRED,
    "TOKEN_USED": BackendErrorKind.TOKEN_USED,
    "RATE_LIMITED": BackendErrorKind.RATE_LIMITED,
    "INVALID_REQUEST": BackendErrorKind.INVALID_REQUEST,
    "INTERNAL": BackendErrorKind.INTERNAL,
}
# When an error answer has no usable code (e.g. a proxy's HTML page).
STATUS_KINDS: dict[int, BackendErrorKind] = {
    400: BackendErrorKind.INVALID_REQUEST,
    401: BackendErrorKind.AUTH_FAILED,
    403: BackendErrorKind.FORBIDDEN_TYPE,
    404: BackendErrorKind.NOT_FOUND,
    409: BackendErrorKind.REPLAY,
    413: BackendErrorKind.INVALID_REQUEST,
    422: BackendErrorKind.INVALID_REQUEST,
    429: BackendErrorKind.RATE_LIMITED,
}
GATEWAY_STATUSES = frozenset({502, 503, 504})
# Failures that say "the backend is not working" and feed the circuit breaker.
BREAKER_KINDS = frozenset(
    {
        BackendErrorKind.UNAVAILABLE,
        BackendErrorKind.TIMEOUT,
        BackendErrorKind.INTERNAL,
        BackendErrorKind.BAD_RESPONSE,
    }
)
LOOPBACK_NAMES = frozenset({"localhost"})
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# what an OFD file may be served as (GB/T 33190 names application/ofd; a zip or bytes is common)
OFD_MEDIA_TYPES = frozenset({"application/ofd", "application/octet-stream", "application/zip"})
ERROR_BODY_LIMIT = 64_000
# connections to the backend at most (records are fetched side by side); idle ones are kept a while
MAX_CONNECTIONS = 8
# The one content coding the client asks for: answers are JSON lists and records (gzip shrinks them
# several times on a slow line) and PNG copies (already compressed). Asking explicitly also keeps
# httpx from advertising br/zstd should those libraries ever be installed beside it.
ACCEPT_ENCODING = "gzip"
# httpcore's words when a kept-alive connection was closed under a request before any answer
SERVER_DISCONNECTED = "Server disconnected without sending a response"
_BUNDLE_GROUP = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def _json_object(answer: _Answer) -> dict[str, Any]:
    """A JSON object answer (bounded parser), else BAD_RESPONSE."""
    if "json" not in answer.content_type:
        raise BackendError(BackendErrorKind.BAD_RESPONSE, "answer is not JSON")
    try:
        raw = safejson.loads(answer.body)
    except Exception:  # the answer's fault, as in _json_raw
        raise BackendError(BackendErrorKind.BAD_RESPONSE, "answer is not JSON") from None
    if not isinstance(raw, dict):
        raise BackendError(BackendErrorKind.BAD_RESPONSE, "answer is not an object")
    return raw


class _Attempt(Exception):
    """One failed attempt; ``sent`` tells whether the request may have reached the server.

    ``stale``: it died on a reused kept-alive connection before any answer arrived.
    """

    def __init__(self, error: BackendError, *, transient: bool, sent: bool, stale: bool = False) -> None:
        super().__init__(str(error))
        self.error = error
        self.transient = transient
        self.sent = sent
        self.stale = stale


class _ConnectionTrace:
    """httpcore's ``trace`` extension: did this request open a connection, did an answer start?

    httpcore reports connect events to the request that makes the connection; a request that sees
    none went out on a connection kept from an earlier call.
    """

    def __init__(self) -> None:
        self.connected = False
        self.answer_started = False

    async def __call__(self, event: str, info: Mapping[str, Any]) -> None:
        if event.startswith("connection.connect_"):
            self.connected = True
        elif event == "http11.receive_response_headers.complete":
            self.answer_started = True


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    content_type: str
    body: bytes
    etag: str = ""


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"cannot send {type(value).__name__} as JSON")


def _summary(m: SummaryModel) -> CertificateSummary:
    return CertificateSummary(
        identifier=m.identifier,
        type_code=m.type_code,
        name=m.name,
        number=m.number,
        holder_name=m.holder_name,
        holder_code=m.holder_code,
        holder_type=m.holder_type,
        issuer=m.issuer,
        issuer_code=m.issuer_code,
        issue_date=m.issue_date,
        valid_from=m.valid_from,
        valid_to=m.valid_to,
        status=m.status,
    )


def _summaries(models: Sequence[SummaryModel]) -> list[CertificateSummary]:
    """Summaries whose identifier passes its check character; others are dropped and logged.

    An identifier that fails its own check cannot be fetched or shown reliably, and showing it
    would invite the citizen to pick a certificate the terminal will then refuse.
    """
    out: list[CertificateSummary] = []
    for m in models:
        try:
            parse_certificate_identifier(m.identifier)
        except CertificateIdentifierError:
            log.warning(
                "backend: dropped a certificate summary with a bad identifier (%s)",
                mask_identifier(m.identifier),
            )
            continue
        out.append(_summary(m))
    return out


class HttpBackend:
    """The backend over HTTPS (httpx). See the module docstring for the failure policy."""

    def __init__(
        self,
        settings: BackendConfig,
        terminal_id: str,
        *,
        clock: Callable[[], float] = time.time,
        today: Callable[[], date] = date.today,
        nonce_factory: Callable[[], str] = new_nonce,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        url = urlsplit(settings.url)
        if url.scheme not in ("https", "http") or not url.hostname:
            raise ValueError(f"backend url must be http(s)://host[:port]: {settings.url!r}")
        if url.scheme == "http" and not _is_loopback(url.hostname):
            raise ValueError("plain http is only allowed to a loopback address (demo and tests)")
        self.settings = settings
        self.terminal_id = terminal_id
        self._secret = settings.terminal_secret.get_secret_value()
        self._issuer_keys: Mapping[str, str] = dict(settings.issuer_keys)
        self._clock = clock
        self._today = today
        self._nonce = nonce_factory
        self.breaker = CircuitBreaker(settings.breaker_failures, settings.breaker_reset_seconds)
        timeout = httpx.Timeout(
            connect=settings.connect_timeout,
            read=settings.read_timeout,
            write=settings.read_timeout,
            pool=settings.connect_timeout,
        )
        self._client = httpx.AsyncClient(
            base_url=settings.url.rstrip("/"),
            timeout=timeout,
            verify=self._tls_context(settings),
            transport=transport,
            follow_redirects=False,
            trust_env=False,  # a proxy from the environment must not silently sit in the middle
            headers={
                "Accept": "application/json",
                "Accept-Encoding": ACCEPT_ENCODING,
                "User-Agent": f"liujiang-kiosk/{terminal_id}",
            },
            limits=httpx.Limits(
                max_connections=MAX_CONNECTIONS,
                max_keepalive_connections=4,
                keepalive_expiry=settings.keepalive_expiry,
            ),
        )

    @classmethod
    def from_config(cls, config: Any, **kwargs: Any) -> HttpBackend:
        """Build from a :class:`kiosk.settings.KioskConfig`."""
        return cls(config.backend, config.terminal.id, **kwargs)

    @staticmethod
    def _tls_context(settings: BackendConfig) -> ssl.SSLContext | bool:
        if not settings.verify_tls:
            if settings.url.startswith("https"):
                log.warning("backend: TLS certificate verification is OFF (verify_tls = false)")
            return False
        if settings.ca_file:
            return ssl.create_default_context(cafile=settings.ca_file)  # pinned CA only
        return ssl.create_default_context()  # the system trust store

    # ------------------------------------------------------------------ the port

    async def query_certificates(
        self, holder: Holder, use_cause: str, type_codes: Sequence[str] | None = None
    ) -> list[CertificateSummary]:
        if not holder.evidence:
            # backend-api.md: a query is always bound to something presented at this terminal.
            raise BackendError(BackendErrorKind.INVALID_REQUEST, "holder has no evidence")
        body: dict[str, Any] = {
            "holder_code": holder.id_number,
            "holder_type": holder.holder_type,
            "evidence": holder.evidence,
            "use_cause": use_cause,
        }
        if type_codes:
            body["type_codes"] = list(type_codes)
        answer = await self._json(
            "POST", "/v1/certificates/query", CertificateListAnswer, body=body, idempotent=False
        )
        return _summaries(answer.certificates)

    async def resolve_token(self, token: str, use_cause: str) -> tuple[Holder, list[CertificateSummary]]:
        if not token or len(token) > 200 or not token.isprintable():
            raise BackendError(BackendErrorKind.INVALID_REQUEST, "not a token")
        answer = await self._json(
            "POST",
            "/v1/lz-tokens/resolve",
            ResolveAnswer,
            body={"token": token, "use_cause": use_cause},
            idempotent=False,
        )
        h = answer.holder
        holder = Holder(
            name=h.name,
            id_number=h.holder_code,
            holder_type=h.holder_type,
            card_type="token",
            evidence={"kind": "lz_token", "resolved_at": datetime.now().astimezone().isoformat()},
        )
        return holder, _summaries(answer.certificates)

    async def get_certificate(self, identifier: str) -> VerifiedCertificate:
        path = self._certificate_path(identifier)
        answer, raw = await self._json_raw("GET", path, FullRecordAnswer, idempotent=True)
        rec = answer.record
        if rec.identifier != identifier:
            raise BackendError(BackendErrorKind.BAD_RESPONSE, "answer is for another certificate")
        try:
            record = to_record(raw["record"], _summary(rec), rec.key_id, answer.signature.value)
        except (ValueError, TypeError, KeyError) as exc:
            raise BackendError(BackendErrorKind.BAD_RESPONSE, "record cannot be canonicalised") from exc
        # pure-Python SM2 takes tens of milliseconds a record: in another process (kiosk.backend.verifier)
        verification = await run_verifier(
            verify_record, record, dict(self._issuer_keys), self._today(), answer.signature.key_id
        )
        if not verification.ok:
            log.warning(
                "backend: certificate %s did not verify: %s", mask_identifier(identifier), verification.status
            )
        return VerifiedCertificate(record=record, verification=verification)

    async def server_verify(self, identifier: str) -> tuple[bool, str, str | None]:
        """The platform's own verdict on a record (valid, status, reason) — a second opinion."""
        answer = await self._json(
            "POST", self._certificate_path(identifier) + "/verify", VerifyAnswer, body={}, idempotent=True
        )
        return answer.valid, answer.status, answer.reason

    async def make_copy(self, identifier: str, use_cause: str, valid_days: int) -> bytes:
        path = self._certificate_path(identifier) + "/copies"

        def parse(answer: _Answer) -> bytes:
            if not answer.content_type.startswith("image/png") or not answer.body.startswith(PNG_MAGIC):
                raise BackendError(BackendErrorKind.BAD_RESPONSE, "copy is not a PNG image")
            return answer.body

        return await self._call(
            "POST",
            path,
            body={"use_cause": use_cause, "valid_days": int(valid_days)},
            idempotent=False,
            parse=parse,
        )

    async def fetch_ofd(self, certificate: VerifiedCertificate) -> tuple[OfdLinkModel, bytes]:
        """The sealed OFD file a verified record links (its 照面 as issued), checked against the link.

        The link comes from the record's signed bytes, so only a record whose issuer signature
        verified has one. The file is refused (BAD_RESPONSE) when the link's size is over
        ``max_response_bytes``, when the answer is not that many bytes (read under the same cap
        as every answer), or when its SM3 digest is not the link's. Its seals are checked later,
        by kiosk.ofd, against the terminal's own trust anchors.
        """
        link = ofd_link(certificate)
        if link is None:
            raise BackendError(BackendErrorKind.NOT_FOUND, "record links no OFD file")
        path = _ofd_path(link.url, certificate.record.summary.identifier)
        if link.size > self.settings.max_response_bytes:
            raise BackendError(BackendErrorKind.BAD_RESPONSE, "OFD file larger than allowed")

        def parse(answer: _Answer) -> bytes:
            if answer.content_type.split(";")[0].strip() not in OFD_MEDIA_TYPES:
                raise BackendError(BackendErrorKind.BAD_RESPONSE, "answer is not an OFD file")
            if len(answer.body) != link.size:
                raise BackendError(BackendErrorKind.BAD_RESPONSE, "OFD file is not the size the record says")
            if sm3_hex(answer.body) != link.sm3:
                raise BackendError(BackendErrorKind.BAD_RESPONSE, "OFD file does not match the record's SM3")
            return answer.body

        return link, await self._call("GET", path, idempotent=True, parse=parse)

    async def submit_evaluation(
        self, service_ref: str, score: int, reasons: Sequence[str] = (), comment: str | None = None
    ) -> None:
        if not 1 <= int(score) <= 5:
            raise BackendError(BackendErrorKind.INVALID_REQUEST, "score must be 1..5")
        body: dict[str, Any] = {"service_ref": service_ref, "score": int(score), "reasons": list(reasons)}
        if comment:
            body["comment"] = comment
        await self._call(
            "POST", "/v1/evaluations", body=body, idempotent=False, ok=(201,), parse=lambda a: None
        )

    async def submit_complaint(self, ticket: str, sealed: bytes) -> str:
        """Hand in a 咨询/投诉/举报 sealed to the platform's key (kiosk.complaints); its state.

        Retried like an idempotent call: the platform takes the same ticket again as the same entry
        (refserver/complaints.py), so a resend after a lost answer adds nothing.
        """
        body = {"ticket": ticket, "sealed": base64.b64encode(sealed).decode("ascii")}

        def parse(answer: _Answer) -> str:
            data = _json_object(answer)
            state = data.get("state")
            if data.get("ticket") != ticket or state not in ("received", "in_progress", "answered"):
                raise BackendError(BackendErrorKind.BAD_RESPONSE, "complaint answer does not match")
            return str(state)

        return await self._call(
            "POST", "/v1/complaints", body=body, idempotent=True, ok=(200, 201), parse=parse
        )

    async def complaint_status(self, ticket: str, code: str) -> dict[str, Any]:
        """State (received / in_progress / answered) and answer of a ticket, given its query code."""

        def parse(answer: _Answer) -> dict[str, Any]:
            data = _json_object(answer)
            text = data.get("answer")
            if (
                data.get("ticket") != ticket
                or data.get("state") not in ("received", "in_progress", "answered")
                or not (text is None or (isinstance(text, str) and len(text) <= 4000))
            ):
                raise BackendError(BackendErrorKind.BAD_RESPONSE, "status answer does not match")
            return {"ticket": ticket, "state": data["state"], "answer": text, "kind": data.get("kind")}

        return await self._call(
            "POST",
            "/v1/complaints/status",
            body={"ticket": ticket, "code": code},
            idempotent=True,
            parse=parse,
        )

    async def fetch_bundle(self, group: str, etag: str | None = None) -> FetchedBundle | None:
        """The terminal group's signed content bundle (kiosk.bundles), ``None`` on 304: ``etag``
        (``If-None-Match``) still names it. Not trusted here: kiosk.bundles checks its signature."""
        if not _BUNDLE_GROUP.fullmatch(group):  # one path segment, never "." or ".."
            raise BackendError(BackendErrorKind.INVALID_REQUEST, "not a group name")
        if etag is not None and (len(etag) > 200 or not etag.isascii() or not etag.isprintable()):
            etag = None  # a damaged kept tag: ask for the whole bundle

        def parse(answer: _Answer) -> FetchedBundle | None:
            if answer.status == 304:
                return None
            if "json" not in answer.content_type:
                raise BackendError(BackendErrorKind.BAD_RESPONSE, "answer is not JSON")
            try:
                raw = safejson.loads(answer.body)
            except Exception:  # same policy as _json_raw: the answer's fault, a BAD_RESPONSE
                raise BackendError(BackendErrorKind.BAD_RESPONSE, "bundle is not JSON") from None
            if not isinstance(raw, dict):
                raise BackendError(BackendErrorKind.BAD_RESPONSE, "bundle is not an object")
            return FetchedBundle(answer.etag, raw)

        return await self._call(
            "GET",
            f"/v1/bundles/{group}",
            idempotent=True,
            parse=parse,
            ok=(200, 304),
            headers={"If-None-Match": etag} if etag else None,
        )

    async def health(self) -> dict[str, Any]:
        """Server status, version and time, plus ``clock_offset`` (server − terminal, seconds)."""
        sent = self._clock()
        answer = await self._json("GET", "/v1/health", HealthAnswer, idempotent=True)
        received = self._clock()
        result = answer.as_dict()
        result["clock_offset"] = answer.unix - (sent + received) / 2
        result["breaker"] = self.breaker.state.value
        return result

    async def aclose(self) -> None:
        await self._client.aclose()

    # ------------------------------------------------------------------ plumbing

    @staticmethod
    def _certificate_path(identifier: str) -> str:
        try:
            parse_certificate_identifier(identifier)
        except CertificateIdentifierError as exc:
            raise BackendError(BackendErrorKind.INVALID_REQUEST, f"bad identifier: {exc.reason}") from None
        return f"/v1/certificates/{identifier}"

    async def _json(self, method: str, path: str, model: type[M], *, body: Any = None, idempotent: bool) -> M:
        parsed, _ = await self._json_raw(method, path, model, body=body, idempotent=idempotent)
        return parsed

    async def _json_raw(
        self, method: str, path: str, model: type[M], *, body: Any = None, idempotent: bool
    ) -> tuple[M, dict[str, Any]]:
        def parse(answer: _Answer) -> tuple[M, dict[str, Any]]:
            if "json" not in answer.content_type:
                raise BackendError(BackendErrorKind.BAD_RESPONSE, "answer is not JSON")
            try:
                raw = safejson.loads(answer.body)
                return model.model_validate(raw), raw
            except Exception as exc:
                # Whatever the bytes make the parser or the validator raise (too deep, NaN, bad
                # UTF-8, wrong shape, RecursionError, MemoryError …) is the answer's fault: a
                # BAD_RESPONSE, which the breaker counts — never an exception the caller did not
                # expect.
                raise BackendError(
                    BackendErrorKind.BAD_RESPONSE, f"answer does not match the contract: {type(exc).__name__}"
                ) from None

        return await self._call(method, path, body=body, idempotent=idempotent, parse=parse)

    async def _call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        idempotent: bool,
        parse: Callable[[_Answer], T],
        ok: tuple[int, ...] = (200,),
        headers: Mapping[str, str] | None = None,
    ) -> T:
        """One logical call: breaker, total timeout, attempts, then ``parse`` of the answer.

        Parsing happens inside the breaker's accounting so that a server answering garbage counts
        as failing.
        """
        if not self.breaker.allow():
            raise BackendError(BackendErrorKind.CIRCUIT_OPEN, "backend recently failing")
        content = (
            b""
            if body is None
            else json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=_json_default).encode(
                "utf-8"
            )
        )
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.settings.total_timeout):
                answer = await self._attempts(method, path, content, idempotent, ok, headers)
            result = parse(answer)
        except TimeoutError:
            error = BackendError(BackendErrorKind.TIMEOUT, "total timeout")
            self._finish(method, path, started, error)
            raise error from None
        except BackendError as error:
            self._finish(method, path, started, error)
            raise
        except BaseException:
            self.breaker.release()
            raise
        self._finish(method, path, started, None, answer.status)
        return result

    def _finish(
        self, method: str, path: str, started: float, error: BackendError | None, status: int | None = None
    ) -> None:
        ms = (time.perf_counter() - started) * 1000
        shown = self._log_path(path)
        if error is None:
            self.breaker.success()
            log.info("backend: %s %s → %s in %.0f ms", method, shown, status, ms)
            return
        if error.kind in BREAKER_KINDS:
            self.breaker.failure()
        elif error.kind is not BackendErrorKind.CIRCUIT_OPEN:
            self.breaker.success()  # the server answered; it is working
        log.warning("backend: %s %s failed: %s after %.0f ms", method, shown, error.kind.value, ms)

    @staticmethod
    def _log_path(path: str) -> str:
        parts = path.split("/")
        return "/".join(mask_identifier(p) if p.startswith("1.2.156.") else p for p in parts)

    async def _attempts(
        self,
        method: str,
        path: str,
        content: bytes,
        idempotent: bool,
        ok: tuple[int, ...],
        headers: Mapping[str, str] | None = None,
    ) -> _Answer:
        attempt = 0
        while True:
            try:
                return await self._once(method, path, content, ok, idempotent, headers)
            except _Attempt as failed:
                retry = failed.transient and (idempotent or not failed.sent)
                if not retry or attempt >= self.settings.retries:
                    raise failed.error from None
                delay = random.uniform(0, min(2.0, 0.2 * 2**attempt))  # full jitter
                attempt += 1
                log.info(
                    "backend: %s %s retry %d in %.2f s (%s)",
                    method,
                    self._log_path(path),
                    attempt,
                    delay,
                    failed.error.kind.value,
                )
                await asyncio.sleep(delay)

    async def _once(
        self,
        method: str,
        path: str,
        content: bytes,
        ok: tuple[int, ...],
        idempotent: bool,
        headers: Mapping[str, str] | None = None,
    ) -> _Answer:
        """One attempt: sign, send, read — and once more at once if a kept-alive connection died.

        A connection kept from an earlier call can be closed by the server just as the next request
        goes out on it (uvicorn closes idle connections after 5 s; a request arriving at that moment
        is dropped unread and the connection closed without a word). When a REUSED connection dies
        like that before any answer came back, the request is sent once more, without back-off
        and outside the ``retries`` count (the server is not failing), on another connection:
        httpcore has dropped the dead one and checks kept ones for a close before lending them.

        * Idempotent calls (record, verify, health) go again as a freshly signed request.
        * Calls that change something (query, token resolution, copies, ratings) go again as the
          SAME signed request, byte for byte: same timestamp, same nonce. If the first copy never
          reached the application — what a close on an idle connection means — the second is
          served normally. If it did reach it after all, the server refuses the second as a
          replay (backend-api.md: a nonce is accepted once within the skew window; 409 REPLAY,
          checked before any handler runs) and nothing is applied twice: no second usage-log
          entry, no second rating, no TOKEN_USED for the citizen's own token; the citizen reads
          REPLAY's "please do it again". RFC 9110 §9.2.2 allows a non-idempotent retry when the
          client can detect that the original was not applied; here the server's replay guard does
          the detecting, instead of a guess about timing. The one thing that would break it is a
          server that forgets nonces (several instances without shared replay state, against the
          contract) AND processed a request it then never answered on a connection it was closing.
        * Nothing is sent again once any answer has begun, after a timeout, or on a connection
          opened for this request: those keep the policy of :meth:`_attempts`.
        """
        request = self._signed_request(method, path, content, headers)
        try:
            return await self._exchange(request, ok)
        except _Attempt as failed:
            if not failed.stale:
                raise
            log.info(
                "backend: %s %s: kept-alive connection closed under the request, sending it again",
                method,
                self._log_path(path),
            )
        again = self._signed_request(method, path, content, headers) if idempotent else _same_request(request)
        return await self._exchange(again, ok)

    def _signed_request(
        self, method: str, path: str, content: bytes, extra: Mapping[str, str] | None = None
    ) -> httpx.Request:
        headers = {"Content-Type": "application/json"} if content else {}
        headers.update(extra or {})
        request = self._client.build_request(method, path, content=content or None, headers=headers)
        target = request.url.raw_path.decode("ascii")
        request.headers.update(
            sign_headers(
                method,
                target,
                content,
                self.terminal_id,
                self._secret,
                int(self._clock()),
                self._nonce(),
                self.settings.signature_algorithm,
            )
        )
        return request

    async def _exchange(self, request: httpx.Request, ok: tuple[int, ...]) -> _Answer:
        if self._client.is_closed:
            # a late task of an ended session: the caller expects a BackendError, not RuntimeError
            raise _Attempt(
                BackendError(BackendErrorKind.UNAVAILABLE, "client closed"), transient=False, sent=False
            )
        trace = _ConnectionTrace()
        request.extensions["trace"] = trace
        try:
            response = await self._client.send(request, stream=True)
        except httpx.ConnectTimeout:
            raise _Attempt(
                BackendError(BackendErrorKind.TIMEOUT, "connect timeout"), transient=True, sent=False
            ) from None
        except httpx.ConnectError as exc:
            raise _Attempt(
                BackendError(BackendErrorKind.UNAVAILABLE, f"connect: {type(exc).__name__}"),
                transient=True,
                sent=False,
            ) from None
        except httpx.TimeoutException:
            raise _Attempt(
                BackendError(BackendErrorKind.TIMEOUT, "read timeout"), transient=False, sent=True
            ) from None
        except httpx.TransportError as exc:
            raise _Attempt(
                BackendError(BackendErrorKind.UNAVAILABLE, f"connection lost: {type(exc).__name__}"),
                transient=True,
                sent=True,
                stale=_died_unanswered(exc, trace),
            ) from None
        try:
            limit = self.settings.max_response_bytes if response.status_code in ok else ERROR_BODY_LIMIT
            body = await self._read_capped(response, limit)
        finally:
            await response.aclose()
        content_type = response.headers.get("content-type", "").lower()
        if response.status_code in ok:
            return _Answer(response.status_code, content_type, body, response.headers.get("etag", "")[:200])
        raise self._error_for(response.status_code, content_type, body)

    @staticmethod
    async def _read_capped(response: httpx.Response, limit: int) -> bytes:
        """The body, decoded by the client itself and never more than ``limit`` bytes of it held.

        httpx's own decoding (``aiter_bytes``) inflates a whole network chunk before anyone can
        look at the size: a ``gzip, gzip`` bomb of 1,827 bytes reached 2.1 GB (issue 19).
        """
        declared = response.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise _Attempt(
                BackendError(BackendErrorKind.BAD_RESPONSE, "answer too large"), transient=False, sent=True
            )
        try:
            body = BoundedBody(response.headers.get("content-encoding", ""), limit)
            async for chunk in response.aiter_raw():
                body.feed(chunk)
            return body.finish()
        except BodyRefused as exc:
            raise _Attempt(
                BackendError(BackendErrorKind.BAD_RESPONSE, exc.reason), transient=False, sent=True
            ) from None
        except httpx.TimeoutException:
            raise _Attempt(
                BackendError(BackendErrorKind.TIMEOUT, "read timeout"), transient=False, sent=True
            ) from None
        except httpx.TransportError as exc:
            raise _Attempt(
                BackendError(BackendErrorKind.UNAVAILABLE, f"connection lost: {type(exc).__name__}"),
                transient=True,
                sent=True,
            ) from None

    @staticmethod
    def _error_for(status: int, content_type: str, body: bytes) -> _Attempt:
        kind: BackendErrorKind | None = None
        message = ""
        if "json" in content_type:
            try:
                err = ErrorAnswer.model_validate(safejson.loads(body)).error
                kind = CODE_KINDS.get(err.code)
                message = err.code
            except Exception:  # any unusable error body: judged by its status below
                kind = None
        if kind is None:
            kind = BackendErrorKind.INTERNAL if status >= 500 else STATUS_KINDS.get(status)
        if kind is None:
            kind = BackendErrorKind.BAD_RESPONSE
        transient = status in GATEWAY_STATUSES
        return _Attempt(
            BackendError(kind, f"HTTP {status} {message}".strip()), transient=transient, sent=True
        )


def ofd_link(certificate: VerifiedCertificate) -> OfdLinkModel | None:
    """The OFD link inside a record's signed bytes; None when it has none or its signature did
    not verify (UNVERIFIED: nothing in it is the issuer's word)."""
    if certificate.verification.status is CertStatus.UNVERIFIED or not certificate.record.canonical:
        return None
    try:
        raw = safejson.loads(certificate.record.canonical).get("ofd")
        return None if raw is None else OfdLinkModel.model_validate(raw)
    except Exception:  # checked when the record was parsed; a failure here is no link, never a crash
        return None


def _ofd_path(url: str, identifier: str) -> str:
    """The link's path on this backend: an absolute path, no scheme or host (the file comes from
    the server the terminal is configured for, signed like every call), no dot segments."""
    parts = urlsplit(url)
    segments = parts.path.split("/")
    if (
        parts.scheme
        or parts.netloc
        or parts.query
        or parts.fragment
        or not parts.path.startswith("/v1/")
        or any(s in (".", "..") for s in segments)
        or not parts.path.isascii()
    ):
        raise BackendError(BackendErrorKind.BAD_RESPONSE, "OFD link is not a path on this backend")
    if identifier not in segments:
        raise BackendError(BackendErrorKind.BAD_RESPONSE, "OFD link is for another certificate")
    return parts.path


def sm3_hex(data: bytes) -> str:
    """SM3 from OpenSSL; gmssl's pure-Python SM3 (about 130 KB/s) only where OpenSSL lacks it."""
    try:
        return hashlib.new("sm3", data).hexdigest()
    except ValueError:
        return str(sm3.sm3_hash(list(data)))


def _same_request(request: httpx.Request) -> httpx.Request:
    """A byte-for-byte copy of a signed request (same timestamp, nonce and signature)."""
    return httpx.Request(request.method, request.url, headers=request.headers, content=request.content)


def _died_unanswered(exc: httpx.TransportError, trace: _ConnectionTrace) -> bool:
    """Did a REUSED connection die before any answer to this request began?"""
    if trace.connected or trace.answer_started:
        return False
    if isinstance(exc, httpx.RemoteProtocolError):
        return str(exc).startswith(SERVER_DISCONNECTED)
    # closed with a reset (the request's bytes hit a closed socket), or the write itself failed
    return isinstance(exc, httpx.ReadError | httpx.WriteError)
