"""政务公开 content: the centre's duties and budget, from ``config/disclosure.toml``.

Next year's budget is a data change, so the file is checked as strictly as code would be: unknown
keys are refused, amounts cannot be negative, and every breakdown must add up to its total within
rounding (0.01 万元, the statement's precision); a mistake names the file and the entry.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from kiosk.guide.content import read_toml, validate

DEFAULT_FILE = "disclosure.toml"
TOLERANCE = 0.01  # 万元: figures are published to two decimals

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Amount = Annotated[float, Field(ge=0, le=1_000_000)]
Change = Annotated[float, Field(ge=-1_000_000, le=1_000_000)]  # 同比增减 as published (negative: 减少)
Percent = Annotated[float, Field(ge=-100, le=10_000)]  # 同比增长 % as published (12.9, not 12.895)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Published(_Strict):
    """The year-on-year change as the statement publishes it: ``change`` (万元) and ``change_percent``.

    WHY both kept as published: a percentage worked out again from derived figures differs in the
    last digit (3.93 / 53.07 = 7.41 % where the statement says 7.4 %); the terminal shows what was
    published. ``previous`` (last year's amount) is derived by the content's author (amount −
    change) and is labelled as derived wherever it is shown; when both are given they must agree.
    """

    change: Change | None = None
    change_percent: Percent | None = None

    def _agrees(self, what: str, amount: float, previous: float | None) -> None:
        change = self.change
        if change is None or previous is None:
            return
        if abs(round(amount - previous, 2) - change) > TOLERANCE:
            raise ValueError(f"{what}：previous 与 change 不符（{amount:g} − {previous:g} ≠ {change:g}）")


class Line(_Published):
    """One category or item: this year's amount, the published change and, derived, last year's."""

    name: Text
    amount: Amount
    previous: Amount | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Line:
        self._agrees(self.name, self.amount, self.previous)
        return self


def _check_sum(what: str, lines: tuple[Line, ...], total: float, previous_total: float | None) -> None:
    current = round(sum(x.amount for x in lines), 2)
    if abs(current - total) > TOLERANCE:
        raise ValueError(f"{what}之和为 {current:g}，与 total = {total:g} 不符（允许误差 {TOLERANCE}）")
    previous = [x.previous for x in lines]
    if previous_total is not None and all(p is not None for p in previous):
        before = round(sum(p for p in previous if p is not None), 2)
        if abs(before - previous_total) > TOLERANCE:
            raise ValueError(f"{what}上年数之和为 {before:g}，与 previous_total = {previous_total:g} 不符")


class Budget(_Published):
    total: Amount
    previous_total: Amount | None = None
    category: tuple[Line, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _adds_up(self) -> Budget:
        _check_sum("各支出科目", self.category, self.total, self.previous_total)
        return self


class Breakdown(_Published):
    total: Amount
    previous_total: Amount | None = None
    item: tuple[Line, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _adds_up(self) -> Breakdown:
        _check_sum("各明细", self.item, self.total, self.previous_total)
        return self


class Total(_Published):
    total: Amount
    previous_total: Amount | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Total:
        self._agrees("total", self.total, self.previous_total)
        return self


class Disclosure(_Strict):
    centre: Text
    year: Annotated[int, Field(ge=2000, le=2100)]
    previous_year: Annotated[int, Field(ge=1999, le=2099)]
    source: Text
    unit: Text
    staff_posts: Annotated[int, Field(ge=0)]
    staff_note: str = ""
    duties: tuple[Text, ...] = Field(min_length=1)
    # how the duties relate to the source: "verbatim" (照录原文, with its own numbering) or "summary"
    duties_form: Literal["verbatim", "summary"] = "summary"
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
