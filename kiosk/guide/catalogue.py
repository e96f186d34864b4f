"""The matter catalogue (办事指南 · 一件事一次办): content in ``config/matters.toml``, validated here.

Staff change matters, materials and flowcharts by editing the file; a mistake is refused at load
time with the file and the entry named (:class:`kiosk.guide.content.ContentError`) rather than
showing a citizen a half-empty guide. Certificate type codes are checked against the catalogue's
own list of known types, so a mistyped code cannot silently turn a 免证 material into "bring paper".
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from kiosk.guide.content import ContentError, Problem, read_toml, validate

DEFAULT_FILE = "matters.toml"
TYPE_CODE = re.compile(r"^[0-9A-Z]{21}$")  # GB/T 36904 证照类型代码: 18-char credit code + 3 digits

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CertificateType(_Strict):
    code: str
    name: Text

    @field_validator("code")
    @classmethod
    def _code_shape(cls, value: str) -> str:
        if not TYPE_CODE.match(value):
            raise ValueError(f"证照类型代码应为21位数字或大写字母：{value!r}")
        return value


class Material(_Strict):
    """申请材料. ``accepts``: type codes whose valid e-certificate stands in for it (免证)."""

    name: Text
    copies: Text
    accepts: tuple[str, ...]
    note: str = ""
    required: bool = True

    @field_validator("accepts")
    @classmethod
    def _known_types(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        known = (info.context or {}).get("known_types")
        if known is not None:
            unknown = [code for code in value if code not in known]
            if unknown:
                raise ValueError(
                    "未知的证照类型代码 " + "、".join(unknown) + "（请先在 certificate_type 中登记）"
                )
        return value


class FlowStep(_Strict):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
    detail: Text


class Matter(_Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,40}$")]
    name: Text
    category: Text
    department: Text
    window: Text
    time_limit: Text
    fees: Text
    material: tuple[Material, ...] = Field(min_length=1)
    step: tuple[FlowStep, ...] = Field(min_length=1)
    keywords: tuple[str, ...] = ()
    online: str = ""

    @property
    def materials(self) -> tuple[Material, ...]:
        return self.material

    @property
    def steps(self) -> tuple[FlowStep, ...]:
        return self.step


class Catalogue(_Strict):
    version: Text
    certificate_type: tuple[CertificateType, ...] = Field(min_length=1)
    matter: tuple[Matter, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Catalogue:
        for what, values in (
            ("事项 id", [m.id for m in self.matter]),
            ("证照类型代码", [t.code for t in self.certificate_type]),
        ):
            seen: set[str] = set()
            for v in values:
                if v in seen:
                    raise ValueError(f"{what}重复：{v}")
                seen.add(v)
        return self

    @property
    def matters(self) -> tuple[Matter, ...]:
        return self.matter

    def type_name(self, code: str) -> str:
        return next((t.name for t in self.certificate_type if t.code == code), code)

    def get(self, matter_id: str) -> Matter | None:
        return next((m for m in self.matter if m.id == matter_id), None)


def parse_catalogue(data: dict[str, object], file: str) -> Catalogue:
    """Validate parsed TOML; raises ContentError naming ``file`` and the entry."""
    raw_types = data.get("certificate_type")
    known: set[str] | None = None
    if isinstance(raw_types, list):
        known = {str(t.get("code")) for t in raw_types if isinstance(t, dict)}
    catalogue = validate(Catalogue, dict(data), file, context={"known_types": known})
    if known is None:  # pragma: no cover - pydantic already refused the missing list
        raise ContentError([Problem(file, "", "缺少 certificate_type 列表")])
    return catalogue


def load_catalogue(path: Path | None = None) -> Catalogue:
    """The catalogue from ``path`` or the packaged ``config/matters.toml``."""
    data, name = read_toml(path, DEFAULT_FILE)
    return parse_catalogue(data, name)


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    """The packaged catalogue, loaded once per process (the screen asks on every rebuild)."""
    return load_catalogue()
