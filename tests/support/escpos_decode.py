"""Decode an ESC/POS byte stream back into what a printer would put on paper.

Used by tests that capture bytes from a real link (a TCP listener standing in for a printer) and
want to check the *paper*: raster images (``GS v 0``, ``GS ( L``), text (plain or GB18030 between
``FS &`` and ``FS .``), QR codes (``GS ( k``), feeds and cuts (``GS V``). No Python tool does this,
so it is small and strict: an unknown command raises :class:`EscposDecodeError` with its offset
rather than being skipped, so a wrong stream cannot pass a test by accident.

Usage::

    stream = decode(captured_bytes)
    page = stream.pages[0]          # one page per cut (the last page may be uncut)
    page.raster                     # the raster bands stacked: a mode "1" PIL image
    page.image                      # everything: rasters, text rows (default bitmap font) and feeds
    page.qr_codes, page.text, page.cut
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image, ImageDraw, ImageFont

ESC, GS, FS, DLE, LF, CR, HT = 0x1B, 0x1D, 0x1C, 0x10, 0x0A, 0x0D, 0x09
DEFAULT_LINE_DOTS = 30  # ESC 2: 1/6 inch at 180 dpi-ish; thermal printers use about 30 dots


class EscposDecodeError(ValueError):
    def __init__(self, offset: int, message: str) -> None:
        super().__init__(f"at byte {offset}: {message}")
        self.offset = offset


@dataclass
class Page:
    """What lies between two cuts. ``items`` keeps the order: ("raster", img) | ("text", str) |
    ("feed", dots) | ("qr", data)."""

    items: list[tuple[str, object]] = field(default_factory=list)
    cut: str | None = None  # "full" | "partial" once cut

    @property
    def rasters(self) -> list[Image.Image]:
        return [v for k, v in self.items if k == "raster" and isinstance(v, Image.Image)]

    @property
    def text(self) -> list[str]:
        return [v for k, v in self.items if k == "text" and isinstance(v, str)]

    @property
    def qr_codes(self) -> list[str]:
        return [v for k, v in self.items if k == "qr" and isinstance(v, str)]

    @property
    def raster(self) -> Image.Image | None:
        """The raster bands stacked top to bottom (None if the page has no raster)."""
        bands = self.rasters
        if not bands:
            return None
        width = max(b.width for b in bands)
        out = Image.new("1", (width, sum(b.height for b in bands)), 1)
        y = 0
        for band in bands:
            out.paste(band, (0, y))
            y += band.height
        return out

    def image(self, width: int = 576) -> Image.Image:
        """The page as paper: rasters, text lines drawn in a bitmap font, feeds as white space."""
        font = ImageFont.load_default()
        heights: list[int] = []
        for kind, value in self.items:
            if kind == "raster" and isinstance(value, Image.Image):
                heights.append(value.height)
            elif kind == "text":
                heights.append(DEFAULT_LINE_DOTS)
            elif kind == "feed" and isinstance(value, int):
                heights.append(value)
            else:
                heights.append(0)
        out = Image.new("1", (width, max(1, sum(heights))), 1)
        draw = ImageDraw.Draw(out)
        y = 0
        for (kind, value), h in zip(self.items, heights, strict=True):
            if kind == "raster" and isinstance(value, Image.Image):
                out.paste(value, (0, y))
            elif kind == "text" and isinstance(value, str):
                draw.text((0, y + 4), value, font=font, fill=0)
            y += h
        return out


@dataclass
class Stream:
    pages: list[Page]
    status_queries: list[int]  # n of each DLE EOT n seen
    resets: int

    @property
    def cut_pages(self) -> list[Page]:
        return [p for p in self.pages if p.cut]


def _raster(data: bytes, pos: int) -> tuple[Image.Image, int]:
    """``GS v 0 m xL xH yL yH d1..dk``: k = x * y bytes, MSB first, 1 = black dot."""
    if pos + 8 > len(data):
        raise EscposDecodeError(pos, "truncated GS v 0 header")
    m = data[pos + 3]
    if m not in (0, 1, 2, 3, 48, 49, 50, 51):
        raise EscposDecodeError(pos, f"GS v 0 mode {m}")
    width_bytes = data[pos + 4] | data[pos + 5] << 8
    rows = data[pos + 6] | data[pos + 7] << 8
    start, end = pos + 8, pos + 8 + width_bytes * rows
    if end > len(data) or width_bytes == 0 or rows == 0:
        raise EscposDecodeError(pos, f"GS v 0 of {width_bytes}x{rows} bytes does not fit the stream")
    # PIL mode "1" raw data: 1 = white, so invert the printer's 1 = black
    bits = bytes(b ^ 0xFF for b in data[start:end])
    return Image.frombytes("1", (width_bytes * 8, rows), bits), end


def _graphics(data: bytes, pos: int, page: Page) -> int:
    """``GS ( L pL pH m fn ...``: fn 112 stores a raster (same bit order), fn 50 prints it."""
    length = data[pos + 3] | data[pos + 4] << 8
    end = pos + 5 + length
    if end > len(data) or length < 2:
        raise EscposDecodeError(pos, "truncated GS ( L")
    fn = data[pos + 6]
    if fn == 112:
        body = data[pos + 7 : end]  # a bx by c xL xH yL yH data
        w, h = body[4] | body[5] << 8, body[6] | body[7] << 8
        bits = bytes(b ^ 0xFF for b in body[8 : 8 + ((w + 7) // 8) * h])
        page.items.append(("stored_graphics", Image.frombytes("1", ((w + 7) // 8 * 8, h), bits)))
    elif fn == 50:
        stored = [v for k, v in page.items if k == "stored_graphics"]
        if stored:
            page.items.append(("raster", stored[-1]))
    return end


def _qr(data: bytes, pos: int, state: dict[str, bytes], page: Page) -> int:
    """``GS ( k pL pH cn fn ...``; cn 49 = QR. fn 80 stores, fn 81 prints, others set options."""
    length = data[pos + 3] | data[pos + 4] << 8
    end = pos + 5 + length
    if end > len(data) or length < 2:
        raise EscposDecodeError(pos, "truncated GS ( k")
    cn, fn = data[pos + 5], data[pos + 6]
    if cn == 49 and fn == 80:
        state["qr"] = bytes(data[pos + 8 : end])  # skip m (48)
    elif cn == 49 and fn == 81:
        page.items.append(("qr", state.get("qr", b"").decode("utf-8", "replace")))
    return end


# fixed-length commands: prefix -> number of parameter bytes
_ESC_PARAMS = {
    b"!": 1, b"-": 1, b"2": 0, b"3": 1, b"E": 1, b"G": 1, b"M": 1, b"R": 1, b"a": 1, b"t": 1,
    b"{": 1, b"d": 1, b"J": 1, b"V": 1, b"c": 2, b"p": 3, b"=": 1, b"U": 1,
}  # fmt: skip
_GS_PARAMS = {b"!": 1, b"B": 1, b"H": 1, b"f": 1, b"h": 1, b"w": 1, b"L": 2, b"W": 2, b"b": 1, b"a": 1}
_FS_PARAMS = {b"&": 0, b".": 0, b"!": 1, b"-": 1, b"W": 1, b"C": 1}


def decode(data: bytes, line_dots: int = DEFAULT_LINE_DOTS) -> Stream:
    pages = [Page()]
    state: dict[str, bytes] = {}
    queries: list[int] = []
    resets = 0
    text = bytearray()
    chinese = False
    pos = 0

    def flush(final_feed: bool) -> None:
        if text:
            codec = "gb18030" if chinese else "cp437"
            pages[-1].items.append(("text", bytes(text).decode(codec, "replace")))
            text.clear()
        elif final_feed:
            pages[-1].items.append(("feed", line_dots))

    while pos < len(data):
        b = data[pos]
        if b == LF:
            flush(final_feed=True)
            pos += 1
        elif b in (CR, HT):
            pos += 1
        elif b == DLE:
            if data[pos + 1 : pos + 2] != b"\x04" or pos + 2 >= len(data):
                raise EscposDecodeError(pos, "DLE not followed by EOT n")
            queries.append(data[pos + 2])
            pos += 3
        elif b == ESC:
            cmd = data[pos + 1 : pos + 2]
            if cmd == b"@":
                flush(False)
                resets += 1
                chinese = False
                pos += 2
            elif cmd in _ESC_PARAMS:
                n = _ESC_PARAMS[cmd]
                if pos + 2 + n > len(data):
                    raise EscposDecodeError(pos, f"truncated ESC {cmd!r}")
                if cmd in (b"d", b"J"):
                    flush(False)
                    arg = data[pos + 2]
                    pages[-1].items.append(("feed", arg * line_dots if cmd == b"d" else arg))
                pos += 2 + n
            elif cmd == b"*":  # bit image column mode: m nL nH data
                m, count = data[pos + 2], data[pos + 3] | data[pos + 4] << 8
                pos += 5 + count * (3 if m in (32, 33) else 1)
            else:
                raise EscposDecodeError(pos, f"unknown ESC {cmd!r}")
        elif b == GS:
            cmd = data[pos + 1 : pos + 2]
            if cmd == b"v" and data[pos + 2 : pos + 3] == b"0":
                flush(False)
                img, pos = _raster(data, pos)
                pages[-1].items.append(("raster", img))
            elif cmd == b"(" and data[pos + 2 : pos + 3] == b"k":
                flush(False)
                pos = _qr(data, pos, state, pages[-1])
            elif cmd == b"(" and data[pos + 2 : pos + 3] == b"L":
                flush(False)
                pos = _graphics(data, pos, pages[-1])
            elif cmd == b"V":
                flush(False)
                m = data[pos + 2] if pos + 2 < len(data) else -1
                if m in (0, 48, 1, 49):
                    pos += 3
                elif m in (65, 66, 97, 98, 103, 104):
                    if m in (65, 66):
                        pages[-1].items.append(("feed", data[pos + 3]))
                    pos += 4
                else:
                    raise EscposDecodeError(pos, f"GS V mode {m}")
                pages[-1].cut = "full" if m in (0, 48, 65, 97, 103) else "partial"
                pages.append(Page())
            elif cmd == b"k":  # barcode: m then NUL-terminated (m<=6) or length-prefixed data
                m = data[pos + 2]
                if m <= 6:
                    pos = data.index(b"\x00", pos + 3) + 1
                else:
                    pos += 4 + data[pos + 3]
            elif cmd in _GS_PARAMS:
                pos += 2 + _GS_PARAMS[cmd]
            else:
                raise EscposDecodeError(pos, f"unknown GS {cmd!r}")
        elif b == FS:
            cmd = data[pos + 1 : pos + 2]
            if cmd not in _FS_PARAMS:
                raise EscposDecodeError(pos, f"unknown FS {cmd!r}")
            if cmd in (b"&", b"."):
                flush(False)
                chinese = cmd == b"&"
            pos += 2 + _FS_PARAMS[cmd]
        elif b < 0x20:
            raise EscposDecodeError(pos, f"unexpected control byte 0x{b:02x}")
        else:
            text.append(b)
            pos += 1
    flush(False)
    if not pages[-1].items and len(pages) > 1:
        pages.pop()
    return Stream(pages=pages, status_queries=queries, resets=resets)
