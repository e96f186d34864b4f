"""Draw a :class:`~kiosk.receipt.layout.Receipt` into a 1-bit image the width of the paper.

The whole receipt is one raster image (testing.md): it prints the same on every printer, rare
characters such as 䶮 print because the glyphs come from our Simplified Chinese font rather than the
printer's GB18030 ROM, and it is thresholded (never dithered) so text and QR modules stay crisp.

WHY the caches: drawing a receipt is mostly FreeType rasterising CJK lines (about 0.3 ms a line)
and measuring text while wrapping (raqm shaping on every call), and most of a receipt's lines are
the same on every receipt (title, notices, labels, footer). Line masks and widths are remembered
(bounded LRU caches keyed by font, text, ink and sub-dot position), so the pixels are exactly those
ImageDraw.text draws — a test compares the two — and a receipt is drawn in a few milliseconds.
The QR code is qrcode's symbol with its mask search vectorised (kiosk.receipt.qr_matrix).

WHY only fixed text is remembered between receipts: a cache keyed by the printed text would keep
a citizen's (masked) name, ID number, certificates and receipt check code in memory after their
session is wiped, and personal data lives for one session only. So the process-wide caches take
only what is the same for everyone: the title, subtitle, footer, field labels, the test banner,
captions, and the blocks the contents mark ``fixed``. Everything else (field values, unmarked
text, the QR payload) is remembered only while its own receipt is drawn (:class:`_Memo`) and
dropped with it; nothing is left to wipe at session end, and a print still running in its worker
thread when the session ends cannot put anything back.
"""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Generic, TypeAlias, TypeVar

from PIL import Image, ImageDraw, ImageFont
from PIL.Image import core as _imaging_core

from kiosk import session_memory
from kiosk.fonts import font_path
from kiosk.receipt.layout import Block, Field, Qr, Receipt, Separator, Space, Text
from kiosk.receipt.qr_matrix import qr_image

V = TypeVar("V")

SUPPORTED_WIDTHS = (384, 576)
_THRESHOLD = [255 if v >= 128 else 0 for v in range(256)]  # a lookup table: no lambda call per level
MARGIN_DOTS = 8  # the print head reaches the edge; a small margin keeps glyphs off it


@dataclass(frozen=True, slots=True)
class _Metrics:
    small: int
    normal: int
    large: int
    title: int
    gap: int


def _metrics(width: int) -> _Metrics:
    if width >= 576:
        return _Metrics(small=20, normal=24, large=30, title=36, gap=4)
    return _Metrics(small=18, normal=21, large=26, title=30, gap=3)


@lru_cache(maxsize=16)
def _font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path("bold" if bold else "regular")), size)


class _Kept(Generic[V]):
    """A bounded, thread-safe LRU map (receipts are drawn in worker threads), open to inspection:
    the privacy test reads its keys."""

    def __init__(self, size: int) -> None:
        self.maxsize = size
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def keys(self) -> list[Hashable]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


if TYPE_CHECKING:
    _LineMask: TypeAlias = tuple[_imaging_core.ImagingCore, tuple[int, int]]

# line masks: a 576-dot line of 24-dot text is ~15 KB, so 256 of them stay under 4 MB
_LINE_MASKS_KEPT = 256
_WIDTHS: _Kept[float] = _Kept(4096)  # (font, text) -> advance width; fixed text only
_LINE_MASKS: _Kept[_LineMask] = _Kept(_LINE_MASKS_KEPT)  # (font, text, ink, sub-dot start); fixed text only


def _measure(font: ImageFont.FreeTypeFont, text: str) -> float:
    return font.getlength(text)


def _rasterise(font: ImageFont.FreeTypeFont, text: str, ink: int, start: tuple[float, float]) -> _LineMask:
    """What ImageDraw.text asks FreeType for, for one line in an "L" image with the default anchor."""
    return font.getmask2(text, "L", None, None, None, 0, "la", ink, start, stroke_filled=True)


@dataclass
class _Memo:
    """What one receipt's drawing remembers: fixed text in the process-wide caches, the rest in
    this object's own dicts, which go with it when the receipt is drawn."""

    widths: dict[Hashable, float] = field(default_factory=dict)
    masks: dict[Hashable, _LineMask] = field(default_factory=dict)

    def width(self, font: ImageFont.FreeTypeFont, text: str, fixed: bool) -> float:
        return _remember(_WIDTHS, self.widths, (font, text), fixed, lambda: _measure(font, text))

    def mask(
        self, font: ImageFont.FreeTypeFont, text: str, ink: int, start: tuple[float, float], fixed: bool
    ) -> _LineMask:
        key = (font, text, ink, start)
        return _remember(_LINE_MASKS, self.masks, key, fixed, lambda: _rasterise(font, text, ink, start))


def _remember(kept: _Kept[V], own: dict[Hashable, V], key: Hashable, fixed: bool, make: Callable[[], V]) -> V:
    value = kept.get(key)  # personal text may read what fixed text left there, never the reverse
    if value is None:
        value = own.get(key)
    if value is None:
        value = make()
        if fixed:
            kept.put(key, value)
        else:
            own[key] = value
    return value


def forget_all() -> None:
    """Empty the process-wide caches (the bench's cold figure; tests)."""
    _WIDTHS.clear()
    _LINE_MASKS.clear()


def release_fonts() -> bool:
    """The session ended (kiosk.session_memory): close the fonts and drop the remembered lines.

    WHY: each open size of the CJK face maps the font file and parses its tables; the fonts and the
    lines drawn with them came to about 22 MB resident, kept all day at rest (bench/startup_bench.py
    --smaps). The next session's receipt opens them again (kiosk.wiring.printer.warm_up, as the
    session starts). Returns whether anything was held."""
    held = _font.cache_info().currsize > 0 or len(_WIDTHS) > 0 or len(_LINE_MASKS) > 0
    forget_all()  # the keys hold the fonts too
    _font.cache_clear()
    return held


session_memory.register("receipt-fonts", release_fonts)


def kept_texts() -> list[str]:
    """Every text the process-wide caches hold a width or a drawn line of (the privacy test)."""
    return [key[1] for key in [*_WIDTHS.keys(), *_LINE_MASKS.keys()] if isinstance(key, tuple)]


def draw_line(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    font: ImageFont.FreeTypeFont,
    fill: int,
    memo: _Memo | None = None,
    fixed: bool = False,
) -> None:
    """``draw.text(xy, text, fill=fill, font=font)`` for one line (no newline) on an "L" image,
    with the line's mask remembered (across receipts only when ``fixed``)."""
    x, y = xy
    memo = memo if memo is not None else _Memo()
    mask, offset = memo.mask(font, text, fill, (math.modf(x)[0], math.modf(y)[0]), fixed)
    draw.draw.draw_bitmap((int(x) + offset[0], int(y) + offset[1]), mask, fill)


def _tokens(text: str) -> list[str]:
    """Split into wrap units: Latin/digit runs stay whole up to a separator, CJK breaks anywhere."""
    out: list[str] = []
    word = ""
    for ch in text:
        if ch.isascii() and not ch.isspace():
            word += ch
            if ch in "./-" and len(word) > 1:  # identifiers break after their separators
                out.append(word)
                word = ""
            continue
        if word:
            out.append(word)
            word = ""
        out.append(ch)
    if word:
        out.append(word)
    return out


_NO_LINE_START = set("，。、；：？！）」』》〉】,.;:?!)%")


def _break_long(token: str, width: Callable[[str], float], max_width: float, lines: list[str]) -> str:
    """Cut a token wider than a line into full lines; return the remainder."""
    while width(token) > max_width and len(token) > 1:
        cut = len(token)
        while cut > 1 and width(token[:cut]) > max_width:
            cut -= 1
        lines.append(token[:cut])
        token = token[cut:]
    return token


def _wrap_paragraph(paragraph: str, width: Callable[[str], float], max_width: float) -> list[str]:
    lines: list[str] = []
    line = ""
    # Space-separated words (dates such as "2027年3月15日", identifiers) move to the next line
    # whole when they fit on one; Chinese running text has no spaces and breaks between characters.
    for word in re.split(r"( )", paragraph):
        if not word:
            continue
        if width(line + word) <= max_width:
            line += word
            continue
        if word == " ":
            lines.append(line.rstrip())
            line = ""
            continue
        if line.strip() and width(word) <= max_width:
            lines.append(line.rstrip())
            line = word
            continue
        for token in _tokens(word):
            if width(line + token) <= max_width:
                line += token
            elif token in _NO_LINE_START and len(line) > 1:
                # keep closing punctuation with its text: the last character moves down with it
                lines.append(line[:-1])
                line = line[-1] + token
            else:
                if line.strip():
                    lines.append(line.rstrip())
                line = _break_long(token, width, max_width, lines)
    lines.append(line.rstrip())
    return lines


def wrap(
    text: str, font: ImageFont.FreeTypeFont, max_width: float, memo: _Memo | None = None, fixed: bool = False
) -> list[str]:
    """Greedy wrap to ``max_width`` dots that never loses a character."""
    memo = memo if memo is not None else _Memo()

    def width(part: str) -> float:
        return memo.width(font, part, fixed)

    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines += _wrap_paragraph(paragraph, width, max_width)
    return lines


class _Canvas:
    """A growing white page; blocks draw onto it top to bottom."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.inner = width - 2 * MARGIN_DOTS
        self.image = Image.new("L", (width, 2000), 255)
        self.draw = ImageDraw.Draw(self.image)
        self.y = MARGIN_DOTS
        self.memo = _Memo()  # this receipt's own: dropped with the canvas

    def ensure(self, extra: int) -> None:
        need = self.y + extra + MARGIN_DOTS
        if need <= self.image.height:
            return
        grown = Image.new("L", (self.width, max(need, self.image.height * 2)), 255)
        grown.paste(self.image, (0, 0))
        self.image = grown
        self.draw = ImageDraw.Draw(self.image)

    def line_of_text(self, text: str, font: ImageFont.FreeTypeFont, x: float, gap: int, fixed: bool) -> None:
        ascent, descent = font.getmetrics()
        self.ensure(ascent + descent + gap)
        draw_line(self.draw, (x, self.y), text, font, 0, self.memo, fixed)
        self.y += ascent + descent + gap

    def paste(self, img: Image.Image, x: int) -> None:
        self.ensure(img.height)
        self.image.paste(img, (x, self.y))
        self.y += img.height


def _size(m: _Metrics, name: str) -> int:
    return {"small": m.small, "normal": m.normal, "large": m.large}[name]


def _draw_text(c: _Canvas, m: _Metrics, block: Text) -> None:
    font = _font(_size(m, block.size), block.bold)
    for line in wrap(block.text, font, c.inner, c.memo, block.fixed):
        x = MARGIN_DOTS
        if block.align == "center":
            x = int((c.width - c.memo.width(font, line, block.fixed)) / 2)
        c.line_of_text(line, font, x, m.gap, block.fixed)


def _draw_field(c: _Canvas, m: _Metrics, block: Field) -> None:
    size = _size(m, block.size)
    font = _font(size, False)
    label_font = _font(size, True)
    label = block.caption
    label_w = c.memo.width(label_font, label, True)  # labels are fixed wording
    if label_w > c.inner * 0.45:  # long label: value on its own lines below
        c.line_of_text(label, label_font, MARGIN_DOTS, m.gap, True)
        for line in wrap(block.value, font, c.inner, c.memo, block.fixed):
            c.line_of_text(line, font, MARGIN_DOTS, m.gap, block.fixed)
        return
    lines = wrap(block.value, font, c.inner - label_w, c.memo, block.fixed) or [""]
    draw_line(c.draw, (MARGIN_DOTS, c.y), label, label_font, 0, c.memo, True)
    for line in lines:
        c.line_of_text(line, font, MARGIN_DOTS + label_w, m.gap, block.fixed)


def _draw_separator(c: _Canvas, m: _Metrics, block: Separator) -> None:
    c.ensure(3 * m.gap + 2)
    y = c.y + m.gap
    if block.style == "solid":
        c.draw.rectangle((MARGIN_DOTS, y, c.width - MARGIN_DOTS - 1, y + 1), fill=0)
    else:
        c.image.paste(0, (0, y, c.width, y + 2), _dashes(c.width))
    c.y = y + 2 + 2 * m.gap


@lru_cache(maxsize=4)
def _dashes(width: int) -> Image.Image:
    """Where a dashed rule is black (a 2-row mask): drawn once per paper width, not dash by dash."""
    mask = Image.new("L", (width, 2), 0)
    draw = ImageDraw.Draw(mask)
    for x in range(MARGIN_DOTS, width - MARGIN_DOTS, 12):
        draw.rectangle((x, 0, min(x + 6, width - MARGIN_DOTS - 1), 1), fill=255)
    return mask


def _draw_qr(c: _Canvas, m: _Metrics, block: Qr) -> None:
    img = qr_image(block.data, int(c.inner * block.share))
    if img.width > c.inner:
        img = qr_image(block.data, c.inner)
    c.paste(img, (c.width - img.width) // 2)
    if block.caption:
        _draw_text(c, m, Text(block.caption, size="small", align="center", fixed=True))


def _draw_block(c: _Canvas, m: _Metrics, block: Block) -> None:
    if isinstance(block, Text):
        _draw_text(c, m, block)
    elif isinstance(block, Field):
        _draw_field(c, m, block)
    elif isinstance(block, Separator):
        _draw_separator(c, m, block)
    elif isinstance(block, Qr):
        _draw_qr(c, m, block)
    elif isinstance(block, Space):
        c.ensure(block.dots)
        c.y += block.dots


def _test_banner(c: _Canvas, m: _Metrics, words: str) -> None:
    font = _font(m.large, True)
    label = f"★ {words} ★"
    h = sum(font.getmetrics()) + 2 * m.gap
    c.ensure(h)
    c.draw.rectangle((MARGIN_DOTS, c.y, c.width - MARGIN_DOTS - 1, c.y + h), fill=0)
    x = (c.width - c.memo.width(font, label, True)) / 2
    draw_line(c.draw, (x, c.y + m.gap), label, font, 255, c.memo, True)
    c.y += h + 2 * m.gap


def render(receipt: Receipt, width_dots: int) -> Image.Image:
    """The receipt as a mode ``1`` image exactly ``width_dots`` wide (384 = 58 mm, 576 = 80 mm)."""
    if width_dots not in SUPPORTED_WIDTHS:
        raise ValueError(f"width_dots must be one of {SUPPORTED_WIDTHS}, not {width_dots}")
    m = _metrics(width_dots)
    c = _Canvas(width_dots)
    if receipt.test_data:
        _test_banner(c, m, receipt.test_label)
    _draw_text(c, m, Text(receipt.title, size="large", bold=True, align="center", fixed=True))
    if receipt.subtitle:
        _draw_text(c, m, Text(receipt.subtitle, size="small", align="center", fixed=True))
    _draw_separator(c, m, Separator("solid"))
    for block in receipt.blocks:
        _draw_block(c, m, block)
    if receipt.footer:
        _draw_separator(c, m, Separator("solid"))
        for line in receipt.footer:
            _draw_text(c, m, Text(line, size="small", align="center", fixed=True))
    if receipt.test_data:
        c.y += m.gap
        _test_banner(c, m, receipt.test_label)
    page = c.image.crop((0, 0, width_dots, c.y + MARGIN_DOTS))
    return page.point(_THRESHOLD, "1")  # threshold straight to 1 bit, in one pass


def warm_up(width_dots: int) -> None:
    """Draw the demo receipt once and throw it away, so the fonts are open and the lines every
    receipt shares (title, headings, labels, notices, footer) are remembered before the first
    citizen's receipt: about 15 ms of work at start instead of on that citizen's print."""
    from kiosk.receipt.samples import sample_certificate_receipt

    render(sample_certificate_receipt(), width_dots)
