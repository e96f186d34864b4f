"""Run in a subprocess by test_voice.py: the real VoicePlayer speaks one step's prompt through SDL.

SDL picks its audio driver once per process, so the test starts this script with
SDL_AUDIODRIVER=disk (the "sound card" is a file) and reads what was played.
Usage: python -m tests.experience.play_prompt <cache_dir> <language> <seconds>
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.session import Preferences, SessionMachine


class MiniController:
    """Just what the player reads: configuration, the session machine, change notifications."""

    def __init__(self, config: Any, language: str) -> None:
        self.config = config
        self.machine = SessionMachine(60, 15, 10, default_prefs=Preferences(language=language))
        self._listeners: list[Callable[[], None]] = []
        self.machine.subscribe(self._changed)

    def _changed(self, _machine: SessionMachine) -> None:
        for listener in self._listeners:
            listener()

    def subscribe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)


def main() -> int:
    from kiosk.app import environment

    environment.prepare(320, 240, False)
    from kiosk.app.voice_player import VoicePlayer
    from kiosk.voice import VoiceLibrary
    from tests.support.ui import make_config

    cache, language, seconds = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    controller = MiniController(make_config(), language)
    library = VoiceLibrary(cache)
    player = VoicePlayer(controller, library)
    player.start()
    if not library.done.wait(60):
        print("prompts not ready")
        return 2
    controller.machine.begin(0.0)  # attract -> identify: the player speaks "identify"
    time.sleep(seconds)
    print("played:", ",".join(player.played))
    state = player.output_state()
    print("output:", "available" if state.available else "missing", state.detail)
    if len(sys.argv) > 4 and sys.argv[4] == "replay":  # 重听, louder, on the same step
        before = len(player.played)
        print("volume:", player.louder(), player.louder(), player.louder(), player.louder())
        print("replayed:", player.replay() and len(player.played) == before + 1, list(player.played)[-1])
        print("cycle:", player.next_volume(), player.next_volume())  # the footer's one 音量 key
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
