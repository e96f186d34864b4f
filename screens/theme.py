"""Colours, sizes and the font of the terminal, for normal and elder (适老化) modes.

Sizes are in dp. Normal mode: body ≥ 24 dp, tap targets ≥ 48 dp; elder mode: body ≥ 30 dp, targets
≥ 60 dp, line spacing ≥ 1.3 (ux.md). Every foreground/background pair here has contrast ≥ 4.5:1
(tests/ui measure it on the rendered screenshots).
"""

from __future__ import annotations

from dataclasses import dataclass

FONT = "KioskSans"
FONT_BOLD = "KioskSansBold"


def rgba(hex_colour: str, alpha: float = 1.0) -> tuple[float, float, float, float]:
    h = hex_colour.lstrip("#")
    return (int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255, alpha)


BLUE = "#0B4F9C"  # the centre's blue; white on it ≈ 8.4:1
BLUE_DARK = "#083A73"
PAGE = "#F2F5F9"  # light page; the text colour on it ≈ 15:1
PANEL = "#FFFFFF"
TEXT = "#1A1D21"
TEXT_MUTED = "#4A5058"  # ≈ 7.9:1 on white
WHITE = "#FFFFFF"
BORDER = "#C9D2DE"
BADGE = {
    "valid": "#1B6E35",
    "expired": "#9A4600",
    "revoked": "#B3261E",
    "restricted": "#8A3FA0",
    "unverified": "#5A5F66",
    "checking": "#3F5566",
}
HEALTH = {"ok": "#1B6E35", "degraded": "#9A4600", "down": "#B3261E", "unknown": "#5A5F66"}


@dataclass(frozen=True)
class Sizes:
    body: float
    small: float
    title: float
    huge: float
    button: float
    button_height: float
    spacing: float
    line_height: float


NORMAL = Sizes(
    body=28, small=24, title=44, huge=72, button=34, button_height=104, spacing=24, line_height=1.35
)
ELDER = Sizes(body=36, small=30, title=54, huge=88, button=42, button_height=132, spacing=30, line_height=1.4)


def sizes(elder: bool) -> Sizes:
    return ELDER if elder else NORMAL
