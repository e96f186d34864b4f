"""Chinese line breaking (screens/linebreak.py) and English certificate terms (kiosk/terms.py).

No window: the breaking rule takes a ``fits`` function; here one character is one unit of width,
as with the CJK font (every ideograph and full-width mark is one em).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from screens.linebreak import break_paragraph, breaking_faults


def width(n: int) -> Callable[[str], bool]:
    return lambda line: len(line) <= n


SENTENCE = "请将身份证放在感应区，或打开手机上的亮证码（粤省事、桂通办），对准摄像头"
WATERMARK = "此件由柳江区政务服务中心自助终端提供，仅供办理政务服务事项时使用，有效期至2027年1月5日"


def test_no_line_begins_with_closing_or_ends_with_opening_punctuation() -> None:
    for n in range(8, 30):
        lines = break_paragraph(SENTENCE, width(n))
        assert "".join(lines) == SENTENCE
        assert all(len(line) <= n for line in lines)
        assert all(line[0] not in "，、）。" for line in lines[1:]), lines
        assert all(line[-1] not in "（“" for line in lines[:-1]), lines
        assert breaking_faults(lines) == []


def test_a_date_is_never_split_and_no_lone_last_character() -> None:
    for n in range(10, 40):
        lines = break_paragraph(WATERMARK, width(n))
        assert "".join(lines) == WATERMARK
        assert any("2027年1月5日" in line for line in lines), lines
        assert breaking_faults(lines) == []
    lines = break_paragraph("请将手机二维码对准摄像头", width(11))
    assert lines == ["请将手机二维码对准摄", "像头"]  # not a lone 头


def test_the_audit_names_what_kivy_did_wrong() -> None:
    # what Kivy drew before: cut at the last character that fits, anywhere
    assert breaking_faults(["请将身份证放在感应区", "，或打开"])
    assert breaking_faults(["有效期至2027年1", "月5日"])
    assert breaking_faults(["对准摄像", "头"])
    assert breaking_faults(["行政审批局（", "工程建设"])


def test_english_breaks_at_spaces_only() -> None:
    lines = break_paragraph("Certificate-free service for all citizens of Liujiang", width(20))
    assert lines == ["Certificate-free", "service for all", "citizens of Liujiang"]


def test_certificate_terms_and_dates_in_english() -> None:
    from kiosk.i18n import set_language
    from kiosk.terms import term
    from kiosk.views import format_date

    set_language("en")
    try:
        assert term("机动车驾驶证") == "Motor Vehicle Driving Licence"
        assert term("签发机关") == "Issued by"
        assert term("柳州市公安局柳江分局") == "Liujiang Branch, Liuzhou Public Security Bureau"
        assert term("自助终端 01") == "Self-service terminal 01"
        assert term("2018年6月1日—长期") == "1 Jun 2018—no expiry"
        assert format_date(date(2027, 1, 5)) == "5 Jan 2027"
        assert term("韦桂兰") == "韦桂兰"  # the holder's data is shown as sent
    finally:
        set_language("zh_CN")
    assert term("机动车驾驶证") == "机动车驾驶证"
    assert format_date(date(2027, 1, 5)) == "2027年1月5日"
