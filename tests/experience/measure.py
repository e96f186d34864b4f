"""Measure what a citizen sees on a rendered screen: text contrast, text size, tap-target size.

Contrast is computed from the screenshot's pixels (WCAG 2.x relative luminance): for each visible
label or button, its on-screen box (``to_window``) is cut out of the screenshot; the background is
the box's most common colour, the text colour is the box's pixel that differs most from it (glyph
stems at ≥ 24 px are fully inked, so that pixel is the true text colour). Text size is the label's
font size in px at density 1 (1 dp = 1 px); tap targets are the buttons' on-screen boxes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image


def luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@dataclass
class ScreenFigures:
    name: str
    min_contrast: float = 99.0
    min_contrast_text: str = ""
    min_body_px: float = 999.0
    min_body_text: str = ""
    min_target_px: float = 9999.0
    min_target_text: str = ""
    min_line_height: float = 9.0
    labels: int = 0
    buttons: int = 0
    problems: list[str] = field(default_factory=list)

    def row(self) -> str:
        line = f"{self.min_line_height:.2f}" if self.min_line_height < 9 else " -- "  # no wrapped text
        return (
            f"{self.name:<28} contrast≥{self.min_contrast:5.2f}  body≥{self.min_body_px:4.0f}px  "
            f"target≥{self.min_target_px:4.0f}px  line≥{line}  "
            f"({self.labels} texts, {self.buttons} buttons)"
        )


def _visible_box(widget: Any, win_w: int, win_h: int) -> tuple[float, float, float, float] | None:
    """The widget's box in window coordinates (y up), clipped by scroll views and the window."""
    from kivy.uix.scrollview import ScrollView

    x0, y0 = widget.to_window(widget.x, widget.y)
    x1, y1 = x0 + widget.width, y0 + widget.height
    parent = widget.parent
    while parent is not None and parent is not parent.parent:
        if isinstance(parent, ScrollView):
            px0, py0 = parent.to_window(parent.x, parent.y)
            x0, y0 = max(x0, px0), max(y0, py0)
            x1, y1 = min(x1, px0 + parent.width), min(y1, py0 + parent.height)
        parent = parent.parent
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, win_w), min(y1, win_h)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    if (x1 - x0) * (y1 - y0) < 0.5 * widget.width * widget.height:
        return None  # mostly scrolled out of view
    return x0, y0, x1, y1


def _colours(image: Image.Image, box: tuple[float, float, float, float], inset: float) -> Any:
    """The distinct colours in the box and how often each occurs (numpy: fast on big buttons)."""
    h = image.height
    x0, y0, x1, y1 = box
    left, right = int(x0 + inset), int(x1 - inset)
    top, bottom = int(h - y1 + inset), int(h - y0 - inset)
    if right - left < 2 or bottom - top < 2:
        return None
    region = np.asarray(image.crop((left, top, right, bottom))).reshape(-1, 3).astype(np.uint32)
    packed = (region[:, 0] << 16) | (region[:, 1] << 8) | region[:, 2]  # 1-D unique is ~20× faster
    values, counts = np.unique(packed, return_counts=True)
    colours = np.stack([(values >> 16) & 255, (values >> 8) & 255, values & 255], axis=1)
    return colours, counts


def _luminance(rgb: Any) -> Any:
    v = rgb / 255.0
    lin = np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)
    return lin @ np.array([0.2126, 0.7152, 0.0722])


def _inside(widget: Any, ancestors: list[Any]) -> bool:
    node = widget
    while node is not None:
        if any(node is a for a in ancestors):
            return True
        parent = node.parent
        node = parent if parent is not node else None
    return False


def measure(name: str, shot: Path, widgets: list[Any], elder: bool) -> ScreenFigures:
    from kivy.core.window import Window
    from kivy.uix.behaviors import ButtonBehavior
    from kivy.uix.label import Label

    from screens.frame import Header

    figures = ScreenFigures(name)
    image = Image.open(shot).convert("RGB")
    win_w, win_h = image.width, image.height
    scale = win_w / Window.width
    header_top = win_h / scale
    # the header's real bottom and members, read from the widgets: it grows when a long centre name
    # needs two lines (English, elder mode), so a fixed 132 px would call its own labels "cut off"
    headers = [w for w in widgets if isinstance(w, Header) and w.get_root_window() is not None]
    header_bottom = max((h.to_window(h.x, h.y)[1] for h in headers), default=header_top - 132)
    for w in widgets:
        if w.get_root_window() is None or getattr(w, "opacity", 1) == 0:
            continue
        box = _visible_box(w, int(Window.width), int(Window.height))
        if box is None:
            continue
        sbox = tuple(v * scale for v in box)
        if isinstance(w, ButtonBehavior):
            figures.buttons += 1
            side = min(box[2] - box[0], box[3] - box[1])
            if side < figures.min_target_px:
                figures.min_target_px, figures.min_target_text = side, str(getattr(w, "text", ""))[:30]
        if not isinstance(w, Label) or not str(w.text).strip():
            continue
        figures.labels += 1
        in_header = _inside(w, headers)  # the blue header (its own, smaller type)
        found = _colours(image, sbox, inset=3 * scale)
        if found is not None:
            colours, counts = found
            lum = _luminance(colours.astype(float))
            bg = float(lum[int(np.argmax(counts))])
            hi, lo = np.maximum(lum, bg), np.minimum(lum, bg)
            ratio = float(((hi + 0.05) / (lo + 0.05)).max())
            if ratio < figures.min_contrast:
                figures.min_contrast, figures.min_contrast_text = ratio, str(w.text)[:30]
        if not in_header:
            if box[3] > header_bottom + 2:
                figures.problems.append(f"text under the header (cut off): {str(w.text)[:30]!r}")
            size = float(w.font_size)
            if size < figures.min_body_px:
                figures.min_body_px, figures.min_body_text = size, str(w.text)[:30]
            lines = max(1, round(w.texture_size[1] / (size * max(w.line_height, 1.0) * 1.2)))
            if lines > 1 and not isinstance(w, ButtonBehavior):
                figures.min_line_height = min(figures.min_line_height, float(w.line_height))
    body_min, target_min = (30, 60) if elder else (24, 48)
    if figures.min_contrast < 4.5:
        figures.problems.append(f"contrast {figures.min_contrast:.2f} < 4.5 ({figures.min_contrast_text!r})")
    if figures.min_body_px < body_min:
        figures.problems.append(f"text {figures.min_body_px:.0f}px < {body_min} ({figures.min_body_text!r})")
    if figures.buttons and figures.min_target_px < target_min:
        figures.problems.append(
            f"target {figures.min_target_px:.0f}px < {target_min} ({figures.min_target_text!r})"
        )
    if figures.min_line_height < 1.3:
        figures.problems.append(f"line spacing {figures.min_line_height:.2f} < 1.3")
    return figures
