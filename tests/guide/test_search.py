"""Search as a citizen types it on the letter keypad (pinyin initials, full pinyin) or as text."""

from __future__ import annotations

import pytest

from kiosk.guide import MatterIndex, default_catalogue
from kiosk.guide.search import full_pinyin, initials


@pytest.fixture(scope="module")
def index() -> MatterIndex:
    return MatterIndex(default_catalogue())


def ids(index: MatterIndex, query: str) -> list[str]:
    return [m.id for m in index.search(query)]


def test_pinyin_of_names() -> None:
    assert initials("不动产登记（二手房转移登记）") == "bdcdjesfzydj"
    assert full_pinyin("住房公积金") == "zhufanggongjijin"
    assert initials("出生“一件事”") == "csyjs"


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("bdc", "estate-transfer"),
        ("BDC", "estate-transfer"),
        ("gjj", "housing-fund-withdraw"),
        ("hydj", "marriage"),
        ("cs", "birth"),
        ("yyzz", "business-change"),
        ("jsz", "licence-renewal"),  # keyword 驾驶证
    ],
)
def test_pinyin_initials(index: MatterIndex, query: str, first: str) -> None:
    assert ids(index, query)[0] == first


def test_full_pinyin(index: MatterIndex) -> None:
    assert ids(index, "budongchan") == ["estate-transfer"]
    assert ids(index, "gongjijin")[0] == "housing-fund-withdraw"
    assert ids(index, "jiehun")[0] == "marriage"  # keyword 结婚
    assert ids(index, "bu dong chan") == ["estate-transfer"]  # spaces ignored


def test_chinese_substring_and_keyword(index: MatterIndex) -> None:
    assert ids(index, "公积金")[0] == "housing-fund-withdraw"
    assert ids(index, "婚姻登记") == ["marriage"]
    assert ids(index, "过户") == ["estate-transfer"]  # keyword only
    assert set(ids(index, "开公司")) == {"start-business"}
    assert ids(index, "营业执照")[0] == "business-change"  # name starts with it
    assert "start-business" in ids(index, "营业执照")
    # material names are found too (a citizen holding a paper they were asked for)
    assert "medical-reimburse" in ids(index, "医疗费用发票")


def test_no_match_and_empty(index: MatterIndex) -> None:
    assert ids(index, "xyzq") == []
    assert ids(index, "火星") == []
    assert ids(index, "!!") == []
    assert ids(index, "") == [m.id for m in default_catalogue().matters]


def test_the_index_is_spelled_without_pypinyin_in_this_process() -> None:
    """pypinyin's dictionaries (about 55 MB) stay in a child process that exits (kiosk.guide.search)."""
    import subprocess
    import sys

    code = (
        "import sys; from kiosk.guide import MatterIndex, default_catalogue; "
        "i = MatterIndex(default_catalogue()); "
        "assert 'pypinyin' not in sys.modules, 'pypinyin loaded here'; "
        "print([m.id for m in i.search('bdc')][0], [m.id for m in i.search('yinhang')][:1])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "guide: pinyin spelled in this process" not in done.stderr
    assert done.stdout.split()[0] == "estate-transfer"
