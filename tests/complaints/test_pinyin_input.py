"""Pinyin candidates (kiosk/pinyin_input.py): built from pypinyin's readings and jieba's frequencies."""

from __future__ import annotations

from kiosk import pinyin_input
from kiosk.pinyin_input import Composer, normalise


def texts(letters: str, n: int = 10) -> list[str]:
    return [c.text for c in pinyin_input.candidates(letters)[:n]]


def test_zhengwu_offers_zhengwu_first() -> None:
    assert texts("zhengwu")[0] == "政务"
    assert "正午" in texts("zhengwu")  # the other word spelt so, after it


def test_an_unfinished_last_syllable_already_offers_the_word() -> None:
    assert "政务" in texts("zhengw", 6)


def test_complaint_words_and_heteronyms_in_words() -> None:
    assert texts("tousu")[0] == "投诉"
    assert texts("jubao")[0] == "举报"
    assert texts("zixun")[0] == "咨询"
    assert texts("yinhang")[0] == "银行"  # 行 read háng in this word (pypinyin's phrases)
    assert texts("chongxin")[0] == "重新"  # 重 read chóng


def test_a_syllable_offers_characters_most_used_first() -> None:
    found = texts("zheng", 20)
    assert {"正", "政", "证"} <= set(found)
    assert all(len(t) == 1 for t in found[:5])
    assert "緰" not in texts("tou", 60)  # traditional / rare characters are left out


def test_v_stands_for_u_umlaut_and_ambiguous_splits() -> None:
    assert "绿" in texts("lv")
    assert "西安" in texts("xian", 40) and "先" in texts("xian", 5)


def test_a_word_spelling_the_first_syllables_leaves_the_rest() -> None:
    found = pinyin_input.candidates("gongzuorenyuan")
    assert found[0].text == "工作人员" and found[0].consumed == len("gongzuorenyuan")
    work = next(c for c in found if c.text == "工作")
    assert work.consumed == len("gongzuo")


def test_hostile_letters_are_cut_and_filtered() -> None:
    assert normalise("Zh<b>eng\x00WU" + "a" * 100).startswith("zhbengwu")
    assert len(normalise("a" * 1000)) == pinyin_input.MAX_LETTERS
    assert pinyin_input.candidates("") == []
    assert pinyin_input.candidates("123") == []
    assert pinyin_input.candidates("a" * 1000)  # no blow-up: something, quickly


def test_composer_choose_page_backspace_space() -> None:
    c = Composer(per_page=3)
    for ch in "zhengwufuwu":
        c.letter(ch)
    first = c.shown()
    assert len(first) == 3
    c.next_page()
    assert c.page == 1 and c.shown() != first
    c.previous_page()
    assert c.choose(0) == "政务服务"  # a common phrase (COMMON_PHRASES) spelling every letter
    assert c.letters == ""
    for ch in "zhengwu":
        c.letter(ch)
    assert c.space() == "政务" and c.letters == ""
    c.letter("x")
    assert c.backspace() is True and c.letters == ""
    assert c.backspace() is False  # nothing typed: the caller deletes a character
    assert c.choose(99) is None


def test_composer_pages_hold_what_fits_their_bar() -> None:
    """A narrow bar (the keyboard beside the guide's list on a 1280×800 screen) shows fewer
    candidates a page; paging forward and back still reaches each one once, in order."""
    wide = Composer(per_page=5)
    narrow = Composer(per_page=5)
    narrow.fits = lambda page: sum(len(c.text) for c in page) <= 4  # room for four characters
    for ch in "yiliao":
        wide.letter(ch)
        narrow.letter(ch)
    everything = [c.text for c in wide._all()]
    seen: list[str] = []
    pages = 0
    while True:
        page = [c.text for c in narrow.shown()]
        assert page and (len(page) == 1 or sum(map(len, page)) <= 4), page
        seen += page
        pages += 1
        if not narrow.has_next():
            break
        narrow.next_page()
    assert seen == everything  # nothing skipped, nothing twice
    assert pages > len(everything) // 5
    narrow.previous_page()
    assert [c.text for c in narrow.shown()] == seen[-len(page) - len(narrow.shown()) : -len(page)]
    chosen = narrow.shown()[0]
    assert narrow.choose(0) == chosen.text and narrow.page == 0
