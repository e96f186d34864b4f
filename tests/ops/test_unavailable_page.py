"""The out-of-service page (kiosk.ops.unavailable) fills the screen the kernel reports: it reads no
configuration, and without a size of its own it was an 800×600 window in a corner of black glass
(seen in the VM: tests/deploy/test_vm.py shows it on the terminal image)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from PIL import Image

from kiosk.ops.unavailable import DEFAULT_SIZE, render_png, screen_size


def connector(drm: Path, name: str, status: str, modes: str) -> None:
    folder = drm / name
    folder.mkdir(parents=True)
    (folder / "status").write_text(status + "\n", encoding="ascii")
    (folder / "modes").write_text(modes, encoding="ascii")


def test_the_connected_screens_preferred_mode_is_the_pages_size(tmp_path: Path) -> None:
    connector(tmp_path, "card0-HDMI-A-1", "disconnected", "")
    connector(tmp_path, "card0-DSI-1", "connected", "1080x1920\n720x1280\n")
    assert screen_size(tmp_path) == (1080, 1920)


def test_an_interlaced_mode_and_a_landscape_panel(tmp_path: Path) -> None:
    connector(tmp_path, "card1-HDMI-A-1", "connected", "1920x1080i\n1280x720\n")
    assert screen_size(tmp_path) == (1920, 1080)


def test_no_screen_named_gives_the_terminals_own_size(tmp_path: Path) -> None:
    assert screen_size(tmp_path / "absent") == DEFAULT_SIZE
    connector(tmp_path, "card0-Virtual-1", "connected", "garbage\n")
    assert screen_size(tmp_path) == DEFAULT_SIZE
    connector(tmp_path, "card0-Virtual-2", "connected", "")
    assert screen_size(tmp_path) == DEFAULT_SIZE


def test_the_page_is_drawn_at_that_size_with_its_sign(tmp_path: Path) -> None:
    shot = render_png(tmp_path / "page.png", (1080, 1920))
    with Image.open(shot) as im:
        assert im.size == (1080, 1920)
        # the sign's white text on the blue page, in the upper half where the title is drawn
        band = im.convert("L").crop((0, 1920 // 3, 1080, 1920 // 2))
        histogram = band.histogram()  # 256 grey levels
        assert sum(histogram[240:]) > 1000 and sum(histogram[:100]) > 100_000


def test_systemds_stop_closes_the_page_cleanly(tmp_path: Path) -> None:
    """kiosk-session-stop sends the page SIGTERM; it must end with 0, so that cage ends cleanly
    with it and kiosk-unavailable.service is not marked failed as the terminal takes the screen
    back (Python's default for SIGTERM is to die by it). Offscreen, as the UI tests run. It
    draws the sign in memory: nothing is left in its TMPDIR."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    env.update(
        SDL_VIDEODRIVER="offscreen", SDL_AUDIODRIVER="dummy", HOME=str(tmp_path), TMPDIR=str(private_tmp)
    )
    env.setdefault("XDG_CACHE_HOME", str(Path.home() / ".cache"))  # the extracted font
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk.ops.unavailable"], stderr=subprocess.PIPE, env=env, text=True
    )
    assert proc.stderr is not None
    try:
        seen = []
        for line in proc.stderr:  # until the page is drawn (or the process ended: the loop ends)
            seen.append(line)
            if "out-of-service page drawn" in line:
                break
        assert any("out-of-service page drawn" in line for line in seen), "".join(seen)[-2000:]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        assert not list(private_tmp.iterdir()), "the page left files behind"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
