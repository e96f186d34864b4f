"""Run in a subprocess by test_voice.py: the real VoicePlayer speaks one step's prompt through SDL.

SDL picks its audio driver once per process, so the test starts this script with
SDL_AUDIODRIVER=disk (the "sound card" is a file) and reads what was played.
Usage: python -m tests.experience.play_prompt <cache_dir> <language> <seconds> [replay|leave]
"""

from __future__ import annotations

import asyncio
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


async def run_for(seconds: float, until: Callable[[], bool] = lambda: False) -> None:
    """Run what the app's loop runs: asyncio (the decoded prompt comes back through it) and Kivy's
    Clock (which notices the end of a prompt), for ``seconds`` or until ``until()``."""
    from kivy.clock import Clock

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not until():
        Clock.tick()
        await asyncio.sleep(0.02)


async def session(player: Any, controller: MiniController, language: str, seconds: float) -> None:
    controller.machine.begin(0.0)  # attract -> identify: the player speaks "identify"
    await run_for(seconds)
    print("played:", ",".join(player.played))
    state = player.output_state()
    print("output:", "available" if state.available else "missing", state.detail)
    if len(sys.argv) > 4 and sys.argv[4] == "replay":  # 重听, louder, on the same step
        before = len(player.played)
        print("volume:", player.louder(), player.louder(), player.louder(), player.louder())
        print("replayed:", player.replay() and len(player.played) == before + 1, list(player.played)[-1])
        print("cycle:", player.next_volume(), player.next_volume())  # the footer's one 音量 key
    if len(sys.argv) > 4 and sys.argv[4] == "leave":  # the citizen switches language, then walks away
        machine = controller.machine
        print("held while guided:", player.sounds_held())
        count = len(player.played)
        machine.set_language("en" if language != "en" else "zh_CN", time.monotonic())
        await run_for(10, lambda: len(player.played) > count)  # the step's prompt in the new language
        machine.cancel(time.monotonic())  # back to the attract screen, which says its prompt once
        await run_for(10, lambda: list(player.played)[-1] == "attract")
        print("played after leaving:", ",".join(player.played))
        print("held while the attract prompt plays:", player.sounds_held())
        await run_for(20, lambda: not player.sounds_held())
        print("held at rest:", player.sounds_held())


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
    import threading

    from kiosk.app import voice_player

    decoded_on: set[str] = set()  # which threads decoded prompts: never the loop's (the UI thread)
    read = voice_player._read_sound

    def watched(path: Path) -> Any:
        decoded_on.add(threading.current_thread().name)
        return read(path)

    voice_player._read_sound = watched
    asyncio.run(session(player, controller, language, seconds))
    print("decoded on the UI thread:", threading.current_thread().name in decoded_on)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
