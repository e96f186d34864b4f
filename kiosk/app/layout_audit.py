"""The layout audit: what a citizen cannot read on the screen now, from the widget tree and the pixels.

WHY: pages were checked by eye in portrait only; in landscape, elder mode or English, text was cut
mid-line, drawn over buttons, below the size floor or too faint, and nobody saw it until a walk in a
real window. :func:`audit_window` looks at what is on screen now and says each problem in words;
tests/ui/test_layout_audit.py runs it over every page and state at three window sizes, and
``kiosk demo --walkthrough`` prints what it finds on each screenshot.

What counts as a problem (one :class:`Finding` each):

- ``cut``: a label shows less than its text (lines dropped by a fixed height, ``shorten``'s "…");
- ``overflow``: a label's drawn text is larger than its own box;
- ``outside``: drawn text outside the window, or cut by the edge of the page area or a list that
  gives no cue that it scrolls (a :class:`ScrollView` whose content is taller than it needs a visible
  ``scroll_cue`` widget: screens.base);
- ``overlap``: drawn text over another text or over a button or card it does not belong to;
- ``size``: text below the mode's floor (normal 24 dp, elder 30 dp: screens.theme);
- ``contrast``: text under 4.5:1 against what is drawn behind it, measured from the label's colour
  and from the screenshot's pixels; a status graphic (``graphic_colour``) under 3:1;
- ``breaking``: a Chinese line broken against the rules (screens.linebreak).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kivy.core.window import Window
from kivy.metrics import dp
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import ScreenManager
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from screens.linebreak import breaking_faults

NORMAL_FLOOR_DP = 24.0
ELDER_FLOOR_DP = 30.0
TEXT_CONTRAST = 4.5
GRAPHIC_CONTRAST = 3.0
TOLERANCE = 2.0  # px: rounding of positions and textures

Box = tuple[float, float, float, float]  # x, y, right, top in window pixels (y up)


@dataclass(frozen=True)
class Finding:
    state: str
    kind: str
    text: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.state}] {self.kind}: {self.text[:40]!r} {self.detail}"


# ---------------------------------------------------------------------------- colours
def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG relative luminance of an sRGB colour with channels 0..1."""

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _blend(fg: tuple[float, ...], bg: tuple[float, float, float]) -> tuple[float, float, float]:
    alpha = fg[3] if len(fg) > 3 else 1.0
    return (
        fg[0] * alpha + bg[0] * (1 - alpha),
        fg[1] * alpha + bg[1] * (1 - alpha),
        fg[2] * alpha + bg[2] * (1 - alpha),
    )


class Pixels:
    """The screenshot as an array, addressed in Kivy's window coordinates (y up)."""

    def __init__(self, shot: Path | Any) -> None:
        """``shot``: a screenshot file, or the window's pixels as an array (rows top first, RGB)."""
        import numpy as np
        from PIL import Image

        if isinstance(shot, Path):
            with Image.open(shot) as image:
                self.rgb = np.asarray(image.convert("RGB"), dtype=np.int16)
        else:
            self.rgb = np.asarray(shot, dtype=np.int16)
        self.height, self.width = self.rgb.shape[0], self.rgb.shape[1]

    def region(self, box: Box) -> Any:
        x, y, right, top = box
        x0, x1 = max(0, int(x)), min(self.width, int(right))
        y0, y1 = max(0, self.height - int(top)), min(self.height, self.height - int(y))
        if x1 - x0 < 1 or y1 - y0 < 1:
            return None
        return self.rgb[y0:y1, x0:x1].reshape(-1, 3)

    @staticmethod
    def dominant(pixels: Any) -> tuple[float, float, float]:
        """The most common colour (the background behind text), channels 0..1."""
        import numpy as np

        wide = pixels.astype(np.int32)
        packed = (wide[:, 0] << 16) | (wide[:, 1] << 8) | wide[:, 2]
        values, counts = np.unique(packed, return_counts=True)
        top = int(values[int(np.argmax(counts))])
        return ((top >> 16) / 255, ((top >> 8) & 255) / 255, (top & 255) / 255)

    @staticmethod
    def farthest(pixels: Any, bg: tuple[float, float, float]) -> float:
        """The highest contrast of any drawn pixel against ``bg`` (the text's own colour, drawn)."""
        import numpy as np

        c = pixels.astype(np.float64) / 255
        lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
        lum = lin @ np.array([0.2126, 0.7152, 0.0722])
        lb = luminance(bg)
        ratio = (np.maximum(lum, lb) + 0.05) / (np.minimum(lum, lb) + 0.05)
        return float(ratio.max())


# ---------------------------------------------------------------------------- the widget tree
def visible(widget: Widget) -> bool:
    w: Any = widget
    while w is not None and w is not Window:
        if getattr(w, "opacity", 1) <= 0.01 or (getattr(w, "disabled", False) and isinstance(w, Label)):
            return False
        parent = getattr(w, "parent", None)
        if parent is w:
            break
        w = parent
    return widget.get_root_window() is not None and widget.width > 1 and widget.height > 1


def window_box(widget: Widget) -> Box:
    x, y = widget.to_window(widget.x, widget.y)
    return (x, y, x + widget.width, y + widget.height)


def ink_box(label: Label) -> Box:
    """Where the label's text is drawn, in window pixels: its lines, aligned as Kivy draws them."""
    tw, th = label.texture_size
    lines = getattr(label._label, "_cached_lines", []) or []
    ink_w = max((line.w for line in lines), default=tw) if lines else tw
    ink_w = min(ink_w, tw) if tw else ink_w
    place = getattr(label, "texture_pos", None)  # KLabel draws its texture where this says
    if place is not None:
        x, y = place(label.pos, label.size, label.texture_size, label.halign)
    else:  # Kivy's own Label rule: the texture centred in the box
        x, y = int(label.center_x - tw / 2), int(label.center_y - th / 2)
    if label.text_size[0] is not None and tw > ink_w + 1:  # text narrower than its texture
        if label.halign in ("center", "justify"):
            x += (tw - ink_w) / 2
        elif label.halign == "right":
            x += tw - ink_w
    wx, wy = label.to_window(x, y)
    return (wx, wy, wx + ink_w, wy + th)


def list_box(view: Widget) -> Box:
    """What a list (or the page area) shows of its content: its box less the cue band over it."""
    x, y, r, t = window_box(view)
    cue = getattr(view, "scroll_cue", None)
    if cue is not None and cue.shown:
        y += cue.height
    return (x, y, r, t)


def visible_box(widget: Widget) -> Box | None:
    """The part of a widget's box not clipped away by a list or the page area around it."""
    box: Box | None = window_box(widget)
    for parent in ancestors(widget):
        if box is None:
            return None
        if isinstance(parent, (ScrollView, ScreenManager)):
            box = _intersect(box, list_box(parent))
    return box


def _intersect(a: Box, b: Box) -> Box | None:
    x, y, r, t = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    return (x, y, r, t) if r - x > TOLERANCE and t - y > TOLERANCE else None


def _inside(inner: Box, outer: Box) -> bool:
    return (
        inner[0] >= outer[0] - TOLERANCE
        and inner[1] >= outer[1] - TOLERANCE
        and inner[2] <= outer[2] + TOLERANCE
        and inner[3] <= outer[3] + TOLERANCE
    )


def ancestors(widget: Widget) -> Iterator[Widget]:
    w = widget.parent
    while w is not None and w is not Window and w is not w.parent:
        yield w
        w = w.parent


def rendered_text(label: Label) -> str:
    """What the label's lines actually hold (no whitespace), as Kivy laid them out."""
    lines = getattr(label._label, "_cached_lines", []) or []
    return "".join(word.text for line in lines for word in line.words)


def rendered_lines(label: Label) -> list[str]:
    lines = getattr(label._label, "_cached_lines", []) or []
    return ["".join(word.text for word in line.words) for line in lines]


def _squeeze(text: str) -> str:
    return "".join(text.split())


def scroll_overflows(view: ScrollView) -> bool:
    content = view.children[0] if view.children else None
    return content is not None and content.height > view.height + TOLERANCE


def layers() -> list[Widget]:
    """The window's top widgets, topmost first; only the topmost modal view and what is above the
    root count when a modal view is open (what is under its shade is not read)."""
    tops = list(Window.children)  # the last added (drawn last, on top) first
    for i, top in enumerate(tops):
        if isinstance(top, ModalView):
            return tops[: i + 1]
    return tops


def window_pixels() -> Any:
    """What the window shows now, as an RGB array (rows top first), read straight from GL.

    WHY not ``Window.screenshot``: it encodes a PNG that the audit would decode again, most of the
    time an audit took per screen; the audit saves a PNG only of a screen with findings.
    """
    import numpy as np
    from kivy.graphics.opengl import GL_RGB, GL_UNSIGNED_BYTE, glReadPixels

    width, height = Window.size
    data = glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE)
    return np.frombuffer(data, dtype=np.uint8).reshape(height, width, 3)[::-1]


def audit_window(state: str, elder: bool, shot: Path | Any | None = None) -> list[Finding]:
    """Every problem a citizen would meet on the screen now (see the module's docstring).

    ``shot``: a screenshot of exactly this screen (a file, or :func:`window_pixels`); without it
    the pixel checks are skipped.
    """
    floor = dp(ELDER_FLOOR_DP if elder else NORMAL_FLOOR_DP)
    pixels = Pixels(shot) if shot is not None else None
    found: list[Finding] = []
    window: Box = (0, 0, Window.width, Window.height)

    def add(kind: str, text: str, detail: str) -> None:
        found.append(Finding(state, kind, text, detail))

    for layer in layers():
        widgets = [w for w in layer.walk(restrict=True) if visible(w)]
        texts: list[tuple[Label, Box]] = []
        targets = [(w, visible_box(w)) for w in widgets if isinstance(w, ButtonBehavior)]
        for w in widgets:
            if isinstance(w, ScrollView) and scroll_overflows(w) and w.scroll_y > 0.005:
                cue = getattr(w, "scroll_cue", None)
                if cue is None or not cue.shown:
                    add("outside", "", "a list taller than its box with no cue that more follows")
                elif cue.font_size < floor - 0.01:
                    add("size", cue.text, f"the list's cue at {cue.font_size / dp(1):.1f} dp")
            if not isinstance(w, Label) or not w.text.strip():
                continue
            if w.texture is None or w.texture_size[0] <= 0:
                continue
            text = w.text
            if _squeeze(rendered_text(w)) != _squeeze(text) or getattr(w, "is_shortened", False):
                add("cut", text, f"drawn as {rendered_text(w)[:60]!r}")
            tw, th = w.texture_size
            if tw > w.width + TOLERANCE or th > w.height + TOLERANCE:
                add("overflow", text, f"text {tw:.0f}×{th:.0f} in a box of {w.width:.0f}×{w.height:.0f}")
            if w.font_size < floor - 0.01:
                add("size", text, f"{w.font_size / dp(1):.1f} dp, below the floor of {floor / dp(1):.0f} dp")
            faults = breaking_faults(rendered_lines(w))
            if faults and not text.isascii():
                add("breaking", text, "; ".join(faults))
            box = ink_box(w)
            seen = box
            for parent in ancestors(w):
                if isinstance(parent, ScrollView):
                    if not _inside(box, window_box(parent)) and not (
                        scroll_overflows(parent) and getattr(parent, "scroll_cue", None) is not None
                    ):
                        add("outside", text, "cut by the edge of a list that gives no cue that it scrolls")
                    clipped = _intersect(seen, list_box(parent))
                    seen = clipped if clipped is not None else (0, 0, 0, 0)
                elif (
                    isinstance(parent, ScreenManager)
                    and seen[2] > seen[0]
                    and not _inside(seen, window_box(parent))
                ):
                    add("outside", text, "cut by the edge of the page area (under the header or footer)")
            if seen[2] - seen[0] > TOLERANCE and seen[3] - seen[1] > TOLERANCE:
                if not _inside(seen, window):
                    add("outside", text, f"drawn at {tuple(round(v) for v in seen)}, window {Window.size}")
                texts.append((w, seen))
        # overlaps: text over text, text over a button or card it is not part of
        shown = [t for t, _b in texts] + [t for t, _b in targets]
        lineage = {id(w): {id(p) for p in ancestors(w)} for w in shown}
        for i, (a, abox) in enumerate(texts):
            family = lineage[id(a)] | {id(a)}
            for b, bbox in texts[i + 1 :]:
                if id(b) in family or id(a) in lineage[id(b)]:
                    continue
                if _intersect(abox, bbox) is not None:
                    add("overlap", a.text, f"drawn over {b.text[:30]!r}")
            for target, tbox in targets:
                if id(target) in family or tbox is None or id(a) in lineage[id(target)]:
                    continue
                if _intersect(abox, tbox) is not None:
                    label = getattr(target, "text", "") or type(target).__name__
                    add("overlap", a.text, f"drawn over the button or card {str(label)[:30]!r}")
        if pixels is None:
            continue
        for w, seen in texts:
            ink = ink_box(w)
            if seen[3] - seen[1] < 0.6 * (ink[3] - ink[1]):
                # mostly hidden under a list's edge or its cue (which says more follows): the sliver
                # in view may be the line's empty leading, not its text, and measures 1:1
                continue
            region = pixels.region(seen)
            if region is None or len(region) < 4:
                continue
            bg = Pixels.dominant(region)
            measured = Pixels.farthest(region, bg)
            declared = contrast(_blend(tuple(w.color), bg), bg)
            if min(declared, measured) < TEXT_CONTRAST - 0.05:
                add(
                    "contrast",
                    w.text,
                    f"{min(declared, measured):.2f}:1 (colour {declared:.2f}, pixels {measured:.2f}) "
                    f"on {tuple(round(c * 255) for c in bg)}",
                )
        for w in widgets:
            colour = getattr(w, "graphic_colour", None)
            if colour is None:
                continue
            x, y, r, _t = window_box(w)
            pad = dp(6)
            ring = pixels.region((x - pad, y - pad, r + pad, y))  # just below it
            if ring is None:
                continue
            bg = Pixels.dominant(ring)
            ratio = contrast(_blend(tuple(colour), bg), bg)
            if ratio < GRAPHIC_CONTRAST - 0.05:
                add(
                    "contrast",
                    type(w).__name__,
                    f"graphic {ratio:.2f}:1 on {tuple(round(c * 255) for c in bg)}",
                )
    return found
