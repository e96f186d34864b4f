"""The receipt renderer: width, 1-bit threshold, Simplified Chinese glyphs, 䶮, wrapping, QR."""

from __future__ import annotations

from datetime import date

import pytest
from fontTools.ttLib import TTFont
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.fonts import font_path
from kiosk.receipt.codes import verify_receipt_code
from kiosk.receipt.contents import diagnostic_page_receipt, watermark_sentence
from kiosk.receipt.layout import Field, Qr, Receipt, Text
from kiosk.receipt.plain_text import receipt_text
from kiosk.receipt.render import MARGIN_DOTS, _font, render, wrap
from kiosk.receipt.samples import DEMO_SECRET
from tests.printer.helpers import FIXED_TIME, artifacts_dir, qr_texts, sample_receipt


@pytest.mark.parametrize("width", [384, 576])
def test_sample_receipt_is_one_bit_paper_width_and_its_qr_verifies(width: int) -> None:
    image = render(sample_receipt(), width)
    image.save(artifacts_dir() / f"receipt-sample-{width}.png")
    assert image.mode == "1"
    assert image.width == width
    histogram = image.convert("L").histogram()
    assert sum(histogram[1:255]) == 0  # thresholded: no grey, no dither
    texts = qr_texts(image)
    assert len(texts) == 1
    assert verify_receipt_code(texts[0], DEMO_SECRET)


def test_every_character_on_the_receipt_has_a_glyph_in_the_sc_font() -> None:
    """䶮 (U+4DAE) and the rest must come from the font, not a missing-glyph box."""
    cmap = TTFont(str(font_path("regular")), lazy=True, fontNumber=0).getBestCmap()
    text = receipt_text(sample_receipt()) + receipt_text(
        diagnostic_page_receipt("终端", "T1", 576, FIXED_TIME)
    )
    assert "䶮" in text
    missing = {ch for ch in text if not ch.isspace() and ord(ch) not in cmap}
    assert not missing


def test_watermark_sentence_follows_the_official_wording() -> None:
    assert watermark_sentence(date(2026, 12, 9)) == (
        "此件由柳江区政务服务中心自助终端提供，仅供办理政务服务事项时使用，有效期至2026年12月9日"
    )


def test_receipt_carries_only_masked_personal_data() -> None:
    receipt = sample_receipt()
    text = receipt_text(receipt)
    assert "4502**********0038" in text
    assert "450206199005170038" not in text
    assert "覃*" in text and "覃䶮" not in text.replace("生僻字样例", "")


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("政务服务中心自助终端ABCxyz0123456789，。（）·- "))
        | st.sampled_from(["䶮"]),
        min_size=0,
        max_size=120,
    )
)
def test_wrap_loses_nothing_and_every_line_fits(text: str) -> None:
    font = _font(21, False)
    limit = 384 - 2 * MARGIN_DOTS - 80
    lines = wrap(text, font, limit)
    assert all(font.getlength(line) <= limit for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize("width", [384, 576])
def test_long_values_wrap_inside_the_paper(width: int) -> None:
    long_value = "1.2.156.3005.2." + "1" * 80 + ".001.K"
    image = render(Receipt(title="测试", blocks=(Field("证照标识", long_value), Text("很" * 100))), width)
    # nothing drawn in the outer margin columns: text was wrapped, not clipped at the edge
    strip = image.crop((width - MARGIN_DOTS // 2, 0, width, image.height)).convert("L")
    assert strip.getextrema() == (255, 255)


def test_qr_module_count_grows_but_stays_decodable_for_long_text() -> None:
    data = "KIOSK-V1:LJ-ZZ-DEMO:20261129150700-a1b2c3:0123abcd" + "测试" * 60
    image = render(Receipt(title="二维码", blocks=(Qr(data, share=0.9),)), 384)
    assert qr_texts(image) == [data]


def test_unsupported_width_is_refused() -> None:
    with pytest.raises(ValueError, match="width_dots"):
        render(sample_receipt(), 500)
