"""The OFD drawing model turned into a display list (page millimetres, y down).

WHY a display list: the screen (Pillow raster) and the A4 PDF (fpdf2 vector) draw the same page;
reading the page once into paths, glyphs and images keeps the two the same. Text is drawn from the
glyph outlines (fontTools), not through a text API, because OFD text may name glyphs by index
(CGTransform) in an embedded subset font; a missing font or glyph falls back to the project's
Simplified Chinese face (read through FreeType: kiosk.ofd.freetype_face).
"""

from __future__ import annotations

import io
import logging
import math
import re
import threading
from dataclasses import dataclass, field
from typing import Protocol
from xml.etree.ElementTree import Element

from fontTools.pens.basePen import BasePen
from fontTools.ttLib import TTFont

from kiosk import session_memory
from kiosk.ofd import ses
from kiosk.ofd.container import child, child_text, children, local
from kiosk.ofd.document import OfdDocument, parse_box
from kiosk.ofd.errors import OfdError

logging.getLogger("fontTools").setLevel(logging.ERROR)  # foreign fonts make it chatty on stderr

Matrix = tuple[float, float, float, float, float, float]  # a b c d e f: x' = a x + c y + e
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
RGBA = tuple[int, int, int, int]
Contour = list[tuple[float, float]]


def mul(m: Matrix, n: Matrix) -> Matrix:
    """Apply ``m`` first, then ``n``."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def scale_of(m: Matrix) -> float:
    return math.sqrt(abs(m[0] * m[3] - m[1] * m[2])) or 1.0


@dataclass
class PathOp:
    contours: list[Contour]
    closed: list[bool]
    fill: RGBA | None
    stroke: RGBA | None
    width: float  # mm on the page
    even_odd: bool = False


class GlyphSource(Protocol):
    """A font as the display list uses it: an embedded font (FontSource, fontTools) or the fallback
    face (kiosk.ofd.freetype_face.FreeTypeFace). Glyph names only travel back into their source."""

    key: str
    upem: float

    def glyph_for(self, char: str) -> str | None: ...
    def glyph_by_index(self, gid: int) -> str | None: ...
    def advance(self, name: str) -> float: ...
    def outline(self, name: str) -> list[Contour]: ...


@dataclass
class GlyphOp:
    font: GlyphSource
    gid: str  # glyph name in the font
    matrix: Matrix  # font units → page mm
    color: RGBA


@dataclass
class ImageOp:
    data: bytes | None
    matrix: Matrix  # unit square → page mm
    alpha: int = 255
    label: str = ""  # shown in a placeholder box when data cannot be drawn
    ofd_page: object | None = None  # a seal picture that is itself an OFD: its display list


@dataclass
class DisplayList:
    width_mm: float
    height_mm: float
    ops: list[PathOp | GlyphOp | ImageOp] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what could not be drawn, for logs and `info`


# --- fonts ---------------------------------------------------------------------------------------
class _Flatten(BasePen):
    """Glyph outline → polygons in font units (curves cut into short lines)."""

    def __init__(self, glyphset: object) -> None:
        super().__init__(glyphset)
        self.contours: list[Contour] = []
        self._cur: Contour = []

    def _moveTo(self, pt: tuple[float, float]) -> None:
        self._cur = [pt]
        self.contours.append(self._cur)

    def _lineTo(self, pt: tuple[float, float]) -> None:
        self._cur.append(pt)

    def _curveToOne(self, p1: tuple[float, float], p2: tuple[float, float], p3: tuple[float, float]) -> None:
        x0, y0 = self._getCurrentPoint()
        for i in range(1, 7):
            t = i / 6
            u = 1 - t
            self._cur.append(
                (
                    u**3 * x0 + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                    u**3 * y0 + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
                )
            )

    def _qCurveToOne(self, p1: tuple[float, float], p2: tuple[float, float]) -> None:
        x0, y0 = self._getCurrentPoint()
        for i in range(1, 5):
            t = i / 4
            u = 1 - t
            self._cur.append(
                (
                    u * u * x0 + 2 * u * t * p1[0] + t * t * p2[0],
                    u * u * y0 + 2 * u * t * p1[1] + t * t * p2[1],
                )
            )

    def _closePath(self) -> None:
        pass


class FontSource:
    """One font's glyphs: its character map, glyph-id order and outlines (cached)."""

    def __init__(self, font: TTFont, key: str) -> None:
        self.key = key
        self.font = font
        self.upem = float(font["head"].unitsPerEm) if "head" in font else 1000.0
        self.cmap: dict[int, str] = font.getBestCmap() or {}
        self.order = font.getGlyphOrder()
        self.glyphset = font.getGlyphSet()
        self._outlines: dict[str, list[Contour]] = {}

    def glyph_for(self, char: str) -> str | None:
        return self.cmap.get(ord(char)) if char else None

    def glyph_by_index(self, gid: int) -> str | None:
        return self.order[gid] if 0 <= gid < len(self.order) else None

    def advance(self, name: str) -> float:
        try:
            return float(self.glyphset[name].width) / self.upem
        except (KeyError, AttributeError):
            return 1.0

    def outline(self, name: str) -> list[Contour]:
        cached = self._outlines.get(name)
        if cached is None:
            pen = _Flatten(self.glyphset)
            try:
                self.glyphset[name].draw(pen)
            except Exception:
                pen.contours = []
            cached = [c for c in pen.contours if len(c) >= 3]
            self._outlines[name] = cached
        return cached


# The fallback face and the fonts embedded in the session's files are held for one citizen's
# session only: release_fonts() drops them when it ends (kiosk.session_memory), with the outlines
# drawn from them. The fallback face is read by FreeType (kiosk.ofd.freetype_face): opening it takes
# under a millisecond and about 1 MB. Parsed with fontTools, as before, it was about 50 MB of Python
# objects and 250 ms of pure Python per session, which a warm-up thread ran beside the screen's
# frames (bench/soak.py, issue 21).
_fonts_lock = threading.Lock()
_fallback: GlyphSource | None = None
_EMBEDDED: dict[str, FontSource | None] = {}
# one load of the fallback face at a time, outside _fonts_lock: release_fonts() runs on the UI
# thread as a session ends and must never wait for a load
_parse_lock = threading.Lock()
_released = 0  # release_fonts() calls so far: a face loaded before one is not kept


def _load_fallback() -> GlyphSource:
    from kiosk.fonts import font_path
    from kiosk.ofd.freetype_face import FreeTypeFace

    return FreeTypeFace(str(font_path("regular")), "fallback-sc", lambda: _Flatten(None))


def fallback_font() -> GlyphSource:
    """The project's Simplified Chinese face, loaded on first use and kept until release_fonts()."""
    global _fallback
    with _parse_lock:
        with _fonts_lock:
            if _fallback is not None:
                return _fallback
            begun = _released
        loaded = _load_fallback()
        with _fonts_lock:
            if _released == begun:  # no session ended meanwhile: kept for this one
                _fallback = loaded
        return loaded


def embedded_font(doc: OfdDocument, path: str) -> FontSource | None:
    key = f"{doc.digest}:{path}"
    with _fonts_lock:
        if key in _EMBEDDED:
            return _EMBEDDED[key]
    try:
        data = doc.package.read(path)
        loaded = FontSource(TTFont(io.BytesIO(data), lazy=True), key)
        src: FontSource | None = loaded if loaded.order else None
    except OfdError:
        src = None
    except Exception:
        src = None
    with _fonts_lock:
        if len(_EMBEDDED) > 64:
            _EMBEDDED.clear()
        _EMBEDDED[key] = src
    return src


def fonts_held() -> list[str]:
    """The keys of the fonts held now (the fallback's is ``fallback-sc``): for tests and benches."""
    with _fonts_lock:
        held = [src.key for src in _EMBEDDED.values() if src is not None]
        return (["fallback-sc"] if _fallback is not None else []) + held


def release_fonts() -> bool:
    """Drop the fallback face and every embedded font; returns whether any was held.

    Only the references are dropped, nothing is closed: a page still being drawn (an A4 copy
    printing as the citizen leaves) keeps the fonts it has. The garbage collector's pass at rest
    frees them (a parsed font holds reference cycles), and the freeze after the first session
    collects before it freezes.
    """
    global _fallback, _released
    with _fonts_lock:
        had = _fallback is not None or bool(_EMBEDDED)
        _fallback = None
        _EMBEDDED.clear()
        _released += 1
    return had


def warm_up() -> None:
    """Load the fallback face now (kiosk.session_memory.warm_up calls this in a background thread)."""
    fallback_font()


session_memory.register("ofd-fonts", release_fonts)


# --- colours and numbers -------------------------------------------------------------------------
_NUM = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def numbers(text: str | None, limit: int = 200_000) -> list[float]:
    if not text:
        return []
    out = [float(v) for v in _NUM.findall(text[: limit * 24])]
    return [v for v in out if math.isfinite(v)][:limit]


def deltas(text: str | None, count: int) -> list[float]:
    """DeltaX / DeltaY with the ``g n v`` (repeat v n times) shorthand."""
    if not text:
        return []
    out: list[float] = []
    tokens = text.split()
    i = 0
    while i < len(tokens) and len(out) < count + 1:
        tok = tokens[i]
        if tok == "g" and i + 2 < len(tokens):
            try:
                n, v = int(float(tokens[i + 1])), float(tokens[i + 2])
            except ValueError:
                break
            out.extend([v] * max(0, min(n, count + 1 - len(out))))
            i += 3
            continue
        try:
            out.append(float(tok))
        except ValueError:
            break
        i += 1
    return out


def color(el: Element | None, default: RGBA | None) -> RGBA | None:
    if el is None:
        return default
    value = el.get("Value")
    alpha = el.get("Alpha")
    a = 255
    if alpha:
        try:
            a = max(0, min(255, int(float(alpha))))
        except ValueError:
            a = 255
    if not value:
        if len(el):  # a shading or pattern: a mid grey tells the eye something is there
            return (128, 128, 128, a)
        return default if default is None else (*default[:3], a)
    parts: list[int] = []
    for tok in value.split():
        try:
            parts.append(int(tok[1:], 16) if tok.startswith("#") else int(float(tok)))
        except ValueError:
            return default
    parts = [max(0, min(255, p)) for p in parts]
    if len(parts) == 1:
        return (parts[0], parts[0], parts[0], a)
    if len(parts) == 4:  # CMYK
        c, m, y, k = (p / 255 for p in parts)
        return (
            round(255 * (1 - c) * (1 - k)),
            round(255 * (1 - m) * (1 - k)),
            round(255 * (1 - y) * (1 - k)),
            a,
        )
    if len(parts) >= 3:
        return (parts[0], parts[1], parts[2], a)
    return default


def ctm(el: Element) -> Matrix:
    vals = numbers(el.get("CTM"), 6)
    return (vals[0], vals[1], vals[2], vals[3], vals[4], vals[5]) if len(vals) == 6 else IDENTITY


# --- paths ---------------------------------------------------------------------------------------
def parse_path(data: str | None, limit: int = 200_000) -> tuple[list[Contour], list[bool]]:
    """AbbreviatedData (S/M, L, Q, B, A, C) → polylines in the object's own space."""
    contours: list[Contour] = []
    closed: list[bool] = []
    if not data:
        return contours, closed
    tokens = re.findall(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", data[: limit * 16])
    i = 0
    cur: Contour = []
    start = (0.0, 0.0)
    pos = (0.0, 0.0)

    def take(n: int) -> list[float]:
        nonlocal i
        vals = []
        for _ in range(n):
            if i >= len(tokens):
                raise ValueError
            vals.append(float(tokens[i]))
            i += 1
        return vals

    try:
        while i < len(tokens):
            cmd = tokens[i]
            i += 1
            if cmd in ("M", "S"):
                x, y = take(2)
                cur = [(x, y)]
                contours.append(cur)
                closed.append(False)
                start = pos = (x, y)
            elif cmd == "L":
                x, y = take(2)
                if not cur:
                    cur = [pos]
                    contours.append(cur)
                    closed.append(False)
                cur.append((x, y))
                pos = (x, y)
            elif cmd == "Q":
                x1, y1, x2, y2 = take(4)
                if not cur:
                    cur = [pos]
                    contours.append(cur)
                    closed.append(False)
                for k in range(1, 9):
                    t = k / 8
                    u = 1 - t
                    cur.append(
                        (
                            u * u * pos[0] + 2 * u * t * x1 + t * t * x2,
                            u * u * pos[1] + 2 * u * t * y1 + t * t * y2,
                        )
                    )
                pos = (x2, y2)
            elif cmd == "B":
                x1, y1, x2, y2, x3, y3 = take(6)
                if not cur:
                    cur = [pos]
                    contours.append(cur)
                    closed.append(False)
                for k in range(1, 13):
                    t = k / 12
                    u = 1 - t
                    cur.append(
                        (
                            u**3 * pos[0] + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t**3 * x3,
                            u**3 * pos[1] + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t**3 * y3,
                        )
                    )
                pos = (x3, y3)
            elif cmd == "A":
                rx, ry, angle, large, sweep, x, y = take(7)
                if not cur:
                    cur = [pos]
                    contours.append(cur)
                    closed.append(False)
                cur.extend(_arc(pos, rx, ry, angle, bool(large), bool(sweep), (x, y)))
                pos = (x, y)
            elif cmd == "C":
                if closed:
                    closed[-1] = True
                pos = start
                cur = []
            else:
                continue  # a number without a command, or an unknown letter: skip it
            if sum(len(c) for c in contours) > limit:
                break
    except ValueError:
        pass  # a truncated command ends the path; what was read is drawn
    return contours, closed


def _arc(
    p0: tuple[float, float],
    rx: float,
    ry: float,
    angle: float,
    large: bool,
    sweep: bool,
    p1: tuple[float, float],
) -> Contour:
    """An SVG-style endpoint arc as points (the same parameters as OFD's A command)."""
    if rx == 0 or ry == 0 or p0 == p1:
        return [p1]
    rx, ry = abs(rx), abs(ry)
    phi = math.radians(angle)
    cos, sin = math.cos(phi), math.sin(phi)
    dx, dy = (p0[0] - p1[0]) / 2, (p0[1] - p1[1]) / 2
    x1p, y1p = cos * dx + sin * dy, -sin * dx + cos * dy
    lam = (x1p / rx) ** 2 + (y1p / ry) ** 2
    if lam > 1:
        rx, ry = rx * math.sqrt(lam), ry * math.sqrt(lam)
    num = rx * rx * ry * ry - rx * rx * y1p * y1p - ry * ry * x1p * x1p
    den = rx * rx * y1p * y1p + ry * ry * x1p * x1p
    coef = math.sqrt(max(0.0, num / den)) if den else 0.0
    if large == sweep:
        coef = -coef
    cxp, cyp = coef * rx * y1p / ry, -coef * ry * x1p / rx
    cx = cos * cxp - sin * cyp + (p0[0] + p1[0]) / 2
    cy = sin * cxp + cos * cyp + (p0[1] + p1[1]) / 2
    t1 = math.atan2((y1p - cyp) / ry, (x1p - cxp) / rx)
    t2 = math.atan2((-y1p - cyp) / ry, (-x1p - cxp) / rx)
    dt = t2 - t1
    if sweep and dt < 0:
        dt += 2 * math.pi
    elif not sweep and dt > 0:
        dt -= 2 * math.pi
    steps = max(4, int(abs(dt) / (math.pi / 16)))
    pts = []
    for k in range(1, steps + 1):
        t = t1 + dt * k / steps
        x, y = rx * math.cos(t), ry * math.sin(t)
        pts.append((cos * x - sin * y + cx, sin * x + cos * y + cy))
    return pts


# --- the page ------------------------------------------------------------------------------------
@dataclass
class _Style:
    line_width: float = 0.353
    fill: RGBA | None = None
    stroke: RGBA | None = None


class PageReader:
    """Reads one page (templates, layers, annotations, seals) into a DisplayList."""

    def __init__(self, doc: OfdDocument, index: int, depth: int = 0) -> None:
        self.doc = doc
        self.index = index
        self.depth = depth
        box = doc.page_box(index)
        self.out = DisplayList(box[2], box[3])
        self.origin = (box[0], box[1])
        self.count = 0

    def read(self) -> DisplayList:
        doc = self.doc
        page = doc.pages[self.index]
        root = doc.page_xml(self.index)
        for res in children(root, "PageRes"):
            if res.text:
                doc.load_res(page.path.rsplit("/", 1)[0], res.text)
        base: Matrix = (1, 0, 0, 1, -self.origin[0], -self.origin[1])
        templates = [
            (t.get("TemplateID") or "", t.get("ZOrder") or "Background") for t in children(root, "Template")
        ]
        for tid, z in templates:
            if z != "Foreground":
                self._template(tid, base, set())
        self._content(root, base)
        for tid, z in templates:
            if z == "Foreground":
                self._template(tid, base, set())
        self._annotations(page.id, base)
        self._stamps(page.id, base)
        return self.out

    def _template(self, tid: str, base: Matrix, seen: set[str]) -> None:
        path = self.doc.templates.get(tid)
        if path is None:
            self.out.notes.append(f"缺少模板 {tid[:20]}")
            return
        if tid in seen or len(seen) > 8:
            self.out.notes.append(f"模板 {tid[:20]} 循环引用，已忽略")
            return
        seen = seen | {tid}
        root = self.doc.package.xml(path)
        for t in children(root, "Template"):  # a template naming templates (not in the standard; guarded)
            self._template(t.get("TemplateID") or "", base, seen)
        self._content(root, base)

    def _content(self, root: Element, base: Matrix) -> None:
        content = child(root, "Content")
        if content is None:
            return
        for layer in children(content, "Layer"):
            self._block(layer, base, self._style_for(layer, _Style()), 0)

    def _style_for(self, el: Element, inherited: _Style) -> _Style:
        style = _Style(inherited.line_width, inherited.fill, inherited.stroke)
        ref = el.get("DrawParam")
        seen: set[str] = set()
        chain: list[Element] = []
        while ref and ref not in seen and ref in self.doc.draw_params and len(seen) < 8:
            seen.add(ref)
            param = self.doc.draw_params[ref]
            chain.append(param)
            ref = param.get("Relative")
        for param in reversed(chain):
            if param.get("LineWidth"):
                style.line_width = (numbers(param.get("LineWidth"), 1) or [style.line_width])[0]
            style.fill = color(child(param, "FillColor"), style.fill)
            style.stroke = color(child(param, "StrokeColor"), style.stroke)
        return style

    def _block(self, block: Element, m: Matrix, style: _Style, depth: int) -> None:
        if depth > self.doc.limits.max_nesting:
            raise OfdError("文件不是有效的OFD：页面对象嵌套过深", "too_deep")
        for el in block:
            self.count += 1
            if self.count > self.doc.limits.max_objects_per_page:
                raise OfdError("页面对象过多，无法显示", "too_many_objects")
            kind = local(el.tag)
            if el.get("Visible") == "false":
                continue
            if kind == "PageBlock":
                self._block(el, m, self._style_for(el, style), depth + 1)
                continue
            box = parse_box(el.get("Boundary"))
            if box is None:
                continue
            om = mul(ctm(el), (1, 0, 0, 1, box[0], box[1]))
            om = mul(om, m)
            ostyle = self._style_for(el, style)
            if kind == "PathObject":
                self._path(el, om, ostyle)
            elif kind == "TextObject":
                self._text(el, om, ostyle)
            elif kind == "ImageObject":
                self._image(el, om)
            elif kind == "CompositeObject":
                self.out.notes.append("复合对象未显示")

    def _path(self, el: Element, m: Matrix, style: _Style) -> None:
        contours, closed = parse_path(child_text(el, "AbbreviatedData"))
        if not contours:
            return
        width = (numbers(el.get("LineWidth"), 1) or [style.line_width])[0]
        stroke_on = el.get("Stroke", "true") != "false"
        fill_on = el.get("Fill", "false") == "true"
        alpha = el.get("Alpha")
        stroke = color(child(el, "StrokeColor"), style.stroke or (0, 0, 0, 255)) if stroke_on else None
        fill = color(child(el, "FillColor"), style.fill or (0, 0, 0, 255)) if fill_on else None
        if alpha:
            a = max(0, min(255, int((numbers(alpha, 1) or [255])[0])))
            stroke = (*stroke[:3], a) if stroke else None
            fill = (*fill[:3], a) if fill else None
        page = [[apply(m, x, y) for x, y in c] for c in contours]
        self.out.ops.append(
            PathOp(page, closed, fill, stroke, max(0.0, width) * scale_of(m), el.get("Rule") == "Even-Odd")
        )

    def _text(self, el: Element, m: Matrix, style: _Style) -> None:
        size = (numbers(el.get("Size"), 1) or [3.5])[0]
        if not 0 < size < 2000:
            return
        fill_on = el.get("Fill", "true") != "false"
        fill = color(child(el, "FillColor"), style.fill or (0, 0, 0, 255)) if fill_on else None
        if fill is None:
            fill = color(child(el, "StrokeColor"), style.stroke or (0, 0, 0, 255))
        if fill is None:
            return
        hscale = (numbers(el.get("HScale"), 1) or [1.0])[0]
        font_res = self.doc.fonts.get(el.get("Font") or "")
        font = embedded_font(self.doc, font_res.file) if font_res and font_res.file else None
        fallback = fallback_font()
        cg: list[tuple[int, int, list[int]]] = []
        for t in children(el, "CGTransform"):
            try:
                pos, cnt = int(t.get("CodePosition") or 0), int(t.get("CodeCount") or 1)
            except ValueError:
                continue
            cg.append((pos, cnt, [int(v) for v in numbers(child_text(t, "Glyphs"), 10_000)]))
        x, y = 0.0, 0.0
        code_index = 0
        for code in children(el, "TextCode"):
            text = code.text or ""
            if code.get("X") is not None:
                x = (numbers(code.get("X"), 1) or [x])[0]
            if code.get("Y") is not None:
                y = (numbers(code.get("Y"), 1) or [y])[0]
            dx = deltas(code.get("DeltaX"), len(text))
            dy = deltas(code.get("DeltaY"), len(text))
            for i, ch in enumerate(text):
                src, name = self._glyph(font, fallback, ch, code_index + i, cg)
                if name is not None:
                    gm: Matrix = (size * hscale / src.upem, 0, 0, -size / src.upem, x, y)
                    self.out.ops.append(GlyphOp(src, name, mul(gm, m), fill))
                if i < len(dx):
                    x += dx[i]
                elif i < len(text) - 1:
                    x += size * (src.advance(name) if name else 1.0)
                if i < len(dy):
                    y += dy[i]
            code_index += len(text)

    @staticmethod
    def _glyph(
        font: GlyphSource | None,
        fallback: GlyphSource,
        ch: str,
        index: int,
        cg: list[tuple[int, int, list[int]]],
    ) -> tuple[GlyphSource, str | None]:
        if ch.isspace():
            return fallback, None
        if font is not None:
            for pos, cnt, glyphs in cg:
                if pos <= index < pos + cnt and glyphs:
                    k = min(index - pos, len(glyphs) - 1)
                    name = font.glyph_by_index(glyphs[k])
                    if name:
                        return font, name
            name = font.glyph_for(ch)
            if name:
                return font, name
        return fallback, fallback.glyph_for(ch)

    def _image(self, el: Element, m: Matrix) -> None:
        media = self.doc.media.get(el.get("ResourceID") or "")
        alpha = max(0, min(255, int((numbers(el.get("Alpha"), 1) or [255])[0])))
        if media is None or media.file is None:
            self.out.ops.append(ImageOp(None, m, alpha, "图片缺失"))
            self.out.notes.append(f"图片资源 {el.get('ResourceID', '')[:20]} 缺失")
            return
        fmt = media.format or media.file.rsplit(".", 1)[-1].upper()
        if fmt in ("GBIG2", "JBIG2", "JB2"):
            self.out.ops.append(ImageOp(None, m, alpha, "JBIG2图片"))
            self.out.notes.append("JBIG2 图片无法解码（没有维护中的解码库），以方框代替")
            return
        self.out.ops.append(ImageOp(self.doc.package.read(media.file), m, alpha))

    def _annotations(self, page_id: str, base: Matrix) -> None:
        for path in self.doc.annotations.get(page_id, []):
            try:
                root = self.doc.package.xml(path)
            except OfdError as exc:
                self.out.notes.append(f"注释无法读取：{exc.reason}")
                continue
            for annot in children(root, "Annot"):
                if annot.get("Visible") == "false":
                    continue
                for app in children(annot, "Appearance"):
                    box = parse_box(app.get("Boundary"))
                    if box is None:
                        continue
                    m = mul((1, 0, 0, 1, box[0], box[1]), base)
                    self._block(app, m, _Style(), 1)

    def _stamps(self, page_id: str, base: Matrix) -> None:
        for info in self.doc.signatures:
            stamps = [s for s in info.stamps if s.page_id == page_id]
            if not stamps:
                continue
            picture = self._seal_picture(info)
            for stamp in stamps:
                x, y, w, h = stamp.boundary
                m = mul((w, 0, 0, h, x, y), base)
                if picture is None:
                    self.out.ops.append(ImageOp(None, m, 255, "印章"))
                elif isinstance(picture, DisplayList):
                    self.out.ops.append(ImageOp(None, m, 255, "", picture))
                else:
                    self.out.ops.append(ImageOp(picture, m, 255, "印章"))

    def _seal_picture(self, info: object) -> bytes | DisplayList | None:
        from kiosk.ofd.document import SignatureInfo

        assert isinstance(info, SignatureInfo)
        try:
            if info.signed_value_path is not None and info.type.lower() == "seal":
                seal = ses.parse_signature(self.doc.package.read(info.signed_value_path)).seal
            elif info.seal_path is not None:
                seal = ses.parse_seal(self.doc.package.read(info.seal_path))
            else:
                return None
        except OfdError as exc:
            self.out.notes.append(f"印章图片无法读取：{exc.reason}")
            return None
        if seal.picture_type == "OFD":
            if self.depth > 0:
                return None
            try:
                from kiosk.ofd.document import open_ofd

                inner = open_ofd(seal.picture, limits=self.doc.limits)
                return PageReader(inner, 0, self.depth + 1).read()
            except OfdError as exc:
                self.out.notes.append(f"印章图片（OFD）无法读取：{exc.reason}")
                return None
        return seal.picture


def display_list(doc: OfdDocument, index: int) -> DisplayList:
    doc._check_index(index)
    try:
        return PageReader(doc, index).read()
    except RecursionError as exc:
        raise OfdError("文件不是有效的OFD：页面结构嵌套过深", "too_deep") from exc
