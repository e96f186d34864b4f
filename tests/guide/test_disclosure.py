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
    # as published: 总支出较上年增长12.9% (the statement gives no amount for the total's change)
    assert spending_chart(d).subtitle == "合计 938.09 万元，比2023年+12.9%"
    sangong = sangong_chart(d)
    assert "合计 3.45 万元" in sangong.subtitle and "+2.68%" in sangong.subtitle
    assert [b.value_text for b in sangong.bars] == ["1.65 万元", "1.8 万元", "0 万元"]
    assert dict(other_figures(d))["人员编制"] == "55 名"
    # 同比增3.93万元，同比增长7.4%: published, not 3.93 / 53.07 = 7.41 % worked out again
    assert dict(other_figures(d))["运行经费"] == "57 万元，比上年+3.93（+7.4%）"


@pytest.mark.parametrize(
    ("value", "text"), [(676.73, "676.73"), (16.2, "16.2"), (57.0, "57"), (0.0, "0"), (0.005, "0.01")]
)
def test_amount_text(value: float, text: str) -> None:
    assert amount_text(value) == text


def test_change_text() -> None:
    assert change_text(1.8, 1.8) == "持平"
    assert change_text(5.0, None) == ""
    assert change_text(1.0, 0.0) == "+1"


# ---------------------------------------------- issue 22: published as published, derived said so
# 第一部分 一、主要职责 of the statement: fourteen paragraphs under thirteen numbers (（七） twice)
NUMBERS = ["一", "二", "三", "四", "五", "六", "七", "七", "八", "九", "十", "十一", "十二", "十三"]


def test_all_duties_verbatim_with_the_statements_numbering() -> None:
    d = default_disclosure()
    assert d.duties_form == "verbatim"
    assert [duty[1 : duty.index("）")] for duty in d.duties] == NUMBERS
    assert (
        d.duties[0]
        == "（一）负责全区政务服务工作，为到区政务服务大厅办事群众提供规范、优质、高效的窗口服务。"
    )
    assert d.duties[-1] == "（十三）完成区委、区人民政府、区行政审批局交办的其他工作。"
    assert "负责组织入驻单位人员的业务培训" in d.duties[3]  # it was shortened away before


def test_last_years_figures_are_labelled_derived() -> None:
    d = default_disclosure()
    chart = change_chart(d)
    assert "推算" in chart.subtitle
    assert all(b.previous_text.startswith("2023年（推算）") for b in chart.bars)


def test_a_change_that_disagrees_with_the_derived_previous_year_is_refused(tmp_path) -> None:
    from pathlib import Path

    from kiosk.disclosure import load_disclosure
    from kiosk.guide.content import ContentError

    text = (Path(__file__).resolve().parents[2] / "config" / "disclosure.toml").read_text(encoding="utf-8")
    bad = tmp_path / "disclosure.toml"
    bad.write_text(text.replace("change = 55.01", "change = 55.10"), encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_disclosure(bad)
    assert "一般公共服务" in str(err.value) and "change" in str(err.value)


def test_published_change_shows_only_what_was_published() -> None:
    from types import SimpleNamespace

    from kiosk.disclosure.charts import published_change

    assert published_change(SimpleNamespace(change=3.93, change_percent=7.4), 57, 53.07) == "+3.93（+7.4%）"
    assert published_change(SimpleNamespace(change=None, change_percent=12.9), 938.09, 830.94) == "+12.9%"
    assert published_change(SimpleNamespace(change=-1.8, change_percent=-10), 16.2, 18) == "−1.8（−10%）"
    assert published_change(SimpleNamespace(change=0, change_percent=None), 1.8, 1.8) == "持平"
    # nothing published: worked out from the derived previous year, and said to be
    assert published_change(SimpleNamespace(), 57, 53.07) == "+3.93（+7.41%）（推算）"
    assert published_change(SimpleNamespace(), 57, None) == ""
