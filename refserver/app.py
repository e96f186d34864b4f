"""The HTTP application (FastAPI): the contract of backend-api.md over the SQLite store."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from refserver import __version__
from refserver.auth import (
    METHOD_PATTERN,
    NONCE_PATTERN,
    SIGNATURE_PATTERN,
    TERMINAL_ID_PATTERN,
    TIMESTAMP_PATTERN,
    AuthProblem,
    Guard,
    refused,
)
from refserver.bundles import etag
from refserver.copies import render_copy
from refserver.faults import FaultMiddleware, Faults, FaultSpec
from refserver.gate import DEFAULT_MAX_BODY_BYTES, TERMINAL_SCOPE_KEY, RequestGate
from refserver.identifiers import identifier_ok
from refserver.models import (
    BUNDLE_GROUP_PATTERN,
    BundleAnswer,
    CertificateList,
    CopyRequest,
    ErrorAnswer,
    EvaluationAnswer,
    EvaluationRequest,
    FullRecord,
    Health,
    QueryRequest,
    ResolveAnswer,
    ResolveRequest,
    VerifyAnswer,
)
from refserver.ofd import MEDIA_TYPE, file_for
from refserver.signing import Issuer
from refserver.store import Store, StoredRecord, Terminal, TokenProblem

SUMMARY_KEYS = (
    "identifier",
    "type_code",
    "name",
    "number",
    "holder_name",
    "holder_code",
    "holder_type",
    "issuer",
    "issuer_code",
    "issue_date",
    "valid_from",
    "valid_to",
    "status",
)

ERRORS = {
    400: ErrorAnswer,
    401: ErrorAnswer,
    403: ErrorAnswer,
    404: ErrorAnswer,
    # a method the path lacks; also GET /v1/certificates/query, which the identifier form excludes
    # from GET /v1/certificates/{identifier} (found by the schemathesis suite: undocumented there)
    405: ErrorAnswer,
    409: ErrorAnswer,
    410: ErrorAnswer,
    413: ErrorAnswer,
    429: ErrorAnswer,
    500: ErrorAnswer,
}
_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {k: {"model": v} for k, v in ERRORS.items()}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


SIGNATURE_HELP = (
    "hex HMAC-SHA256(secret, METHOD\\nPATH[?QUERY]\\nTIMESTAMP\\nNONCE\\nhex(SHA-256(body))); "
    "PATH as sent (percent-encoded)"
)
# GB/T 36904 (domain.md §2.2): root, type code, issuer code, serial (may hold dots), version, check
# character. The check character itself (ISO/IEC 7064 MOD 37,36) is beyond a pattern: a wrong one
# is answered 400 by the operation.
IDENTIFIER_PATTERN = r"^1\.2\.156\.3005\.2\.[0-9A-Z]+\.[0-9A-Z]+(\.[0-9A-Z]+)+\.[0-9]{3}\.[0-9A-Z]$"
DEMO_IDENTIFIER = "1.2.156.3005.2.11100000000000001M001.11450206MB0000001L.20180100001.001.R"


class IdentifierConvertor(Convertor[str]):
    """Routes ``/v1/certificates/{identifier}`` only for a segment under the GB/T 36904 root.

    WHY: with a bare ``{identifier}`` the route also matched ``/v1/certificates/query``, so GET
    there was "allowed" (and answered 400) and a 405 there listed GET in ``Allow``, which the
    document does not have. The full form is then checked by the parameter's pattern (400).
    """

    regex = r"1\.2\.156\.3005\.2\.[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("gbt36904", IdentifierConvertor())
Identifier = Annotated[
    str,
    Path(
        pattern=IDENTIFIER_PATTERN,
        max_length=200,
        description="电子证照标识 (GB/T 36904); a wrong check character is 400",
        examples=[DEMO_IDENTIFIER],
    ),
]


async def authenticate(
    request: Request,
    x_terminal_id: Annotated[
        str, Header(alias="X-Terminal-Id", pattern=TERMINAL_ID_PATTERN, description="the terminal's id")
    ],
    x_timestamp: Annotated[
        str, Header(alias="X-Timestamp", pattern=TIMESTAMP_PATTERN, description="Unix seconds (±300 s)")
    ],
    x_nonce: Annotated[
        str, Header(alias="X-Nonce", pattern=NONCE_PATTERN, description="≥ 16 random bytes, hex; single use")
    ],
    x_signature: Annotated[
        str, Header(alias="X-Signature", pattern=SIGNATURE_PATTERN, description=SIGNATURE_HELP)
    ],
    x_signature_method: Annotated[
        str,
        Header(
            alias="X-Signature-Method",
            pattern=METHOD_PATTERN,
            description="HMAC-SHA256 (when absent) or HMAC-SM3; must be the terminal's registered method",
        ),
    ] = "HMAC-SHA256",
) -> Terminal:
    """FastAPI dependency: the terminal that the gate (refserver/gate.py) authenticated.

    The gate checks the headers and the signature before the body is read or parsed (a missing or
    malformed header is 401 AUTH_FAILED there); here the headers are only declared, so that the
    OpenAPI document shows them, required and with their formats, on every signed operation.
    """
    terminal = request.scope.get(TERMINAL_SCOPE_KEY)
    if not isinstance(terminal, Terminal):  # a signed operation on a path the gate left public
        raise refused()
    return terminal


Authed = Annotated[Terminal, Depends(authenticate)]


def summary(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record[k] for k in SUMMARY_KEYS}


def allowed_methods(request: Request) -> str:
    """The ``Allow`` header of a 405: the methods of every route whose path matches (Starlette
    names only the first such route's, and a path can have several routes, one per method)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


# /complaints/status: a citizen's phone, from the 咨询投诉举报 slip's QR (refserver/complaints.py)
PUBLIC_PATHS: tuple[str, ...] = (
    "/v1/health",
    "/openapi.json",
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
    "/complaints/status",
)
TEST_PATHS = ("/_faults", "/_admin/")


def create_app(
    store: Store,
    issuer: Issuer | None = None,
    faults: bool = False,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    guard: Guard | None = None,
) -> FastAPI:
    issuer = issuer or Issuer()
    guard = guard or Guard(store)
    fault_box = Faults()
    app = FastAPI(
        title="电子证照 reference server",
        version=__version__,
        description="Reference implementation of the terminal's e-certificate contract (backend-api.md). "
        "DEMO DATA ONLY — 测试数据. Every /v1 call except health is signed: X-Terminal-Id, X-Timestamp, "
        "X-Nonce, X-Signature = hex HMAC-SHA256(secret, METHOD\\nPATH[?QUERY]\\nTIMESTAMP\\nNONCE\\n"
        "hex(SHA-256(body))).",
    )
    app.state.store = store
    app.state.guard = guard
    app.state.faults = fault_box
    public = PUBLIC_PATHS + (TEST_PATHS if faults else ())

    def signed(scope: Any) -> bool:
        """A request to an operation that is not public (404 and 405 are answered unsigned)."""
        path = scope["path"]
        if any(path == p or (p.endswith("/") and path.startswith(p)) for p in public):
            return False
        return any(route.matches(scope)[0] is Match.FULL for route in app.router.routes)

    app.add_middleware(RequestGate, guard=guard, max_body_bytes=max_body_bytes, signed=signed)
    _document_only_real_answers(app)

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(AuthProblem)
    async def _auth_error(_: Request, exc: AuthProblem) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return error_response(400, "INVALID_REQUEST", f"{where}: {first.get('msg', 'invalid request')}")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "NOT_FOUND", 405: "INVALID_REQUEST"}.get(exc.status_code, "INVALID_REQUEST")
        answer = error_response(exc.status_code, code, str(exc.detail))
        answer.headers.update(exc.headers or {})
        if exc.status_code == 405:  # RFC 9110 §15.5.6: a 405 lists the methods the resource has
            answer.headers["Allow"] = allowed_methods(request)
        return answer

    @app.exception_handler(Exception)
    async def _internal(_: Request, exc: Exception) -> JSONResponse:
        return error_response(500, "INTERNAL", "internal error")

    def record_or_404(identifier: str, terminal: Terminal) -> StoredRecord:
        if not identifier_ok(identifier):
            raise ApiError(400, "INVALID_REQUEST", "identifier check character is wrong")
        rec = store.record(identifier)
        if rec is None:
            raise ApiError(404, "NOT_FOUND", "no such certificate")
        if not terminal.may_see(rec.type_code):
            raise ApiError(403, "FORBIDDEN_TYPE", "this terminal may not use this certificate type")
        return rec

    def visible(
        records: list[StoredRecord], terminal: Terminal, type_codes: list[str] | None
    ) -> list[StoredRecord]:
        if type_codes:
            forbidden = [t for t in type_codes if not terminal.may_see(t)]
            if forbidden:
                raise ApiError(403, "FORBIDDEN_TYPE", f"this terminal may not use type {forbidden[0]}")
            records = [r for r in records if r.type_code in type_codes]
        return [r for r in records if terminal.may_see(r.type_code)]

    @app.get(
        "/v1/health",
        response_model=Health,
        responses={k: {"model": ErrorAnswer} for k in (405, 413, 500)},
        tags=["system"],
    )
    def health() -> Health:
        now = datetime.now(UTC)
        return Health(status="ok", version=__version__, time=now.isoformat(), unix=now.timestamp())

    @app.post(
        "/v1/certificates/query",
        response_model=CertificateList,
        responses=_ERROR_RESPONSES,
        tags=["certificates"],
    )
    def query(body: QueryRequest, terminal: Authed) -> dict[str, Any]:
        records = visible(store.records_for(body.holder_code), terminal, body.type_codes)
        if body.holder_type == "001":
            records = [r for r in records if r.holder_code == body.holder_code]
        store.log_use(terminal.id, "query", body.holder_code, None, body.use_cause)
        answer = [summary(r.record) for r in records]
        if answer and fault_box.take("/v1/certificates/query", ("bad_identifier",)) is not None:
            first = answer[0]["identifier"]  # a mangled check character: the terminal must notice
            answer[0]["identifier"] = first[:-1] + ("0" if first[-1] != "0" else "1")
        return {"certificates": answer}

    @app.post(
        "/v1/lz-tokens/resolve",
        response_model=ResolveAnswer,
        responses=_ERROR_RESPONSES,
        tags=["certificates"],
    )
    def resolve(body: ResolveRequest, terminal: Authed) -> dict[str, Any]:
        try:
            holder_code, identifiers = store.consume_token(body.token, terminal.id)
        except TokenProblem as exc:
            messages = {
                "TOKEN_EXPIRED": (410, "token expired"),
                "TOKEN_USED": (410, "token already used"),
                "NOT_FOUND": (404, "no such token"),
            }
            status, message = messages[exc.code]
            raise ApiError(status, exc.code, message) from None
        holder = store.holder_by_code(holder_code)
        if holder is None:
            raise ApiError(404, "NOT_FOUND", "holder not found")
        records = [
            r for r in store.records_for(holder_code) if not identifiers or r.identifier in identifiers
        ]
        records = visible(records, terminal, None)
        store.log_use(terminal.id, "resolve", holder_code, None, body.use_cause)
        return {
            "holder": {
                "name": holder.name,
                "holder_code": holder.holder_code,
                "holder_type": holder.holder_type,
            },
            "certificates": [summary(r.record) for r in records],
        }

    @app.get(
        "/v1/certificates/{identifier:gbt36904}",
        response_model=FullRecord,
        # a record is answered exactly as signed: no "ofd": null added to one that has no file
        response_model_exclude_unset=True,
        responses=_ERROR_RESPONSES,
        tags=["certificates"],
    )
    def get_record(identifier: Identifier, terminal: Authed) -> dict[str, Any]:
        rec = record_or_404(identifier, terminal)
        record = rec.record
        if fault_box.take("/v1/certificates/", ("bad_signature",)) is not None:
            record = copy.deepcopy(record)  # tampered after signing: the terminal must notice
            record["face"][0]["value"] = record["face"][0]["value"] + "改"
        store.log_use(terminal.id, "get", rec.holder_code, rec.identifier, None)
        return {
            "record": record,
            "signature": {"algorithm": "SM2-SM3", "key_id": rec.key_id, "value": rec.signature},
        }

    @app.get(
        "/v1/certificates/{identifier:gbt36904}/ofd",
        responses={
            200: {"content": {MEDIA_TYPE: {}}, "description": "the sealed OFD file"},
            **_ERROR_RESPONSES,
        },
        response_class=Response,
        tags=["certificates"],
    )
    def get_ofd(identifier: Identifier, terminal: Authed) -> Response:
        """The certificate as issued (refserver/ofd): the file whose SM3 digest the record carries."""
        rec = record_or_404(identifier, terminal)
        data = file_for(rec.record)
        if data is None:
            raise ApiError(404, "NOT_FOUND", "no OFD file for this certificate")
        store.log_use(terminal.id, "ofd", rec.holder_code, rec.identifier, None)
        return Response(data, media_type=MEDIA_TYPE)

    @app.post(
        "/v1/certificates/{identifier:gbt36904}/verify",
        response_model=VerifyAnswer,
        responses=_ERROR_RESPONSES,
        tags=["certificates"],
    )
    def verify(identifier: Identifier, terminal: Authed) -> dict[str, Any]:
        rec = record_or_404(identifier, terminal)
        return verdict(rec, issuer)

    @app.post(
        "/v1/certificates/{identifier:gbt36904}/copies",
        responses={200: {"content": {"image/png": {}}, "description": "加注件 PNG"}, **_ERROR_RESPONSES},
        response_class=Response,
        tags=["certificates"],
    )
    def make_copy(identifier: Identifier, body: CopyRequest, terminal: Authed) -> Response:
        rec = record_or_404(identifier, terminal)
        if not verdict(rec, issuer)["valid"]:
            raise ApiError(400, "INVALID_REQUEST", "no copy of a certificate that is not valid")
        expiry = date.today() + timedelta(days=body.valid_days)
        png = render_copy(rec.record, body.use_cause, expiry, datetime.now())
        store.log_use(terminal.id, "copy", rec.holder_code, rec.identifier, body.use_cause)
        return Response(png, media_type="image/png")

    @app.post(
        "/v1/evaluations",
        status_code=201,
        response_model=EvaluationAnswer,
        responses=_ERROR_RESPONSES,
        tags=["evaluations"],
    )
    def evaluate(body: EvaluationRequest, terminal: Authed) -> dict[str, Any]:
        if body.score <= 2 and not body.reasons:
            raise ApiError(400, "INVALID_REQUEST", "a score of 1 or 2 needs a reason")
        return {
            "id": store.add_evaluation(terminal.id, body.service_ref, body.score, body.reasons, body.comment)
        }

    from refserver.face import add_face_route  # 人证核验 (refserver/face.py)

    add_face_route(app, store, Depends(authenticate), ApiError, _ERROR_RESPONSES)

    from refserver.complaints import add_complaint_routes

    add_complaint_routes(app, store, _ERROR_RESPONSES)  # 咨询·投诉·举报 (refserver/complaints.py)

    etag_header = {"ETag": {"description": "the bundle's validator", "schema": {"type": "string"}}}

    @app.get(
        "/v1/bundles/{group}",
        response_model=BundleAnswer,
        responses={
            200: {"headers": etag_header},
            304: {"description": "If-None-Match names the bundle the terminal has", "headers": etag_header},
            **_ERROR_RESPONSES,
        },
        tags=["bundles"],
    )
    def get_bundle(
        group: Annotated[
            str,
            Path(
                pattern=BUNDLE_GROUP_PATTERN, max_length=64, description="terminal group", examples=["demo"]
            ),
        ],
        terminal: Authed,
        if_none_match: Annotated[
            str | None, Header(alias="If-None-Match", max_length=200, description="the ETag the terminal has")
        ] = None,
    ) -> Response:
        """The signed content bundle of a terminal group (refserver/bundles.py)."""
        body = store.bundle(group)
        if body is None:
            raise ApiError(404, "NOT_FOUND", "no bundle published for this group")
        tag = etag(body)
        if if_none_match is not None and tag in (t.strip() for t in if_none_match.split(",")):
            return Response(status_code=304, headers={"ETag": tag})
        return JSONResponse(body, headers={"ETag": tag})

    if faults:

        @app.post("/_faults", include_in_schema=False)
        def set_fault(spec: FaultSpec) -> dict[str, str]:
            fault_box.set(spec)
            return {"fault": spec.mode}

        @app.delete("/_faults", include_in_schema=False)
        def clear_fault() -> dict[str, str]:
            fault_box.clear()
            return {"fault": "none"}

        @app.post("/_admin/lz-tokens", include_in_schema=False)
        def admin_token(spec: dict[str, Any]) -> dict[str, str]:
            holder = store.holder_by_key(str(spec.get("holder", "")))
            if holder is None:
                raise ApiError(404, "NOT_FOUND", "no such holder")
            token = store.issue_token(holder.holder_code, [], float(spec.get("ttl_seconds", 300)))
            return {"token": token}

        @app.get("/_admin/usage", include_in_schema=False)
        def admin_usage() -> list[dict[str, Any]]:
            return store.usage()

        @app.get("/_admin/evaluations", include_in_schema=False)
        def admin_evaluations() -> list[dict[str, Any]]:
            return store.evaluations()

    return app


def _document_only_real_answers(app: FastAPI) -> None:
    """Drop FastAPI's automatic 422 answers from the OpenAPI document: this server answers every
    validation error 400 INVALID_REQUEST (the contract's code), so a 422 would be a promise it
    never keeps, and a client reading the document would prepare for the wrong status."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        doc = build()
        for operations in doc.get("paths", {}).values():
            for operation in operations.values():
                operation.get("responses", {}).pop("422", None)
        schemas = doc.get("components", {}).get("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        return doc

    app.openapi = openapi  # type: ignore[method-assign]


def create_asgi(
    store: Store,
    issuer: Issuer | None = None,
    faults: bool = False,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> Any:
    """The application as uvicorn should run it: with ``faults``, the fault middleware is the
    outermost layer so it sees uvicorn's own ``send`` (needed to reset the TCP connection)."""
    app = create_app(store, issuer, faults, max_body_bytes)
    return FaultMiddleware(app, app.state.faults) if faults else app


def verdict(rec: StoredRecord, issuer: Issuer) -> dict[str, Any]:
    """The server's own view of a record (the verify operation)."""
    record = rec.record
    if not identifier_ok(record["identifier"]):
        return {"valid": False, "status": "unverified", "reason": "证照标识校验位错误"}
    if rec.key_id != issuer.key_id or not issuer.verify(record, rec.signature):
        return {"valid": False, "status": "unverified", "reason": "签名验证失败，该证照可能被篡改"}
    if record["status"] == "21":
        return {"valid": False, "status": "revoked", "reason": "证照已被注销"}
    today = date.today()
    valid_to = record.get("valid_to")
    if record["status"] == "22" or (valid_to and date.fromisoformat(valid_to) < today):
        return {"valid": False, "status": "expired", "reason": "证照已过期"}
    if record["status"] == "23":
        return {"valid": False, "status": "restricted", "reason": "证照已被限制使用"}
    return {"valid": True, "status": "valid", "reason": None}
