"""Register the Simplified Chinese faces with Kivy under the theme's font names."""

from __future__ import annotations

from kivy.core.text import LabelBase

from kiosk.fonts import font_path
from screens.theme import FONT, FONT_BOLD


def register_fonts(override: str | None = None) -> None:
    regular = str(font_path("regular", override or None))
    bold = regular if override else str(font_path("bold"))
    LabelBase.register(name=FONT, fn_regular=regular, fn_bold=bold)
    LabelBase.register(name=FONT_BOLD, fn_regular=bold)
