"""Chart data for the 政务公开 screen: what each bar is, and the figures written beside it.

The screen (screens/chart_widgets.py) only draws what is here, so the numbers a citizen reads are
computed and formatted in one tested place, straight from the content file. Figures keep the
statement's style: up to two decimals, no trailing zeros (16.2, 57, 676.73).
"""

from __future__ import annotations

from dataclasses import dataclass

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
    if b.previous_total is not None:
        sub += f"，比{d.previous_year}年{change_text(b.total, b.previous_total)}"
    return Chart(f"{d.year}年支出预算（按科目）", sub, bars)


def sangong_chart(d: Disclosure) -> Chart:
    s = d.sangong
    bars = tuple(
        Bar(i.name, i.amount, f"{amount_text(i.amount)} {d.unit}", change_text(i.amount, i.previous))
        for i in s.item
    )
    sub = f"合计 {amount_text(s.total)} {d.unit}"
    if s.previous_total is not None:
        sub += f"，比{d.previous_year}年{change_text(s.total, s.previous_total)}"
    return Chart("“三公”经费", sub, bars)


def change_chart(d: Disclosure) -> Chart:
    bars = tuple(
        Bar(
            c.name,
            c.amount,
            f"{amount_text(c.amount)} {d.unit}",
            change_text(c.amount, c.previous),
            c.previous,
            f"{d.previous_year}年 {amount_text(c.previous)}" if c.previous is not None else "",
        )
        for c in d.budget.category
    )
    return Chart(
        f"与{d.previous_year}年相比",
        f"浅色为{d.previous_year}年，深色为{d.year}年（{d.unit}）",
        bars,
        compare=True,
    )


def other_figures(d: Disclosure) -> list[tuple[str, str]]:
    """The remaining headline figures, as label / text pairs."""
    operating = f"{amount_text(d.operating.total)} {d.unit}"
    if d.operating.previous_total is not None:
        operating += f"，比上年{change_text(d.operating.total, d.operating.previous_total)}"
    items = "，".join(f"{i.name}{amount_text(i.amount)}" for i in d.procurement.item)
    out = [
        ("运行经费", operating),
        ("政府采购", f"{amount_text(d.procurement.total)} {d.unit}（{items}）"),
        ("人员编制", f"{d.staff_posts} 名"),
    ]
    return out
