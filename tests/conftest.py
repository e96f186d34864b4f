"""Test-wide set-up: Kivy must be told to stay quiet and offscreen before anything imports it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_KIVY_HOME = tempfile.mkdtemp(prefix="kiosk-test-kivy-")
os.environ.update(
    KIVY_NO_ARGS="1",
    KIVY_NO_CONSOLELOG="1",
    KIVY_NO_FILELOG="1",
    KIVY_HOME=_KIVY_HOME,
    KIVY_METRICS_DENSITY="1",
    SDL_AUDIODRIVER=os.environ.get("SDL_AUDIODRIVER", "dummy"),
)
os.environ.pop("DISPLAY", None)
os.environ.pop("WAYLAND_DISPLAY", None)


def artifacts_dir() -> Path:
    """Where UI tests save screenshots; CI prints the paths."""
    path = Path(os.environ.get("KIOSK_ARTIFACTS", Path(__file__).resolve().parent.parent / "artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path
