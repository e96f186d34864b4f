"""The OFD renderer's fallback face read by FreeType (kiosk.ofd.freetype_face) gives what fontTools'
parse of the same face gave: the same glyph for every character, the same advance, the same
flattened outline, and so the same drawn certificate (issue 21: the parse was 250 ms of pure Python
and about 50 MB per session)."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from kiosk.fonts import font_path
from kiosk.ofd import draw, open_ofd, render_page
from kiosk.ofd.freetype_face import FreeTypeFace

DEMO = Path(__file__).parent / "data" / "demo_certificate.ofd"


def _gb2312_level_one() -> str:
    """The 3,755 most common Simplified Chinese characters (GB 2312 level 1), and ASCII."""
    chars = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.append(bytes([hi, lo]).decode("gb2312"))
    return "".join(chars) + "".join(chr(c) for c in range(0x21, 0x7F)) + "（）：，。、《》—·"


@pytest.fixture(scope="module")
def parsed() -> draw.FontSource:
    """The face as the renderer read it before: parsed by fontTools."""
    return draw.FontSource(TTFont(str(font_path("regular")), lazy=True), "parsed")


@pytest.fixture(scope="module")
def native() -> FreeTypeFace:
    return FreeTypeFace(str(font_path("regular")), "native", lambda: draw._Flatten(None))


def test_every_common_character_has_the_same_glyph_advance_and_outline(
    parsed: draw.FontSource, native: FreeTypeFace
) -> None:
    gid_of = {name: gid for gid, name in enumerate(parsed.order)}
    text = _gb2312_level_one()
    assert len(text) > 3800
    for ch in text:
        theirs, ours = parsed.glyph_for(ch), native.glyph_for(ch)
        assert theirs is not None and ours is not None, ch
        assert int(ours) == gid_of[theirs], ch
        assert native.advance(ours) == parsed.advance(theirs), ch
        assert native.outline(ours) == parsed.outline(theirs), ch
    assert native.upem == parsed.upem


def test_lookups_outside_the_face_are_misses_not_errors(native: FreeTypeFace) -> None:
    assert native.glyph_for("") is None
    assert native.glyph_for("\U0010fffd") is None  # a private-use character the face lacks
    assert native.glyph_by_index(-1) is None and native.glyph_by_index(10_000_000) is None
    assert native.glyph_by_index(0) == "0"  # .notdef: a glyph, as fontTools' order had it
    assert native.advance("not a glyph") == 1.0
    assert native.outline("not a glyph") == []


def test_the_demo_certificate_draws_the_same_pixels_as_with_the_parsed_face(
    monkeypatch: pytest.MonkeyPatch, parsed: draw.FontSource
) -> None:
    draw.release_fonts()
    ours = render_page(open_ofd(DEMO.read_bytes()), 0, width_px=900)
    assert "fallback-sc" in draw.fonts_held()
    assert isinstance(draw.fallback_font(), FreeTypeFace)
    draw.release_fonts()
    monkeypatch.setattr(draw, "_load_fallback", lambda: draw.FontSource(parsed.font, "fallback-sc"))
    theirs = render_page(open_ofd(DEMO.read_bytes()), 0, width_px=900)
    draw.release_fonts()
    assert ours.size == theirs.size
    assert ours.tobytes() == theirs.tobytes()


def test_threads_drawing_at_once_get_the_outlines_one_thread_gets(native: FreeTypeFace) -> None:
    """The certificate is drawn in a worker thread while an A4 copy may print in another; one
    FreeType face shares its glyph slot, so every load is locked."""
    text = _gb2312_level_one()[:1200]
    alone = FreeTypeFace(str(font_path("regular")), "alone", lambda: draw._Flatten(None))
    expected = {ch: alone.outline(alone.glyph_for(ch) or "") for ch in text}
    shared = FreeTypeFace(str(font_path("regular")), "shared", lambda: draw._Flatten(None))
    wrong: list[str] = []

    def work(part: str) -> None:
        for ch in part:
            if shared.outline(shared.glyph_for(ch) or "") != expected[ch]:
                wrong.append(ch)

    threads = [threading.Thread(target=work, args=(text[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert wrong == []
