"""What the terminal accepts from the backend (pydantic). Anything else is a BAD_RESPONSE.

Lengths are bounded so that a broken or hostile server cannot fill the screen or the memory with one
field; unknown extra fields are ignored (a newer server may add some). Numbers must be finite
(``allow_inf_nan=False`` for every model): a NaN compares false with every limit, so a NaN server
time once made the clock offset NaN and the skew alarm never fired (issue 19).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Short = Annotated[str, StringConstraints(max_length=200)]
Text = Annotated[str, StringConstraints(max_length=2000)]
# The server's clock as Unix seconds: finite and within 2024-01-01 .. 2100-01-01 UTC. A server time
# outside that is broken, not a skew to report as a number (and the server, judging our signed
# requests by that clock, would refuse them anyway).
ServerUnixTime = Annotated[float, Field(allow_inf_nan=False, ge=1_704_067_200, le=4_102_444_800)]


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)


class SummaryModel(_Answer):
    identifier: Short
    type_code: Short
    name: Short
    number: Short
    holder_name: Short
    holder_code: Short
    holder_type: Annotated[str, StringConstraints(max_length=8)]
    issuer: Short
    issuer_code: Short
    issue_date: date
    valid_from: date
    valid_to: date | None
    status: Annotated[str, StringConstraints(max_length=16)]


class FaceModel(_Answer):
    label: Short
    value: Text


# Where a face field's value sits on the OFD page: x, y (top-left, y downwards), width, height in
# hundredths of a millimetre; a page is at most a metre a side.
Hundredths = Annotated[int, Field(ge=0, le=100_000)]
Sm3Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class OfdFieldBoxModel(_Answer):
    label: Short
    box: list[Hundredths] = Field(min_length=4, max_length=4)


class OfdLinkModel(_Answer):
    """The certificate as issued (backend-api.md, refserver/ofd): its sealed OFD file, linked from
    inside the signed record, so its digest and size are the issuer's word, not the server's."""

    url: Short
    sm3: Sm3Hex
    size: int = Field(ge=1, le=50_000_000)
    media_type: Short = "application/ofd"
    unit: Literal["0.01mm"] = "0.01mm"
    page: list[Annotated[int, Field(ge=1, le=100_000)]] = Field(min_length=2, max_length=2)
    fields: list[OfdFieldBoxModel] = Field(default_factory=list, max_length=200)


class RecordModel(SummaryModel):
    face: list[FaceModel] = Field(max_length=200)
    key_id: Short
    ofd: OfdLinkModel | None = None


class SignatureModel(_Answer):
    algorithm: Short = "SM2-SM3"
    key_id: Short
    value: Annotated[str, StringConstraints(max_length=400)]


class FullRecordAnswer(_Answer):
    record: RecordModel
    signature: SignatureModel


class CertificateListAnswer(_Answer):
    certificates: list[SummaryModel] = Field(max_length=1000)


class TokenHolderModel(_Answer):
    name: Short
    holder_code: Short
    holder_type: Annotated[str, StringConstraints(max_length=8)]


class ResolveAnswer(_Answer):
    holder: TokenHolderModel
    certificates: list[SummaryModel] = Field(max_length=1000)


class VerifyAnswer(_Answer):
    valid: bool
    status: Short
    reason: Short | None = None


class HealthAnswer(_Answer):
    status: Short
    version: Short
    time: Short
    unix: ServerUnixTime

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump()


class ErrorBody(_Answer):
    code: Short
    message: Text = ""


class ErrorAnswer(_Answer):
    error: ErrorBody
