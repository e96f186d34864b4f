"""The OFD renderer's fallback Simplified Chinese face, read by FreeType instead of parsed in Python.

WHY: the fallback face draws every certificate whose file does not embed its fonts. Parsed with
fontTools it took about 250 ms of pure Python per session on a quiet machine (its character map,
glyph order and advance widths for 65,535 glyphs, some 50 MB of objects), run in a background thread
as each session began and dropped again at its end. On two cores that parse held the interpreter's
lock while the screen drew the consent page and the list (bench/soak.py, issue 21), and its objects,
made and freed once per citizen, were part of the heap's growth. FreeType opens the same face in
under a millisecond and looks glyphs up natively; only the outlines a certificate uses are turned
into Python lists.

The outlines are the same segments fontTools reads from the charstrings, flattened by the same pen
(kiosk.ofd.draw._Flatten), so a certificate draws the same pixels (tests/ofd/test_freetype_face.py).
Fonts embedded in a file are still read with fontTools: they are small subsets, and may be TrueType
or CFF of any producer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

import freetype

Contour = list[tuple[float, float]]

# font units, no hinting: the outline exactly as the font stores it, as fontTools reads it
_LOAD = freetype.FT_LOAD_NO_SCALE | freetype.FT_LOAD_NO_HINTING


class SegmentPen(Protocol):
    """What the outline is drawn into: fontTools' pen protocol and names (kiosk.ofd.draw._Flatten)."""

    def moveTo(self, pt: tuple[float, float]) -> None: ...
    def lineTo(self, pt: tuple[float, float]) -> None: ...
    def qCurveTo(self, *points: tuple[float, float]) -> None: ...
    def curveTo(self, *points: tuple[float, float]) -> None: ...
    def closePath(self) -> None: ...


class FreeTypeFace:
    """One face file's glyphs through FreeType, in the shape kiosk.ofd.draw expects of a font.

    Glyph names are glyph ids written as text (``"14760"``): they only travel from this object's
    lookups back into it. One FreeType face is not safe to use from two threads at once (its glyph
    slot is shared), and the certificate is drawn in a worker thread while an A4 copy may be
    printing in another: every glyph load holds a lock.
    """

    def __init__(self, path: str, key: str, new_pen: Callable[[], Any]) -> None:
        self.key = key
        self._face = freetype.Face(path)
        self._lock = threading.Lock()
        self._new_pen = new_pen
        self.upem = float(self._face.units_per_EM or 1000)
        self._count = int(self._face.num_glyphs)
        self._outlines: dict[str, list[Contour]] = {}

    def glyph_for(self, char: str) -> str | None:
        if not char:
            return None
        with self._lock:
            gid = self._face.get_char_index(ord(char))
        return str(gid) if gid else None

    def glyph_by_index(self, gid: int) -> str | None:
        return str(gid) if 0 <= gid < self._count else None

    def advance(self, name: str) -> float:
        try:
            with self._lock:
                units = self._face.get_advance(int(name), _LOAD)
        except (ValueError, freetype.FT_Exception):
            return 1.0
        return float(units) / self.upem

    def outline(self, name: str) -> list[Contour]:
        cached = self._outlines.get(name)
        if cached is None:
            pen = self._new_pen()
            try:
                with self._lock:
                    self._face.load_glyph(int(name), _LOAD)
                    _draw(self._face.glyph.outline, pen)
            except (ValueError, freetype.FT_Exception):
                pen.contours = []
            cached = [c for c in pen.contours if len(c) >= 3]
            self._outlines[name] = cached
        return cached


def _draw(outline: Any, pen: SegmentPen) -> None:
    """Feed FreeType's segments to ``pen`` as fontTools' charstrings would.

    FreeType ends a contour with a line back to its start point where fontTools leaves that edge to
    ``closePath``: a line to the start point is held back, drawn only if more segments follow, and
    otherwise becomes the ``closePath``. (A charstring that draws that last line itself loses the
    repeated start point: the same polygon.)"""
    start: tuple[float, float] | None = None
    held: tuple[float, float] | None = None  # a line to the start point, not drawn yet

    def flush() -> None:
        nonlocal held
        if held is not None:
            pen.lineTo(held)
            held = None

    def close() -> None:
        nonlocal held, start
        if start is not None:
            pen.closePath()
        held, start = None, None

    def move_to(a: Any, _ctx: Any) -> int:
        nonlocal start
        close()
        start = (a.x, a.y)
        pen.moveTo(start)
        return 0

    def line_to(a: Any, _ctx: Any) -> int:
        nonlocal held
        flush()
        if (a.x, a.y) == start:
            held = start
        else:
            pen.lineTo((a.x, a.y))
        return 0

    def conic_to(a: Any, b: Any, _ctx: Any) -> int:
        flush()
        pen.qCurveTo((a.x, a.y), (b.x, b.y))
        return 0

    def cubic_to(a: Any, b: Any, c: Any, _ctx: Any) -> int:
        flush()
        pen.curveTo((a.x, a.y), (b.x, b.y), (c.x, c.y))
        return 0

    outline.decompose(None, move_to=move_to, line_to=line_to, conic_to=conic_to, cubic_to=cubic_to)
    close()
