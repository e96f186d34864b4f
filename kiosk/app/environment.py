"""Kivy reads its environment at import time, so the terminal sets it before anything imports Kivy.

Kivy's own config file, log files and command-line parsing are turned off: the terminal's
configuration is the one in kiosk.settings, and its logs are the structured, masked ones.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from kiosk.app.native_memory import tune_malloc


def prepare(width: int, height: int, fullscreen: bool, headless: bool = False, multisamples: int = 0) -> None:
    tune_malloc()  # before Kivy, SDL and Mesa start their threads (kiosk.app.native_memory)
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_METRICS_DENSITY", "1")  # 1 dp = 1 px on the terminal's screen
    if "KIVY_HOME" not in os.environ:
        os.environ["KIVY_HOME"] = str(Path(tempfile.gettempdir()) / f"kiosk-kivy-{os.getuid()}")
    if headless:
        for var in ("DISPLAY", "WAYLAND_DISPLAY"):
            os.environ.pop(var, None)
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    from kivy.config import Config

    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "resizable", "0")
    # Kivy asks for 2x MSAA by default; Mesa's software renderer then draws 4 samples a pixel
    # (measured: a frame with three full-window layers 35 ms without, 77 ms with). The screens
    # antialias their rounded shapes themselves (Smooth* instructions), so 0 is the default.
    Config.set("graphics", "multisamples", str(multisamples))
    Config.set("graphics", "borderless", "1" if fullscreen else "0")
    Config.set("kivy", "exit_on_escape", "0")  # a citizen must never close the terminal
    Config.set("kivy", "keyboard_mode", "system")
    Config.set("input", "mouse", "mouse,disable_multitouch")
