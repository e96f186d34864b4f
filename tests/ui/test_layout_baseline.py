"""The layout audit's baseline (tests/support/layout_baseline.py): a new problem and a fixed one are
both told, the committed list parses, and its header says what the entries are."""

from __future__ import annotations

from dataclasses import dataclass

from tests.support import layout_baseline as baseline


@dataclass(frozen=True)
class F:  # the fields of kiosk.app.layout_audit.Finding the baseline reads
    state: str
    kind: str
    text: str


def entries(*findings: F) -> list[baseline.Entry]:
    return [baseline.fingerprint(f) for f in findings]


def test_a_problem_not_listed_is_new_and_a_listed_one_gone_is_told() -> None:
    known = baseline.parse(
        "1920x1080 | zh_CN-elder | certificates-page* | overlap | 下一页\n"
        "1920x1080 | * | rate | outside | 请为本次服务评价\n"
        "1080x1920 | en-* | * | cut | Liujiang District\n"
    )
    found = entries(
        F("1920x1080-zh_CN-elder-certificates-page2", "overlap", "下一页"),
        F("1920x1080-zh_CN-elder-detail3", "cut", "出生日期"),
    )
    new, gone = baseline.compare(found, known, "1920x1080")
    assert [str(e) for e in new] == ["1920x1080 | zh_CN-elder | detail3 | cut | 出生日期"]
    assert [str(e) for e in gone] == ["1920x1080 | * | rate | outside | 请为本次服务评价"]  # not 1080x1920's


def test_the_clock_and_counters_do_not_change_a_fingerprint() -> None:
    a = entries(F("1080x1920-en-elder-attract", "overlap", "2026-12-06  15:59"))
    b = entries(F("1080x1920-en-elder-attract", "overlap", "2027-01-05 09:07"))
    assert a == b and a[0].text == "####-##-## ##:##"


def test_collapse_keeps_every_finding_matched_and_nothing_else() -> None:
    pages = ["attract", "identify", "consent", "rate", "detail1", "detail2"]
    found = entries(
        *[
            F(f"1080x1920-{mode}-{page}", "cut", "Liujiang District")
            for mode in ("en-normal", "en-elder")
            for page in pages
        ],
        F("1080x1920-zh_CN-elder-detail1", "overlap", "社会保障卡"),
        F("1080x1920-zh_CN-elder-detail4", "overlap", "社会保障卡"),
    )
    listed = baseline.collapse(found)
    assert [str(e) for e in listed] == [
        "1080x1920 | en-* | * | cut | Liujiang District",
        "1080x1920 | zh_CN-elder | detail[0-9]* | overlap | 社会保障卡",
    ]
    new, gone = baseline.compare(found, listed, "1080x1920")
    assert not new and not gone
    other = entries(F("1080x1920-zh_CN-normal-attract", "cut", "Liujiang District"))
    assert baseline.compare(other, listed, "1080x1920")[0] == other  # another mode is not covered


def test_the_committed_list_parses_and_says_its_entries_are_open_defects() -> None:
    text = baseline.KNOWN_FILE.read_text(encoding="utf-8")
    baseline.parse(text)
    assert "OPEN DEFECT OF ISSUE 22, NOT AN ACCEPTED DESIGN" in text
    assert len(text.splitlines()) < 400  # readable: group entries, do not loosen the checks


def test_a_page_wrong_as_a_whole_is_listed_for_that_page_only() -> None:
    texts = ["A", "B", "C", "D", "E"]
    pages = ["rate", "consent", "identify", "face"]
    found = entries(*[F(f"1280x800-en-elder-{p}", "overlap", t) for p in pages for t in texts])
    listed = baseline.collapse(found)
    assert sorted(str(e) for e in listed) == [
        f"1280x800 | en-elder | {p} | overlap | *" for p in sorted(pages)
    ]
    other = entries(F("1280x800-en-elder-goodbye", "overlap", "A"))
    assert baseline.compare(other, listed, "1280x800")[0] == other  # a new page's problem is still told
