"""政务公开 figures: the content file equals the 2024 budget statement, and the chart texts are the
file's figures (the screen test checks the same texts are on screen)."""

from __future__ import annotations

import pytest

from kiosk.disclosure import (
    amount_text,
    change_chart,
    change_text,
    default_disclosure,
    sangong_chart,
    spending_chart,
)
from kiosk.disclosure.charts import other_figures

# From the statement (柳江区政务服务中心2024年单位预算情况说明), as published.
STATEMENT = {
    "一般公共服务": (676.73, 55.01, "72.14%", "8.85%"),
    "社会保障和就业": (134.94, 29.73, "14.38%", "28.26%"),
    "卫生健康": (43.63, 9.55, "4.65%", "28.02%"),
    "城乡社区": (16.2, -1.8, "1.73%", "10%"),
    "住房保障": (66.59, 14.66, "7.1%", "28.23%"),
}


def test_file_matches_the_statement() -> None:
    d = default_disclosure()
    assert (d.year, d.budget.total, d.staff_posts) == (2024, 938.09, 55)
    assert {c.name for c in d.budget.category} == set(STATEMENT)
    for c in d.budget.category:
        amount, delta, _share, _pct = STATEMENT[c.name]
        assert c.amount == amount
        assert c.previous is not None and round(c.amount - c.previous, 2) == delta
    # 总支出较上年增长12.9%
    assert d.budget.previous_total is not None
    assert round((d.budget.total / d.budget.previous_total - 1) * 100, 1) == 12.9
    assert d.sangong.total == 3.45 and {i.name: i.amount for i in d.sangong.item} == {
        "公务接待费": 1.65,
        "公务用车运行维护费": 1.8,
        "因公出国（境）费": 0,
    }
    assert d.operating.total == 57
    assert d.procurement.total == 13.98
    assert {i.name: i.amount for i in d.procurement.item} == {"货物类": 12.33, "工程类": 0, "服务类": 1.65}


def test_chart_texts_reproduce_the_statements_shares_and_changes() -> None:
    d = default_disclosure()
    spend = {b.label: b for b in spending_chart(d).bars}
    change = {b.label: b for b in change_chart(d).bars}
    for name, (amount, _delta, share, pct) in STATEMENT.items():
        assert spend[name].value == amount
        assert spend[name].value_text == f"{amount_text(amount)} 万元"
        assert spend[name].detail == f"占 {share}"
        assert pct in change[name].detail
        assert change[name].previous is not None
    assert change["城乡社区"].detail == "−1.8（−10%）"
    assert "+107.15（+12.9%）" in spending_chart(d).subtitle
    sangong = sangong_chart(d)
    assert "合计 3.45 万元" in sangong.subtitle and "+2.68%" in sangong.subtitle
    assert [b.value_text for b in sangong.bars] == ["1.65 万元", "1.8 万元", "0 万元"]
    assert dict(other_figures(d))["人员编制"] == "55 名"
    assert "+7.41%" in dict(other_figures(d))["运行经费"]


@pytest.mark.parametrize(
    ("value", "text"), [(676.73, "676.73"), (16.2, "16.2"), (57.0, "57"), (0.0, "0"), (0.005, "0.01")]
)
def test_amount_text(value: float, text: str) -> None:
    assert amount_text(value) == text


def test_change_text() -> None:
    assert change_text(1.8, 1.8) == "持平"
    assert change_text(5.0, None) == ""
    assert change_text(1.0, 0.0) == "+1"
