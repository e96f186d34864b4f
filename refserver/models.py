"""Request and answer bodies of the contract (they make the served OpenAPI document honest)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Evidence(BaseModel):
    """What the citizen presented at the terminal; a query without it is refused."""

    model_config = ConfigDict(extra="allow")
    kind: str = Field(min_length=1, max_length=40, description="id_card | social_security_card | …")
    card_type: str | None = None
    read_at: str | None = None
    reader: dict[str, Any] | None = None


# 用证事由: one line of text, printed on copies and kept in the usage log. Control characters and line
# or paragraph separators are refused: the schemathesis suite found that U+001C in a copy's use
# cause made the PNG layout (raqm) fail, a 500.
USE_CAUSE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]+$"
UseCause = Annotated[
    str, Field(min_length=1, max_length=200, pattern=USE_CAUSE_PATTERN, description="用证事由, one line")
]


class QueryRequest(_Body):
    holder_code: str = Field(min_length=1, max_length=40)
    holder_type: Literal["111", "001"]
    evidence: Evidence
    use_cause: UseCause
    type_codes: list[str] | None = Field(default=None, max_length=50)


class ResolveRequest(_Body):
    token: str = Field(min_length=1, max_length=200)
    use_cause: UseCause


class CopyRequest(_Body):
    use_cause: UseCause
    valid_days: int = Field(ge=1, le=365)


class EvaluationRequest(_Body):
    # 好差评: a score of 1 or 2 (差评) must say why. Stated in the schema too (JSON Schema if/then),
    # so that a client — and the abuse suite — can tell from the document alone what is accepted.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "if": {"properties": {"score": {"maximum": 2}}, "required": ["score"]},
            "then": {"properties": {"reasons": {"minItems": 1}}, "required": ["reasons"]},
        },
    )
    service_ref: str = Field(min_length=1, max_length=100)
    score: int = Field(ge=1, le=5)
    reasons: list[Annotated[str, Field(max_length=100)]] = Field(default_factory=list, max_length=20)
    comment: str | None = Field(default=None, max_length=500)


class CertificateSummary(BaseModel):
    identifier: str
    type_code: str
    name: str
    number: str
    holder_name: str
    holder_code: str
    holder_type: str
    issuer: str
    issuer_code: str
    issue_date: str
    valid_from: str
    valid_to: str | None
    status: str = Field(description="10 valid, 21 revoked, 22 expired, 23 restricted")


class FaceField(BaseModel):
    label: str
    value: str


class OfdFieldBox(BaseModel):
    label: str
    box: list[int] = Field(min_length=4, max_length=4, description="x, y, width, height (0.01 mm, y down)")


class OfdLink(BaseModel):
    """The certificate as issued: its sealed OFD file (GB/T 33190, GB/T 38540), refserver/ofd."""

    url: str = Field(description="path of GET /v1/certificates/{identifier}/ofd on this server")
    sm3: str = Field(description="hex SM3 digest of the file")
    size: int = Field(ge=1, description="bytes")
    media_type: str = "application/ofd"
    unit: Literal["0.01mm"] = "0.01mm"
    page: list[int] = Field(min_length=2, max_length=2, description="page 0 width, height (0.01 mm)")
    fields: list[OfdFieldBox] = Field(description="where each face field's value is on page 0")


class Record(CertificateSummary):
    face: list[FaceField]
    key_id: str
    # absent for a record without a file (the answer then has no "ofd" key at all: signed as is)
    ofd: OfdLink | None = None


class Signature(BaseModel):
    algorithm: Literal["SM2-SM3"] = "SM2-SM3"
    key_id: str
    value: str = Field(description="hex r||s, SM2 over SM3 of the canonical JSON of `record`")


class FullRecord(BaseModel):
    record: Record
    signature: Signature


class CertificateList(BaseModel):
    certificates: list[CertificateSummary]


class TokenHolder(BaseModel):
    name: str
    holder_code: str
    holder_type: str


class ResolveAnswer(BaseModel):
    holder: TokenHolder
    certificates: list[CertificateSummary]


class VerifyAnswer(BaseModel):
    valid: bool
    status: str
    reason: str | None


class EvaluationAnswer(BaseModel):
    id: int


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    time: str = Field(description="server time, ISO 8601 UTC")
    unix: float


class ErrorBody(BaseModel):
    code: str = Field(
        description="AUTH_FAILED CLOCK_SKEW REPLAY FORBIDDEN_TYPE NOT_FOUND TOKEN_EXPIRED "
        "TOKEN_USED RATE_LIMITED INVALID_REQUEST INTERNAL"
    )
    message: str


class ErrorAnswer(BaseModel):
    error: ErrorBody


# a letter or digit first: "." and ".." are path segments, not names
BUNDLE_GROUP_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class BundleFiles(BaseModel):
    """The bundle's files, as TOML text: the terminal validates them with its own loaders."""

    matters: str = Field(description="config/matters.toml (办事指南)")
    disclosure: str = Field(description="config/disclosure.toml (政务公开)")
    overlay: str = Field(default="", description="TOML of staff-editable terminal settings; may be empty")


class BundleAnswer(BaseModel):
    """A signed content bundle for a terminal group: SM2 over SM3 of the canonical JSON of
    ``{"files", "group", "version"}`` (the same canonical form as records)."""

    group: str
    version: int = Field(ge=1, description="bumped by every publish; terminals refuse older ones")
    files: BundleFiles
    signature: Signature
