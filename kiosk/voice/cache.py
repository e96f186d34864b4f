"""Synthesis with espeak-ng into a cache keyed by text + voice, prepared in a worker thread.

WHY ahead of time: espeak-ng takes a few hundred milliseconds per sentence; a citizen must hear the
prompt the moment the screen changes, and the UI thread must never wait on a subprocess. WHY a
hash key: a changed sentence or voice gets a new file, an unchanged one is never synthesised again.
Without espeak-ng (or with a broken one) the library simply has no files, and the terminal is
silent but fully usable.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import threading
from array import array
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kiosk.voice.prompts import PROMPTS

log = logging.getLogger(__name__)

# espeak-ng 1.51's cmn-latn-pinyin voice accepts Chinese characters (it converts them to pinyin with
# tone numbers itself); plain ``cmn`` would read Latin letters as English. Elderly listeners asked
# for a slower pace than espeak's default 175 words per minute.
VOICES = {"zh_CN": ("cmn-latn-pinyin", 140), "en": ("en-us", 150)}
TIMEOUT_SECONDS = 20


# The format Kivy's SDL2 audio opens its mixer in (44.1 kHz, 16-bit stereo). SDL_mixer converts a
# sound to it when loading; espeak-ng's 22.05 kHz mono took 4-16 ms to convert, on whichever thread
# loaded it and holding the GIL, so the screen's frames waited for every prompt. A file already in
# the mixer's format loads in 0.06 ms (bench figures in kiosk.app.voice_player).
MIXER_RATE = 44100
MIXER_CHANNELS = 2

CHIME_TONES = ((988.0, 0.16), (784.0, 0.22))  # two falling tones (B5, G5), about 0.4 s
CHIME_GAP = 0.15  # silence between the tones and the words


def cache_key(text: str, voice: str, speed: int, chime: bool = False) -> str:
    marked = text + ("\n#chime" if chime else "")  # a chimed prompt is another file
    form = f"{MIXER_RATE}x{MIXER_CHANNELS}"  # files of another format are made again
    return hashlib.sha256(f"{voice}\n{speed}\n{form}\n{marked}".encode()).hexdigest()[:32]


def _read_pcm16(path: Path) -> tuple[Any, bytes] | None:
    """A WAV file's parameters and frames, or None when it is unreadable or not 16-bit PCM."""
    import wave

    try:
        with wave.open(str(path), "rb") as src:
            params = src.getparams()
            frames = src.readframes(src.getnframes())
    except (OSError, EOFError, wave.Error):
        return None
    return (params, frames) if params.sampwidth == 2 else None


def add_chime(path: Path) -> bool:
    """Put the chime in front of the spoken prompt in ``path`` (a 16-bit PCM WAV from espeak-ng).

    WHY in the same file: the player plays one sound at a time; a tone then the words, in one file,
    cannot overlap or be cut apart. Stdlib only (wave, math). False when the file is not 16-bit PCM.
    """
    import math
    import wave

    read = _read_pcm16(path)
    if read is None:
        return False
    params, frames = read
    rate, channels = params.framerate, params.nchannels
    samples = array("h")
    for freq, seconds in CHIME_TONES:
        count = int(rate * seconds)
        for i in range(count):
            fade = min(1.0, i / (rate * 0.01), (count - i) / (rate * 0.04))  # no clicks
            value = int(12000 * fade * math.sin(2 * math.pi * freq * i / rate))
            samples.extend([value] * channels)
    samples.extend([0] * int(rate * CHIME_GAP) * channels)
    tmp = path.with_suffix(".chime.tmp")
    with wave.open(str(tmp), "wb") as out:
        out.setparams(params)
        out.writeframes(samples.tobytes() + frames)
    os.replace(tmp, path)
    return True


def to_mixer_format(path: Path) -> bool:
    """Rewrite ``path`` (16-bit PCM WAV) at MIXER_RATE with MIXER_CHANNELS; False when it is not
    16-bit PCM. Linear interpolation: espeak-ng's speech has nothing above its own 11 kHz limit."""
    import wave

    import numpy as np

    read = _read_pcm16(path)
    if read is None or read[0].nchannels not in (1, 2):
        return False
    params, frames = read
    pcm = np.frombuffer(frames, dtype="<i2").reshape(-1, params.nchannels).astype(np.float32)
    if params.framerate != MIXER_RATE and len(pcm):
        count = round(len(pcm) * MIXER_RATE / params.framerate)
        at = np.arange(count) * (params.framerate / MIXER_RATE)
        source = np.arange(len(pcm))
        pcm = np.stack([np.interp(at, source, pcm[:, c]) for c in range(pcm.shape[1])], axis=1)
    if pcm.shape[1] == 1:  # espeak-ng speaks mono: the same on both sides
        pcm = np.repeat(pcm, MIXER_CHANNELS, axis=1)
    out = np.clip(np.rint(pcm), -32768, 32767).astype("<i2")
    tmp = path.with_suffix(".mixer.tmp")
    with wave.open(str(tmp), "wb") as dst:
        dst.setnchannels(MIXER_CHANNELS)
        dst.setsampwidth(2)
        dst.setframerate(MIXER_RATE)
        dst.writeframes(out.tobytes())
    os.replace(tmp, path)
    return True


def synthesize(text: str, voice: str, speed: int, target: Path, espeak: str) -> bool:
    """Write ``text`` spoken by ``voice`` to ``target`` (a WAV file); False when it failed."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(suffix=".wav", dir=target.parent)
    except OSError:
        log.warning("voice cache directory is not writable: voice guidance stays silent")
        return False
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        result = subprocess.run(
            [espeak, "-v", voice, "-s", str(speed), "-w", str(tmp), "--", text],
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
        if result.returncode != 0 or tmp.stat().st_size <= 44:
            log.warning("espeak-ng failed", extra={"voice": voice, "rc": result.returncode})
            return False
        os.replace(tmp, target)
        return True
    except (OSError, subprocess.SubprocessError):
        log.warning("espeak-ng could not run", extra={"voice": voice})
        return False
    finally:
        tmp.unlink(missing_ok=True)


class VoiceLibrary:
    """The prompt files: ``path(key, language)`` is a ready WAV or None (never blocks)."""

    def __init__(self, cache_dir: Path, espeak: str | None = None) -> None:
        self.cache_dir = Path(cache_dir)
        self.espeak = espeak if espeak is not None else (shutil.which("espeak-ng") or "")
        self._ready: dict[tuple[str, str], Path] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.done = threading.Event()

    def file_for(self, key: str, language: str) -> Path:
        voice, speed = VOICES["en" if language == "en" else "zh_CN"]
        prompt = PROMPTS[key]
        return self.cache_dir / f"{cache_key(prompt.text(language), voice, speed, prompt.chime)}.wav"

    def path(self, key: str, language: str) -> Path | None:
        with self._lock:
            return self._ready.get((key, "en" if language == "en" else "zh_CN"))

    def prepare(self, languages: Iterable[str] = ("zh_CN", "en")) -> int:
        """Synthesise every missing prompt (blocking: call it from a worker thread). Returns the
        number of prompts ready."""
        try:
            for language in languages:
                lang = "en" if language == "en" else "zh_CN"
                voice, speed = VOICES[lang]
                for key, prompt in PROMPTS.items():
                    target = self.file_for(key, lang)
                    missing = not target.is_file()
                    if missing and self.espeak:
                        if not synthesize(prompt.text(lang), voice, speed, target, self.espeak):
                            self.espeak = ""  # broken or missing: do not try (and log) 26 times
                        elif prompt.chime and not add_chime(target):
                            target.unlink(missing_ok=True)  # never the words without the tone
                        elif not to_mixer_format(target):
                            target.unlink(missing_ok=True)
                    if target.is_file():
                        with self._lock:
                            self._ready[(key, lang)] = target
            self._prune()
            with self._lock:
                return len(self._ready)
        finally:
            self.done.set()

    def _prune(self) -> None:
        """Delete cached files no prompt uses any more (a changed sentence, voice or format): a
        terminal that runs for years should not keep every wording it ever had."""
        wanted = {self.file_for(key, lang).name for lang in VOICES for key in PROMPTS}
        try:
            stale = [
                p for p in self.cache_dir.iterdir() if p.suffix in (".wav", ".tmp") and p.name not in wanted
            ]
        except OSError:
            return
        for path in stale:
            path.unlink(missing_ok=True)

    def prepare_in_background(self, languages: Iterable[str] = ("zh_CN", "en")) -> threading.Thread:
        """Start ``prepare`` on a daemon thread (the terminal starts talking as files appear)."""
        langs = tuple(languages)
        thread = threading.Thread(target=self.prepare, args=(langs,), name="voice-prepare", daemon=True)
        self._thread = thread
        thread.start()
        return thread
