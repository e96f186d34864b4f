"""The Simplified Chinese font for the screens and the receipts.

Kivy opens only the first face of a ``.ttc`` collection, and in Debian's Noto CJK collections that
face is Japanese (wrong glyph shapes for 令 门 骨). So at install time we extract the face whose name
says "SC" into a plain OTF in the user's cache, and everyone (Kivy, Pillow, PDF) uses that file.
"""

from __future__ import annotations

import gc
import os
import tempfile
from pathlib import Path
from typing import Any

COLLECTIONS = {
    "regular": [
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    ],
    "bold": [
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
        "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
    ],
}
SC_FAMILY = "Noto Sans CJK SC"


class FontMissingError(RuntimeError):
    """No Simplified Chinese font could be found or extracted."""


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kiosk" / "fonts"


def _extract_sc_face(collection: Path, target: Path) -> None:
    from fontTools.ttLib import TTCollection

    ttc = TTCollection(str(collection), lazy=True)
    for font in ttc.fonts:
        family = font["name"].getDebugName(1) or ""
        if family.strip() == SC_FAMILY:
            save_whole(font, target)
            return
    raise FontMissingError(f"{collection} has no face named {SC_FAMILY!r}")


def save_whole(font: Any, target: Path) -> None:
    """Save a fontTools font to ``target`` whole or not at all.

    WHY a temporary file of this writer's own: processes that need the font at once (the reference
    server drawing seals while `kiosk diag` prints) each write a whole face and the renames replace
    it whole; a shared name was renamed away under the second writer."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=target.stem + ".", suffix=".tmp", dir=target.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            font.save(out)
        tmp.chmod(0o644)  # as an ordinary file (mkstemp makes it 0600)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def plain_path(weight: str) -> Path:
    """The SC face as extracted from the collection."""
    return cache_dir() / f"NotoSansCJKsc-{weight.capitalize()}.otf"


def flat_path(weight: str) -> Path:
    """The same face with flat outlines (kiosk.font_flatten): the screens' lighter copy."""
    return cache_dir() / f"NotoSansCJKsc-{weight.capitalize()}.flat.otf"


def usable(path: Path) -> bool:
    """A font file that is there and not empty (a half-made one is empty or absent)."""
    return path.is_file() and path.stat().st_size > 0


def font_path(weight: str = "regular", override: str | None = None) -> Path:
    """Path of an OTF with Simplified Chinese forms: the flat copy where it was made (the same
    glyphs, drawn the same, lighter to open: kiosk.font_flatten), else the extracted face,
    extracting it on first use."""
    if override:
        path = Path(override)
        if not path.is_file():
            raise FontMissingError(f"configured font not found: {path}")
        return path
    flat = flat_path(weight)
    if usable(flat):
        return flat
    return extracted_path(weight)


def extracted_path(weight: str) -> Path:
    """The SC face extracted from the collection, extracting it on first use."""
    target = plain_path(weight)
    if usable(target):
        return target
    for candidate in COLLECTIONS[weight]:
        if Path(candidate).is_file():
            _extract_sc_face(Path(candidate), target)
            # fontTools' tables refer to each other: without a pass they would wait for a full
            # collection, and an app freezes its start-up objects (kiosk.app.gc_tuning) for good
            gc.collect()
            return target
    raise FontMissingError(
        "未找到简体中文字体 (Simplified Chinese font missing): install the Debian package fonts-noto-cjk"
    )
