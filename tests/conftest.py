"""Test-wide set-up: Kivy must be told to stay quiet and offscreen before anything imports it."""

from __future__ import annotations

import os
import tempfile

import pytest

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



def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run landscape UI tests last.

    SDL's offscreen window keeps the framebuffer of the size it was first created with; a portrait
    window resized from landscape renders garbage into its top part. Portrait runs first (the
    default terminal), landscape after it, and the screenshots of both are right.
    """
    items.sort(key=lambda item: "landscape" in item.nodeid)
