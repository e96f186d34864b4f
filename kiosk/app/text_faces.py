"""One open face of the font per whole point size, not one per fractional size.

WHY: Kivy's SDL2 text provider opens the font with ``int(font_size)`` (SDL_ttf takes whole points)
but keys its cache of open faces by ``str(font_size)``: a label at 30.8 dp and one at 30.0 dp each
open their own face, although both draw the very same pixels. Every face of the Noto CJK OTF costs
about 2.5 MB of native memory (FreeType, reading through SDL's stream, copies the font's CFF
subroutines into memory for each face), and Kivy keeps up to 64 of them for the life of the
process. Keying by the whole size it opens shares the face and changes no pixel
(tests/app/test_text_faces.py draws both).
"""

from __future__ import annotations

from typing import Any

FONT_KEYS = ("font_name_r", "bold", "italic", "underline", "strikethrough")


def font_id(options: dict[str, Any]) -> str:
    """The face a label draws with: the whole point size SDL_ttf opens, then Kivy's other keys."""
    return "|".join([str(int(options["font_size"]))] + [str(options[key]) for key in FONT_KEYS])


def share_faces_by_whole_size() -> None:
    """Key the SDL2 text provider's open faces by :func:`font_id` (other providers: nothing)."""
    from kivy.core.text import Label as CoreLabel

    try:
        from kivy.core.text.text_sdl2 import LabelSDL2
    except ImportError:  # another text provider: no such cache
        return
    if issubclass(CoreLabel, LabelSDL2):
        LabelSDL2._get_font_id = lambda self: font_id(self.options)
