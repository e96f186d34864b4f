"""Voice guidance: prompts are generated ahead of time, actually played through SDL, harmless without
a sound card or without espeak-ng, and never contain anything personal."""

from __future__ import annotations

import array
import itertools
import os
import re
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from kiosk.voice import PROMPTS, VoiceLibrary, prompt_for
from kiosk.voice.cache import MIXER_CHANNELS, MIXER_RATE, VOICES, cache_key

ROOT = Path(__file__).resolve().parents[2]
DEMO_SECRETS = ("韦桂兰", "覃䶮", "莫海生", "陈志明", "约翰逊", "450206195803120088", "94582619850706001X")


@pytest.fixture(scope="module")
def voice_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = tmp_path_factory.mktemp("voice-cache")
    library = VoiceLibrary(cache)
    assert library.prepare() == 2 * len(PROMPTS)  # every prompt in both languages
    return cache


def run_player(cache: Path, language: str, driver: str, disk_file: Path | None, tmp: Path, *mode: str) -> str:
    env = dict(os.environ, SDL_AUDIODRIVER=driver, KIVY_HOME=str(tmp / "kivy"), PYTHONPATH=str(ROOT))
    if disk_file is not None:
        env["SDL_DISKAUDIOFILE"] = str(disk_file)
    result = subprocess.run(
        [sys.executable, "-m", "tests.experience.play_prompt", str(cache), language, "4", *mode],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def peak(raw: bytes) -> int:
    samples = array.array("h", raw[: len(raw) // 2 * 2])
    return max((abs(s) for s in samples), default=0)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_step_prompt_is_really_played_through_the_sound_output(
    voice_cache: Path, tmp_path: Path, language: str
) -> None:
    disk = tmp_path / "sound-card.raw"
    out = run_player(voice_cache, language, "disk", disk, tmp_path)
    assert "played: identify" in out
    raw = disk.read_bytes()
    level = peak(raw)
    seconds = len(raw) / (44100 * 2 * 2)
    print(f"\n{language}: {len(raw)} bytes (~{seconds:.1f} s of 16-bit stereo) written, peak {level}")
    assert level > 2000  # speech, not silence


def test_without_a_sound_card_the_player_is_silent_and_harmless(voice_cache: Path, tmp_path: Path) -> None:
    out = run_player(voice_cache, "zh_CN", "dummy", None, tmp_path)
    assert "played:" in out  # the script ran to its end


def test_without_espeak_nothing_is_generated_and_nothing_breaks(tmp_path: Path) -> None:
    library = VoiceLibrary(tmp_path, espeak="/nonexistent/espeak-ng")
    assert library.prepare() == 0
    assert library.path("identify", "zh_CN") is None
    assert VoiceLibrary(tmp_path, espeak="").prepare() == 0


def test_prompts_are_cached_by_text_and_voice(voice_cache: Path) -> None:
    library = VoiceLibrary(voice_cache, espeak="/nonexistent/espeak-ng")  # cannot synthesise...
    assert library.prepare() == 2 * len(PROMPTS)  # ...and needs not: every file is in the cache
    voice, speed = VOICES["zh_CN"]
    path = library.path("identify", "zh_CN")
    assert path is not None and path.name == cache_key(PROMPTS["identify"].zh, voice, speed) + ".wav"
    with wave.open(str(path)) as w:
        assert w.getnframes() / w.getframerate() > 1.0  # a sentence, not a click
    assert cache_key("请刷身份证", voice, speed) != cache_key("请刷身份证", "en-us", speed)


def test_prompts_are_stored_in_the_mixers_format_and_old_files_go(voice_cache: Path) -> None:
    """SDL_mixer converts a sound to its own format when loading it, holding the GIL for up to
    16 ms; prompts already in it load at once. Files of an older wording or format are deleted."""
    for path in sorted(voice_cache.glob("*.wav")):
        with wave.open(str(path)) as w:
            assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (MIXER_RATE, MIXER_CHANNELS, 2)
            assert w.getnframes() / w.getframerate() > 0.5, path.name
    stale = voice_cache / ("0" * 32 + ".wav")  # a prompt from an earlier wording or format
    shutil.copy(next(voice_cache.glob("*.wav")), stale)
    library = VoiceLibrary(voice_cache, espeak="/nonexistent/espeak-ng")
    assert library.prepare() == 2 * len(PROMPTS)
    assert not stale.exists()
    assert len(list(voice_cache.glob("*.wav"))) == 2 * len(PROMPTS)


def test_mandarin_prompts_use_the_pinyin_voice_reading_characters() -> None:
    espeak = shutil.which("espeak-ng")
    assert espeak is not None
    phonemes = subprocess.run(
        [espeak, "-q", "-x", "-v", VOICES["zh_CN"][0], "请刷身份证"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert phonemes.strip() and not re.search(r"[A-Za-z]{2,}\d", phonemes)  # no "qing3" read as letters


def test_no_prompt_can_speak_personal_data() -> None:
    from kiosk.domain.holder import Holder
    from kiosk.session import SessionMachine

    for prompt in PROMPTS.values():
        for text in (prompt.zh, prompt.en):
            assert "{" not in text and not re.search(r"\d", text)  # fixed sentences, no placeholders
            assert not any(secret in text for secret in DEMO_SECRETS)
    machine = SessionMachine(60, 15, 10)
    machine.begin(0.0)
    holder = Holder(name="韦桂兰", id_number="450206195803120088", holder_type="111", card_type="resident")
    machine.identified(holder, "card", 1.0)
    key = prompt_for(machine)
    assert key == "consent"
    assert PROMPTS[key].zh == "请阅读授权说明，同意后点击同意并查询。"


# ---------------------------------------------- issue 22: the card left, the pages, 重听 and volume
def test_the_card_left_prompt_starts_with_a_chime(voice_cache: Path) -> None:
    library = VoiceLibrary(voice_cache, espeak="")
    library.prepare()
    chimed, plain = library.path("card_left", "zh_CN"), library.path("identify", "zh_CN")
    assert chimed is not None and plain is not None
    with wave.open(str(chimed)) as w:
        rate = w.getframerate()
        head = array.array("h", w.readframes(int(rate * 0.15)))
    crossings = sum(1 for a, b in itertools.pairwise(head) if (a < 0) != (b < 0))
    assert 250 < crossings < 340  # a 988 Hz tone: about 296 sign changes in 0.15 s
    assert peak(head.tobytes()) > 8000
    with wave.open(str(plain)) as w:
        start = array.array("h", w.readframes(int(w.getframerate() * 0.15)))
    assert peak(start.tobytes()) < 8000  # the other prompts start with their words, no tone


def test_the_home_guide_and_disclosure_pages_have_prompts_and_staff_pages_none() -> None:
    from kiosk.session import SessionMachine

    machine = SessionMachine(60, 15, 10)
    assert prompt_for(machine) == "attract"
    assert prompt_for(machine, card_left=True) == "card_left"
    for view, key in (
        ("guide", "guide"),
        ("disclosure", "disclosure"),
        ("admin", None),
        ("diagnostics", None),
    ):
        machine.open_view(view, 1.0)
        assert prompt_for(machine) == key
    for key in ("attract", "card_left", "guide", "disclosure"):
        assert PROMPTS[key].zh and PROMPTS[key].en


def test_without_a_sound_device_the_player_says_so_and_replay_and_volume_work(
    voice_cache: Path, tmp_path: Path
) -> None:
    env = dict(os.environ, SDL_AUDIODRIVER="dummy", KIVY_HOME=str(tmp_path / "kivy"), PYTHONPATH=str(ROOT))
    env["XDG_RUNTIME_DIR"] = str(tmp_path)  # no sound server's socket there
    result = subprocess.run(
        [sys.executable, "-m", "tests.experience.play_prompt", str(voice_cache), "zh_CN", "1", "replay"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    if not Path("/proc/asound/cards").is_file() or "no soundcards" in Path("/proc/asound/cards").read_text():
        assert "output: missing 未发现声卡或声音服务" in out  # what the admin page and diagnostics show
    assert "volume: 1.0 1.0 1.0 1.0" in out  # 音量 + stops at full
    assert "replayed: True identify" in out  # 重听 speaks the page's prompt again
    assert "cycle: 0.2 0.4" in out  # 音量 from the loudest round to the softest, then up


def test_a_prompt_is_let_go_when_the_citizen_leaves(voice_cache: Path, tmp_path: Path) -> None:
    """SDL_mixer holds a decoded prompt at about four times its file: the player keeps the one it is
    playing and none at rest, so a day of citizens does not pile every prompt up in memory."""
    out = run_player(voice_cache, "zh_CN", "disk", tmp_path / "sound-card.raw", tmp_path, "leave")
    assert "played: identify" in out
    assert "held while guided: 1" in out
    played_after = out.split("played after leaving: ", 1)[1].splitlines()[0].split(",")
    assert played_after[-2:] == ["identify", "attract"]  # the new language spoke, then the home page
    assert "held while the attract prompt plays: 1" in out
    assert "held at rest: 0" in out  # freed once it had played
    assert "decoded on the UI thread: False" in out  # a worker decodes; the frames go on
