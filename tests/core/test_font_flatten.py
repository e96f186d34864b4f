"""The flat copies of the Simplified Chinese faces: the same pixels, lighter faces, made at rest.

Real fonts (Debian's Noto CJK, extracted as the app does), real FreeType through Pillow and through
Kivy's SDL_ttf provider in a process of its own, and the real child process the ops loop starts.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops, ImageDraw, ImageFont

from kiosk.fonts import extracted_path, flat_path, font_path, plain_path
from kiosk.ops.font_upkeep import FLATTEN_AFTER_REST_SECONDS, FontUpkeep

TEXT = "柳江区政务服务中心 居民身份证 骨门令 Ag 0123，。"
REPO = Path(__file__).resolve().parents[2]


@dataclass
class ChildRun:
    """What the ops loop's child did in a fresh cache: its exit code, its scheduling policy while it
    ran, the cache's files after, and the regular face's (extracted, flat) pair it made."""

    result: int | None
    policies: list[int]
    files: list[str]
    font_path_after: Path
    regular_pair: tuple[Path, Path]


@pytest.fixture(scope="module")
def child_run(tmp_path_factory: pytest.TempPathFactory) -> ChildRun:
    """The real child process, as the ops loop starts it after a long rest, makes the missing flat
    copy: here the regular one (the bold one is already there). Every test below uses that copy,
    so a CJK face is flattened once per run (about 35 s on a CI machine), not once per test."""
    cache = tmp_path_factory.mktemp("cache")
    source = extracted_path("regular")  # the face in this user's cache, extracted once
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(cache))
        fonts = plain_path("regular").parent
        fonts.mkdir(parents=True)
        shutil.copyfile(source, plain_path("regular"))
        flat_path("bold").write_bytes(b"made before")  # only the regular copy is missing
        upkeep = FontUpkeep()
        policies: list[int] = []

        async def rest() -> None:
            task = upkeep.check(FLATTEN_AFTER_REST_SECONDS)
            assert task is not None and upkeep.check(FLATTEN_AFTER_REST_SECONDS) is None
            while upkeep.pid is None:
                await asyncio.sleep(0.01)
            await asyncio.sleep(1.0)  # the child sets its own priority first thing
            if not task.done():
                policies.append(os.sched_getscheduler(upkeep.pid))
            await asyncio.wait_for(task, 300)

        asyncio.run(rest())
        return ChildRun(
            upkeep.result,
            policies,
            sorted(p.name for p in fonts.iterdir()),
            font_path("regular"),
            (plain_path("regular"), flat_path("regular")),
        )


@pytest.fixture(scope="module")
def regular_pair(child_run: ChildRun) -> tuple[Path, Path]:
    """(the extracted regular face, its flat copy made by the child: kiosk.font_flatten)."""
    return child_run.regular_pair


def _drawn(font: Path, size: int) -> Image.Image:
    image = Image.new("L", (1500, 2 * size + 20), 0)
    ImageDraw.Draw(image).text((5, 5), TEXT, font=ImageFont.truetype(str(font), size), fill=255)
    return image


def test_the_flat_copy_has_the_same_glyphs_and_no_subroutines(regular_pair: tuple[Path, Path]) -> None:
    plain, flat = (TTFont(str(p), lazy=True) for p in regular_pair)
    assert flat["maxp"].numGlyphs == plain["maxp"].numGlyphs
    assert flat.getBestCmap() == plain.getBestCmap()
    cff = flat["CFF "].cff
    assert len(cff.GlobalSubrs) == 0
    top = cff[cff.fontNames[0]]
    for private in [fd.Private for fd in getattr(top, "FDArray", [])] or [top.Private]:
        assert len(getattr(private, "Subrs", [])) == 0
    assert plain["CFF "].cff.GlobalSubrs  # the extracted face had them


def test_pillow_draws_the_same_pixels_with_either(regular_pair: tuple[Path, Path]) -> None:
    plain, flat = regular_pair
    for size in (18, 24, 33, 48, 72):
        assert ImageChops.difference(_drawn(plain, size), _drawn(flat, size)).getbbox() is None, size


SDL_PROBE = r"""
import json, os, sys
os.environ.update(KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1", KIVY_NO_FILELOG="1", SDL_AUDIODRIVER="dummy")
os.environ.pop("DISPLAY", None)
os.environ.pop("WAYLAND_DISPLAY", None)
from kivy.core.window import Window  # noqa: F401  (SDL up, as in the app)
from kivy.core.text import Label as CoreLabel

def rss():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

out = {}
for name, font in (("plain", sys.argv[1]), ("flat", sys.argv[2])):
    CoreLabel(text="x", font_name=font, font_size=11).refresh()
    before, pixels = rss(), []
    for size in range(20, 32):  # twelve faces
        label = CoreLabel(text=sys.argv[3], font_name=font, font_size=size)
        label.refresh()
        pixels.append(label.texture.pixels.hex())
    out[name] = {"bytes_per_face": (rss() - before) / 12, "pixels": pixels}
print(json.dumps(out))
"""


def test_the_screens_text_provider_draws_the_same_and_each_face_costs_less(
    regular_pair: tuple[Path, Path], tmp_path: Path
) -> None:
    plain, flat = regular_pair
    env = {**os.environ, "KIVY_HOME": str(tmp_path / "kivy"), "SDL_VIDEODRIVER": "offscreen"}
    run = subprocess.run(
        [sys.executable, "-c", SDL_PROBE, str(plain), str(flat), TEXT],
        capture_output=True, text=True, timeout=300, env=env, cwd=REPO,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["flat"]["pixels"] == result["plain"]["pixels"]
    plain_face, flat_face = result["plain"]["bytes_per_face"], result["flat"]["bytes_per_face"]
    # measured 2.5 MB and 0.7 MB a face
    assert flat_face < 0.5 * plain_face, (plain_face, flat_face)


def test_the_app_takes_the_flat_copy_where_there_is_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = extracted_path("regular")  # the face in this user's cache
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    plain_path("regular").parent.mkdir(parents=True)
    shutil.copyfile(source, plain_path("regular"))
    assert font_path("regular") == plain_path("regular")
    flat_path("regular").write_bytes(b"")  # an empty (half-made) copy is not taken
    assert font_path("regular") == plain_path("regular")
    shutil.copyfile(plain_path("regular"), flat_path("regular"))
    assert font_path("regular") == flat_path("regular")
    assert font_path("regular", override=str(source)) == source  # a configured font stays


def test_the_terminal_makes_them_only_after_a_long_rest_and_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    upkeep = FontUpkeep()
    assert not upkeep.due(None)  # a citizen at the screen
    assert not upkeep.due(FLATTEN_AFTER_REST_SECONDS - 1)
    assert upkeep.due(FLATTEN_AFTER_REST_SECONDS)
    assert not FontUpkeep(configured_font="/srv/fonts/own.otf").due(FLATTEN_AFTER_REST_SECONDS)
    upkeep.started = True
    assert not upkeep.due(FLATTEN_AFTER_REST_SECONDS * 2)  # once per start
    for weight in ("regular", "bold"):  # both copies there: nothing to do
        flat_path(weight).parent.mkdir(parents=True, exist_ok=True)
        flat_path(weight).write_bytes(b"x")
    assert not FontUpkeep().due(FLATTEN_AFTER_REST_SECONDS)


def test_the_child_makes_the_missing_copy_at_idle_priority(child_run: ChildRun) -> None:
    assert child_run.result == 0
    assert child_run.policies == [os.SCHED_IDLE]
    assert child_run.files == [
        "NotoSansCJKsc-Bold.flat.otf", "NotoSansCJKsc-Regular.flat.otf", "NotoSansCJKsc-Regular.otf"
    ]  # fmt: skip
    assert child_run.font_path_after == child_run.regular_pair[1]  # the app takes it from now on
