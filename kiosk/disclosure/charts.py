"""Chart data for the 政务公开 screen: what each bar is, and the figures written beside it.

The screen (screens/chart_widgets.py) only draws what is here, so the numbers a citizen reads are
computed and formatted in one tested place, straight from the content file. Figures keep the
statement's style: up to two decimals, no trailing zeros (16.2, 57, 676.73).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.disclosure.model import Disclosure, Line


def amount_text(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def percent_text(value: float) -> str:
    return amount_text(value) + "%"


def change_text(current: float, previous: float | None) -> str:
    """+55.01（+8.85%）; 持平 when equal; "" when last year's figure is not published."""
    if previous is None:
        return ""
    delta = round(current - previous, 2)
    if delta == 0:
        return "持平"
    sign = "+" if delta > 0 else "−"
    text = f"{sign}{amount_text(abs(delta))}"
    if previous:
        text += f"（{sign}{percent_text(abs(delta) / previous * 100)}）"
    return text


DERIVED = "（推算）"  # after a figure the statement does not publish but the content derives


def published_change(entry: Any, amount: float, previous: float | None) -> str:
    """The change as the statement publishes it: +55.01（+8.85%）, +12.9%, −1.8（−10%）, 持平.

    Only what was published is shown (7.4 %, never 3.93 / 53.07 = 7.41 %); an entry without a
    published change falls back to the one worked out from the derived previous year, marked
    （推算）; "" when there is neither.
    """
    change, percent = getattr(entry, "change", None), getattr(entry, "change_percent", None)
    if change is None and percent is None:
        text = change_text(amount, previous)
        return text + DERIVED if text else ""
    if not change and not percent:
        return "持平"
    negative = (change if change is not None else percent or 0) < 0
    sign = "−" if negative else "+"
    parts = []
    if change is not None:
        parts.append(f"{sign}{amount_text(abs(change))}")
    if percent is not None:
        parts.append(f"{sign}{percent_text(abs(percent))}")
    return parts[0] + (f"（{parts[1]}）" if len(parts) > 1 else "")


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    value_text: str  # "676.73 万元"
    detail: str = ""  # share "占 72.14%" or change "+55.01（+8.85%）"
    previous: float | None = None
    previous_text: str = ""


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    subtitle: str
    bars: tuple[Bar, ...]
    compare: bool = False  # draw last year's bar under this year's

    @property
    def max_value(self) -> float:
        values = [b.value for b in self.bars] + [b.previous or 0 for b in self.bars]
        return max(values, default=0) or 1.0


def _share(line: Line, total: float) -> str:
    return "占 " + percent_text(line.amount / total * 100) if total else ""


def spending_chart(d: Disclosure) -> Chart:
    b = d.budget
    bars = tuple(
        Bar(c.name, c.amount, f"{amount_text(c.amount)} {d.unit}", _share(c, b.total)) for c in b.category
    )
    sub = f"合计 {amount_text(b.total)} {d.unit}"
    change = published_change(b, b.total, b.previous_total)
    if change:
        sub += f"，比{d.previous_year}年{change}"
    return Chart(f"{d.year}年支出预算（按科目）", sub, bars)


def sangong_chart(d: Disclosure) -> Chart:
    s = d.sangong
    bars = tuple(
        Bar(i.name, i.amount, f"{amount_text(i.amount)} {d.unit}", published_change(i, i.amount, i.previous))
        for i in s.item
    )
    sub = f"合计 {amount_text(s.total)} {d.unit}"
    change = published_change(s, s.total, s.previous_total)
    if change:
        sub += f"，比{d.previous_year}年{change}"
    return Chart("“三公”经费", sub, bars)


def change_chart(d: Disclosure) -> Chart:
    bars = tuple(
        Bar(
            c.name,
            c.amount,
            f"{amount_text(c.amount)} {d.unit}",
            published_change(c, c.amount, c.previous),
            c.previous,
            f"{d.previous_year}年{DERIVED} {amount_text(c.previous)}" if c.previous is not None else "",
        )
        for c in d.budget.category
    )
    return Chart(
        f"与{d.previous_year}年相比",
        # last year's amounts are not in the statement: worked out as this year's − the published change
        f"深色为{d.year}年，浅色为{d.previous_year}年（由公布的同比增减推算，{d.unit}）",
        bars,
        compare=True,
    )


def other_figures(d: Disclosure) -> list[tuple[str, str]]:
    """The remaining headline figures, as label / text pairs."""
    operating = f"{amount_text(d.operating.total)} {d.unit}"
    change = published_change(d.operating, d.operating.total, d.operating.previous_total)
    if change:
        operating += f"，比上年{change}"
    items = "，".join(f"{i.name}{amount_text(i.amount)}" for i in d.procurement.item)
    out = [
        ("运行经费", operating),
        ("政府采购", f"{amount_text(d.procurement.total)} {d.unit}（{items}）"),
        ("人员编制", f"{d.staff_posts} 名"),
    ]
    return out
