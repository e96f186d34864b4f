"""Plays the voice prompt of each step through Kivy's audio (SoundLoader), without blocking.

WHY it watches the controller instead of being called by screens: a prompt belongs to the
session's state (kiosk.voice.prompt_for), so every way of reaching a step (a tap, a card, a
timeout) speaks the same. Prompt files are prepared by a worker thread (kiosk.voice.VoiceLibrary);
a prompt that is not ready yet is skipped, never waited for. Without a sound card SDL cannot open
its mixer: the sound loads with no length and the player stays silent; any audio error is logged
once and swallowed — voice is a help, never a reason for the terminal to stop.

WHY one loaded prompt at a time, none at rest: SDL_mixer decodes a whole prompt into memory in the
mixer's format, about four times its file (a 365 kB prompt holds 3 MB). Kept for the life of the
process, the prompts a day's citizens heard held 17.5 MB at rest after 60 sessions and 31 MB once
all 34 had been played (bench/soak.py, heaptrack), more with every language added. A prompt is
read by a worker thread, off the UI thread (it is file I/O; stored in the mixer's format it loads in
0.06 ms, kiosk.voice.cache; converted on the UI thread it had cost the soak's frames a p99 of 54 ms
instead of 41); the one playing is kept, and let go once it has played to its end, is replaced or
the session is over (重听 and the card reminder read it again).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from pathlib import Path
from typing import Any

from kiosk.voice import VoiceLibrary, prompt_for
from kiosk.voice.output import AudioOutput, probe_audio_output

log = logging.getLogger(__name__)

PLAYED_KEPT = 50
REMIND_SECONDS = 12.0  # a card left in the reader is asked for again this often
VOLUME_STEP = 0.2  # the citizens' 音量 − / + buttons
MIN_CITIZEN_VOLUME = 0.2  # a citizen can turn it down, never off for the next one (reset each session)


class VoicePlayer:
    def __init__(self, controller: Any, library: VoiceLibrary | None = None) -> None:
        from kiosk.rating.paths import voice_cache_dir

        self.controller = controller
        cfg = controller.config.voice
        self.enabled = bool(cfg.enabled)
        self.volume = float(cfg.volume)
        self.library = library or VoiceLibrary(voice_cache_dir())
        self._loaded: tuple[Path, Any] | None = None  # the one prompt in memory (module docstring)
        self._wanted: tuple[str, Path] | None = None  # the prompt to play once decoded
        self._broken: set[Path] = set()
        self._current: Any = None
        self._last: tuple[str | None, str | None, str] | None = None
        self._before_warning: tuple[str | None, str | None, str] | None = None
        self._elder = bool(controller.machine.prefs.elder_mode)
        # the last prompt keys actually started (diagnostics and tests); bounded, as the player
        # lives as long as the terminal: a plain list grew by one key a step, all day, every day
        self.played: deque[str] = deque(maxlen=PLAYED_KEPT)
        self._warned = False
        self._silent = False  # a prompt could not be played: no sound device (say it to staff)
        self._last_key: str | None = None  # what 重听 repeats
        self._reminder: Any = None  # the repeating 请取走您的身份证 while a card is left
        self._session: str | None = None
        self.output = probe_audio_output()

    def start(self) -> None:
        """Prepare the prompts in the background and follow the session from now on."""
        if not self.enabled:
            return
        self.library.prepare_in_background()
        self.controller.subscribe(self._on_change)

    # ------------------------------------------------------------------ state for staff and citizens
    def output_state(self) -> AudioOutput:
        """Whether the prompts can be heard (the admin page and the diagnostics show it)."""
        if not self.enabled:
            return AudioOutput(False, "语音引导已关闭")
        if self._silent:
            return AudioOutput(False, "播放失败：没有声音输出设备")
        self.output = probe_audio_output()
        return self.output

    def set_volume(self, volume: float) -> float:
        """The citizen's 音量 − / +: between MIN_CITIZEN_VOLUME and 1, for this session only."""
        self.volume = round(min(1.0, max(MIN_CITIZEN_VOLUME, volume)), 2)
        current = self._current
        if current is not None:
            try:
                current.volume = self.volume
            except Exception:
                self._warn_once("changing the volume failed")
        return self.volume

    def louder(self) -> float:
        return self.set_volume(self.volume + VOLUME_STEP)

    def quieter(self) -> float:
        return self.set_volume(self.volume - VOLUME_STEP)

    def next_volume(self) -> float:
        """The footer's one 音量 key: the next level up, from the loudest back to the softest, then
        the page's prompt again so that the citizen hears the new level."""
        levels = [round(MIN_CITIZEN_VOLUME + i * VOLUME_STEP, 2) for i in range(5)]  # 0.2 … 1.0
        higher = [v for v in levels if v > self.volume + 0.01]
        self.set_volume(higher[0] if higher else levels[0])
        self.replay()
        return self.volume

    def replay(self) -> bool:
        """重听: the prompt of the page on screen again, from its start."""
        key = self._last_key if self._last_key not in (None, "elder_on") else None
        key = key or prompt_for(self.controller.machine, bool(getattr(self.controller, "card_left", False)))
        return self.say(key) if key is not None else False

    # ------------------------------------------------------------------ following the session
    def _on_change(self) -> None:
        m = self.controller.machine
        if m.session_id != self._session:  # a new citizen hears the terminal's own volume again
            self._session = m.session_id
            self.volume = float(self.controller.config.voice.volume)
        elder = bool(m.prefs.elder_mode)
        if elder and not self._elder:
            self._elder = elder
            self.say("elder_on")
            return
        self._elder = elder
        key = prompt_for(m, card_left=bool(getattr(self.controller, "card_left", False)))
        self._remind(key == "card_left")
        state = (key, m.session_id, m.prefs.language)
        if state == self._last:
            return
        previous, self._last = self._last, state
        if key is None:  # nobody is being guided: hold no prompt
            self._last_key = None
            self.forget()
            return
        if previous is not None and previous[0] == key and previous[1] == m.session_id:
            return  # same prompt, only the language changed mid-step: do not repeat
        if key == "idle_warning" and previous is not None:
            self._before_warning = previous
        elif previous is not None and previous[0] == "idle_warning":
            resumed = self._before_warning
            self._before_warning = None
            if resumed is not None and resumed[:2] == state[:2]:
                self.stop()
                return  # 继续使用 on the same step: do not repeat its instruction
        self.say(key)

    def _remind(self, on: bool) -> None:
        """A card left in the reader: the chime and 请取走您的身份证 again every REMIND_SECONDS
        until it is taken (the first time comes with the change of state)."""
        if on and self._reminder is None and self.enabled:
            from kivy.clock import Clock

            self._reminder = Clock.schedule_interval(lambda _dt: self.say("card_left"), REMIND_SECONDS)
        elif not on and self._reminder is not None:
            self._reminder.cancel()
            self._reminder = None

    def say(self, key: str) -> bool:
        """Speak one prompt (interrupting the one playing): at once when it is in memory, else as soon
        as a worker thread has decoded it (a few ms); False when it cannot be spoken."""
        if not self.enabled:
            return False
        self._last_key = key
        path = self.library.path(key, self.controller.machine.prefs.language)
        if path is None or path in self._broken:
            return False
        self._wanted = (key, path)
        loaded = self._loaded
        if loaded is not None and loaded[0] == path:
            return self._start(key, loaded[1])
        self.release()  # the previous prompt stops and goes before the next is decoded
        self._decode(key, path)
        return True

    def _start(self, key: str, sound: Any) -> bool:
        try:
            self.stop()
            sound.volume = self.volume
            sound.play()
        except Exception:
            self._warn_once("playing a voice prompt failed")
            return False
        self._current = sound
        self.played.append(key)
        return True

    def stop(self) -> None:
        current, self._current = self._current, None
        if current is not None:
            try:
                current.stop()
            except Exception:
                self._warn_once("stopping a voice prompt failed")

    def release(self) -> None:
        """Stop the prompt and free its decoded sound."""
        self.stop()
        loaded, self._loaded = self._loaded, None
        if loaded is not None:
            self._free(loaded[1])

    def forget(self) -> None:
        """Nobody is being guided: stop, free the prompt, and drop one still being decoded."""
        self._wanted = None
        self.release()

    def sounds_held(self) -> int:
        """How many decoded prompts are in memory (0 or 1; diagnostics and tests)."""
        return 0 if self._loaded is None else 1

    def _ended(self, sound: Any) -> None:
        """A prompt stopped (played to its end, or stopped for the next): free it, unless it is
        playing again by the time the UI loop gets here (重听 stops and restarts the same sound)."""
        from kivy.clock import Clock

        Clock.schedule_once(lambda _dt: self._let_go_if_done(sound), 0)

    def _let_go_if_done(self, sound: Any) -> None:
        if self._loaded is not None and self._loaded[1] is sound and getattr(sound, "state", "") != "play":
            self.release()

    def _decode(self, key: str, path: Path) -> None:
        """Decode off the UI thread (the event loop's workers); the sound comes back to this thread.
        Without a running event loop (a script driving the player) it is decoded here."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._decoded(key, path, _read_sound(path))
            return
        future = loop.run_in_executor(None, _read_sound, path)
        future.add_done_callback(
            lambda done: None if done.cancelled() else self._decoded(key, path, done.result())
        )

    def _decoded(self, key: str, path: Path, sound: Any) -> None:
        if sound is None or not getattr(sound, "length", 0):
            self._broken.add(path)  # no audio device (or a bad file): stay silent
            self._silent = True
            self._warn_once("no audio output: voice guidance is silent")
            return
        if self._wanted != (key, path):  # the page moved on (or the citizen left) meanwhile
            self._free(sound)
            return
        self.release()
        self._loaded = (path, sound)
        sound.bind(on_stop=self._ended)
        self._start(key, sound)

    def _free(self, sound: Any) -> None:
        try:
            sound.unload()
        except Exception:
            self._warn_once("freeing a voice prompt failed")

    def _warn_once(self, message: str) -> None:
        if not self._warned:
            self._warned = True
            log.warning(message)


def _read_sound(path: Path) -> Any:
    """The prompt decoded into the mixer's format (SDL_mixer, no GL: safe off the UI thread), or
    None when SDL cannot load it."""
    try:
        from kivy.core.audio import SoundLoader

        return SoundLoader.load(str(path))
    except Exception:
        return None
