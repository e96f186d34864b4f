"""政务公开 content: the centre's duties and budget, from ``config/disclosure.toml``.

Next year's budget is a data change, so the file is checked as strictly as code would be: unknown
keys are refused, amounts cannot be negative, and every breakdown must add up to its total within
rounding (0.01 万元, the statement's precision); a mistake names the file and the entry.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from kiosk.guide.content import read_toml, validate

DEFAULT_FILE = "disclosure.toml"
TOLERANCE = 0.01  # 万元: figures are published to two decimals

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Amount = Annotated[float, Field(ge=0, le=1_000_000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Line(_Strict):
    """One category or item: this year's amount and, when published, last year's."""

    name: Text
    amount: Amount
    previous: Amount | None = None


def _check_sum(what: str, lines: tuple[Line, ...], total: float, previous_total: float | None) -> None:
    current = round(sum(x.amount for x in lines), 2)
    if abs(current - total) > TOLERANCE:
        raise ValueError(f"{what}之和为 {current:g}，与 total = {total:g} 不符（允许误差 {TOLERANCE}）")
    previous = [x.previous for x in lines]
    if previous_total is not None and all(p is not None for p in previous):
        before = round(sum(p for p in previous if p is not None), 2)
        if abs(before - previous_total) > TOLERANCE:
            raise ValueError(f"{what}上年数之和为 {before:g}，与 previous_total = {previous_total:g} 不符")


class Budget(_Strict):
    total: Amount
    previous_total: Amount | None = None
    category: tuple[Line, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _adds_up(self) -> Budget:
        _check_sum("各支出科目", self.category, self.total, self.previous_total)
        return self


class Breakdown(_Strict):
    total: Amount
    previous_total: Amount | None = None
    item: tuple[Line, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _adds_up(self) -> Breakdown:
        _check_sum("各明细", self.item, self.total, self.previous_total)
        return self


class Total(_Strict):
    total: Amount
    previous_total: Amount | None = None


class Disclosure(_Strict):
    centre: Text
    year: Annotated[int, Field(ge=2000, le=2100)]
    previous_year: Annotated[int, Field(ge=1999, le=2099)]
    source: Text
    unit: Text
    staff_posts: Annotated[int, Field(ge=0)]
    staff_note: str = ""
    duties: tuple[Text, ...] = Field(min_length=1)
    priorities: tuple[Text, ...] = ()
    budget: Budget
    sangong: Breakdown  # “三公”经费
    operating: Total  # 运行经费
    procurement: Breakdown  # 政府采购

    @model_validator(mode="after")
    def _years(self) -> Disclosure:
        if self.previous_year != self.year - 1:
            raise ValueError(f"previous_year 应为 {self.year - 1}")
        return self


def load_disclosure(path: Path | None = None) -> Disclosure:
    data, name = read_toml(path, DEFAULT_FILE)
    return validate(Disclosure, data, name)


@lru_cache(maxsize=1)
def default_disclosure() -> Disclosure:
    return load_disclosure()
