"""A copy of the Simplified Chinese faces with flat outlines: the same glyphs, lighter to open.

WHY: the screens draw text through SDL_ttf, which opens one FreeType face of the font per size and
feeds it through a stream of its own. FreeType then copies the CFF table's subroutines (shared
pieces of outlines, about 1.8 MB in Noto Sans CJK) into memory for every face, and Kivy keeps up
to 64 faces for the life of the process: 2.5 MB a face, 0.7 MB once the outlines are flat (each
glyph's outline written out whole, fontTools' desubroutinize; measured with Kivy's labels). The
pixels drawn are the same (tests/core/test_font_flatten.py compares them, SDL_ttf and Pillow).

Flattening a face takes about 30 s of CPU and some 400 MB for that while, so it is never done on the
way to a screen: ``kiosk fonts install`` (the set-up) does it, and a terminal that has none does it
in a child process at the lowest priority once it has stood at rest long enough
(kiosk.ops.runtime); the screens use the flat copy from the app's next start (kiosk.fonts.font_path).

    python -m kiosk.font_flatten        # flat copies of the faces that have none; their paths
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from kiosk.fonts import FontMissingError, extracted_path, flat_path, save_whole, usable

log = logging.getLogger(__name__)
WEIGHTS = ("regular", "bold")


def flatten(source: Path, target: Path) -> None:
    """Write ``source``'s face to ``target`` with its CFF outlines flat (no subroutines), whole or
    not at all (a temporary file of this writer's own, then a rename)."""
    from fontTools.cffLib.transforms import desubroutinize
    from fontTools.ttLib import TTFont

    font = TTFont(str(source))
    try:
        desubroutinize(font["CFF "].cff)
        save_whole(font, target)
    finally:
        font.close()


def missing_flat() -> list[str]:
    """The weights that have no flat copy yet."""
    return [w for w in WEIGHTS if not usable(flat_path(w))]


def flatten_missing() -> list[Path]:
    """Flat copies of the faces that have none (extracting the faces first where needed)."""
    made = []
    for weight in missing_flat():
        flatten(extracted_path(weight), flat_path(weight))
        made.append(flat_path(weight))
    return made


def child_command() -> list[str]:
    """How the app runs this module in a process of its own (which lowers its own CPU priority to
    idle, so that a citizen who walks up meanwhile gets the whole machine)."""
    return [sys.executable, "-m", "kiosk.font_flatten"]


def lower_own_priority() -> None:
    """Idle scheduling where Linux offers it, else the lowest nice value."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        try:
            os.nice(19)
        except OSError:
            log.warning("could not lower the flattening's priority")


def main() -> int:
    lower_own_priority()
    try:
        made = flatten_missing()
    except (FontMissingError, OSError) as exc:
        print(f"kiosk.font_flatten: {exc}", file=sys.stderr)
        return 1
    for path in made:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
