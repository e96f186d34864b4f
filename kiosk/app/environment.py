"""Kivy reads its environment at import time, so the terminal sets it before anything imports Kivy.

Kivy's own config file, log files and command-line parsing are turned off: the terminal's
configuration is the one in kiosk.settings, and its logs are the structured, masked ones.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path

from kiosk.app.native_memory import tune_malloc

_private_home: str | None = None
HOME_PREFIX = "kiosk-kivy-"
_STALE = re.compile(re.escape(HOME_PREFIX) + r"(\d+)-")


def _sweep_stale_homes() -> int:
    """Remove the private Kivy homes that processes killed outright left (a watchdog's SIGABRT,
    SIGKILL: no exit handler runs); returns how many. Only this user's folders named with the pid of
    a process that is gone are touched: a live process's, or another user's, are left alone."""
    removed = 0
    try:
        entries = list(Path(tempfile.gettempdir()).iterdir())
    except OSError:
        return 0
    for entry in entries:
        found = _STALE.match(entry.name)
        if found is None:
            continue
        pid = int(found.group(1))
        try:
            st = entry.lstat()
            if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or pid == os.getpid():
                continue
            os.kill(pid, 0)
            continue  # its process is alive (or the pid was taken again): not ours to remove
        except ProcessLookupError:
            pass
        except OSError:  # PermissionError: a live process of another user; or the entry vanished
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed += 1
    return removed


def lock_down_kivy() -> str:
    """Kivy's configuration is the app's own: nothing Kivy reads comes from a place others can write.

    Left alone, Kivy reads ``config.ini`` from ``KIVY_HOME`` (``~/.kivy``, or the caller's path)
    and offers every file in its ``mods/`` folder as a module to load, writes settings changed at
    the screen back to that file (a rotation chosen in the F1 panel survived restarts), takes
    ``KCFG_*`` variables as configuration, and replaces ``sys.stderr`` with its own logger (a
    crash's traceback then went nowhere). A ``KIVY_HOME`` under /tmp, the old default, let another
    local user plant a config or module that ran as the kiosk's user. So, whatever the caller set:
    ``KIVY_HOME`` is an empty folder of this process's own (mode 700, made by ``mkdtemp``, removed at
    exit, or at a later start if the process was killed), no config file is read or written, no
    ``KCFG_*`` variable is read, and Kivy logs
    through Python's logging (the masked JSON logs) without touching stderr. Returns the folder.
    """
    global _private_home
    if _private_home is None:
        _sweep_stale_homes()
        # the pid in the name: a process killed before its exit handler ran is swept at a later start
        _private_home = tempfile.mkdtemp(prefix=f"{HOME_PREFIX}{os.getpid()}-")
        atexit.register(shutil.rmtree, _private_home, ignore_errors=True)
    os.environ["KIVY_HOME"] = _private_home
    os.environ["KIVY_NO_CONFIG"] = "1"
    os.environ["KIVY_NO_ENV_CONFIG"] = "1"
    os.environ["KIVY_LOG_MODE"] = "PYTHON"
    return _private_home


def prepare(width: int, height: int, fullscreen: bool, headless: bool = False, multisamples: int = 0) -> None:
    tune_malloc()  # before Kivy, SDL and Mesa start their threads (kiosk.app.native_memory)
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_METRICS_DENSITY", "1")  # 1 dp = 1 px on the terminal's screen
    lock_down_kivy()
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
    # Input only from the window (SDL: what the compositor, cage, delivers, touch screen included).
    # Kivy's Linux default adds `probesysfs`, which opens every multitouch device under /dev/input
    # itself (the kiosk user is in group input for cage): each touch would arrive twice, once from
    # the window and once raw in the panel's own coordinates, and a tap press a button twice.
    for option in Config.options("input"):
        if option != "mouse":
            Config.remove_option("input", option)
