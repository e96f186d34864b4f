"""The Simplified Chinese face is extracted once per user cache, also when processes race for it.

WHY: a fresh cache (a new user, a test's own home) is filled by whichever process needs the font
first. ``kiosk diag --demo`` starts the reference server, which draws seal pictures while seeding,
and prints a test receipt at the same time: both extracted into the same temporary name, and the
one that renamed second found its file gone (FileNotFoundError, the printer check failed).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fontTools.ttLib import TTFont

from kiosk.fonts import SC_FAMILY

EXTRACT = "from kiosk.fonts import font_path; print(font_path('regular'))"


def test_processes_extracting_at_once_all_get_the_whole_face(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    racing = [
        subprocess.Popen(
            [sys.executable, "-c", EXTRACT],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    results = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in racing]  # type: ignore[union-attr]
    for code, _out, err in results:
        assert code == 0, err
    paths = {out.strip() for _code, out, _err in results}
    assert len(paths) == 1
    font = TTFont(paths.pop(), lazy=True)
    assert font["name"].getDebugName(1) == SC_FAMILY
    assert font.getBestCmap()[ord("骨")]  # a face with the Chinese glyphs, whole
    left = sorted(p.name for p in (tmp_path / "cache" / "kiosk" / "fonts").iterdir())
    assert left == ["NotoSansCJKsc-Regular.otf"]  # no temporary file left behind
