"""Kivy's SDL2 text provider, tuned for a process that never ends: one open face of the font per
whole point size, and no label keeping a second copy of its pixels.

WHY: Kivy's SDL2 text provider opens the font with ``int(font_size)`` (SDL_ttf takes whole points)
but keys its cache of open faces by ``str(font_size)``: a label at 30.8 dp and one at 30.0 dp each
open their own face, although both draw the very same pixels. Every face of the Noto CJK OTF costs
about 2.5 MB of native memory (FreeType, reading through SDL's stream, copies the font's CFF
subroutines into memory for each face), and Kivy keeps up to 64 of them for the life of the
process. Keying by the whole size it opens shares the face and changes no pixel
(tests/ui/test_text_faces.py draws both).

WHY drop the surface: each label's provider object keeps the SDL surface it last drew into until it
draws again, although its pixels were copied out and uploaded to the label's texture; a second
copy of every label on every kept page (about 3 MB at rest after sessions, bench/soak.py).
"""

from __future__ import annotations

from typing import Any

FONT_KEYS = ("font_name_r", "bold", "italic", "underline", "strikethrough")


def font_id(options: dict[str, Any]) -> str:
    """The face a label draws with: the whole point size SDL_ttf opens, then Kivy's other keys."""
    return "|".join([str(int(options["font_size"]))] + [str(options[key]) for key in FONT_KEYS])


def _sdl2_provider() -> Any:
    """Kivy's SDL2 text provider class when it is the one in use, else None (nothing to tune)."""
    from kivy.core.text import Label as CoreLabel

    try:
        from kivy.core.text.text_sdl2 import LabelSDL2
    except ImportError:  # another text provider
        return None
    return LabelSDL2 if issubclass(CoreLabel, LabelSDL2) else None


def share_faces_by_whole_size() -> None:
    """Key the SDL2 text provider's open faces by :func:`font_id` (other providers: nothing)."""
    provider = _sdl2_provider()
    if provider is not None:
        provider._get_font_id = lambda self: font_id(self.options)


def free_surfaces_after_drawing() -> None:
    """Let the SDL2 text provider free a label's surface once its pixels are copied out (other
    providers: nothing). The next draw makes a new one, as it always did."""
    provider = _sdl2_provider()
    if provider is None or getattr(provider, "_frees_surface", False):
        return
    copy_out = provider._render_end

    def render_end(self: Any) -> Any:
        try:
            return copy_out(self)
        finally:
            self._surface = None

    provider._render_end = render_end
    provider._frees_surface = True
