"""What the terminal accepts from the backend (pydantic). Anything else is a BAD_RESPONSE.

Lengths are bounded so that a broken or hostile server cannot fill the screen or the memory with one
field; unknown extra fields are ignored (a newer server may add some). Numbers must be finite
(``allow_inf_nan=False`` for every model): a NaN compares false with every limit, so a NaN server
time once made the clock offset NaN and the skew alarm never fired (issue 19).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

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


class RecordModel(SummaryModel):
    face: list[FaceModel] = Field(max_length=200)
    key_id: Short


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
