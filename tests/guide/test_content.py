"""Content files: the packaged catalogue and disclosure load; broken copies are refused with the file
and the entry named (what a member of staff needs to fix their edit)."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from kiosk.disclosure import load_disclosure
from kiosk.guide import ContentError, load_catalogue
from refserver.seed import TYPE_CODES

MATTERS = resources.files("config").joinpath("matters.toml").read_text(encoding="utf-8")
DISCLOSURE = resources.files("config").joinpath("disclosure.toml").read_text(encoding="utf-8")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_packaged_catalogue_covers_the_high_frequency_matters() -> None:
    c = load_catalogue()
    names = " ".join(m.name for m in c.matters)
    for expected in (
        "不动产登记",
        "社保参保",
        "医保报销",
        "住房公积金提取",
        "婚姻登记",
        "出生",
        "营业执照",
        "报建",
    ):
        assert expected in names
    # the known types are exactly the platform's (seed) codes with their names
    assert {t.code: t.name for t in c.certificate_type} == {v: k for k, v in TYPE_CODES.items()}
    for m in c.matters:
        assert m.materials and m.steps and m.department and m.window and m.time_limit and m.fees
    assert any(mat.accepts for m in c.matters for mat in m.materials)


def test_missing_field_is_refused_with_file_and_entry(tmp_path: Path) -> None:
    # drop the 'window' of the 5th matter (婚姻登记)
    text = MATTERS.replace('window = "三楼 婚姻登记处（D区）"\n', "")
    path = write(tmp_path, "matters.toml", text)
    with pytest.raises(ContentError) as info:
        load_catalogue(path)
    (problem,) = info.value.problems
    assert problem.file == str(path)
    assert "事项 #5" in problem.entry and "婚姻登记（结婚登记）" in problem.entry
    assert problem.message.startswith("window") and "缺少" in problem.message
    assert str(path) in str(info.value)


def test_unknown_certificate_type_is_refused_with_file_and_entry(tmp_path: Path) -> None:
    text = MATTERS.replace(
        'name = "社会保障卡"\ncopies = "原件"\naccepts = ["11100000000000004Y001"]',
        'name = "社会保障卡"\ncopies = "原件"\naccepts = ["11100000000000004Y009"]',
    )
    assert text != MATTERS
    path = write(tmp_path, "matters.toml", text)
    with pytest.raises(ContentError) as info:
        load_catalogue(path)
    (problem,) = info.value.problems
    assert "医保报销" in problem.entry and "材料 #1 “社会保障卡”" in problem.entry
    assert "11100000000000004Y009" in problem.message and "未知" in problem.message


def test_unknown_key_and_duplicate_id_are_refused(tmp_path: Path) -> None:
    text = MATTERS.replace('id = "marriage"\n', 'id = "birth"\ncolour = "red"\n')
    path = write(tmp_path, "matters.toml", text)
    with pytest.raises(ContentError) as info:
        load_catalogue(path)
    messages = [str(p) for p in info.value.problems]
    assert any("colour" in m and "不认识的字段" in m for m in messages)
    # fix the unknown key: the duplicate id is reported next
    path = write(tmp_path, "matters.toml", MATTERS.replace('id = "marriage"\n', 'id = "birth"\n'))
    with pytest.raises(ContentError, match="事项 id重复：birth"):
        load_catalogue(path)


def test_malformed_toml_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "matters.toml", MATTERS + "\n[[matter]\n")
    with pytest.raises(ContentError, match=re.escape(str(path)) + ".*TOML"):
        load_catalogue(path)


def test_disclosure_categories_must_add_up(tmp_path: Path) -> None:
    # this year's and (derived) last year's amount both 1 lower: the line agrees with its published
    # change, the categories no longer add up to the total
    text = DISCLOSURE.replace("amount = 43.63\nprevious = 34.08", "amount = 42.63\nprevious = 33.08")
    path = write(tmp_path, "disclosure.toml", text)
    with pytest.raises(ContentError) as info:
        load_disclosure(path)
    (problem,) = info.value.problems
    assert problem.file == str(path)
    assert "budget" in str(problem) and "937.09" in problem.message and "938.09" in problem.message


def test_disclosure_previous_year_and_breakdowns_are_checked(tmp_path: Path) -> None:
    bad_previous = DISCLOSURE.replace("previous = 34.08\nchange = 9.55", "previous = 35.08\nchange = 8.55")
    with pytest.raises(ContentError, match="上年数之和"):
        load_disclosure(write(tmp_path, "d1.toml", bad_previous))
    bad_sangong = DISCLOSURE.replace(
        'name = "公务接待费"\namount = 1.65\nprevious = 1.56',
        'name = "公务接待费"\namount = 1.75\nprevious = 1.66',
    )
    with pytest.raises(ContentError, match="sangong"):
        load_disclosure(write(tmp_path, "d2.toml", bad_sangong))
    negative = DISCLOSURE.replace("total = 57\n", "total = -57\n")
    with pytest.raises(ContentError, match="operating"):
        load_disclosure(write(tmp_path, "d3.toml", negative))


def test_rounding_within_a_cent_is_accepted(tmp_path: Path) -> None:
    # 2024 categories sum to exactly 938.09; a total published as 938.1 is within rounding
    text = DISCLOSURE.replace("total = 938.09 ", "total = 938.1 ")
    assert load_disclosure(write(tmp_path, "d.toml", text)).budget.total == 938.1


def test_cli_check_reports_each_problem(tmp_path: Path) -> None:
    ok = subprocess.run([sys.executable, "-m", "kiosk", "guide", "check"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "matters.toml" in ok.stdout and "disclosure.toml" in ok.stdout
    bad = write(tmp_path, "matters.toml", MATTERS.replace('fees = "不收费（个人缴费档次自选）"\n', ""))
    run = subprocess.run(
        [sys.executable, "-m", "kiosk", "guide", "check", str(bad)], capture_output=True, text=True
    )
    assert run.returncode == 1
    assert str(bad) in run.stderr and "社保参保登记" in run.stderr and "fees" in run.stderr
