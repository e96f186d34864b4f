"""The "service unavailable" page: shown full-screen by kiosk-unavailable.service when the terminal
app keeps failing, so a citizen sees a plain sign instead of a desktop, a traceback or black glass.

Deliberately tiny and independent of the app: no configuration, no devices, no backend — whatever
broke the app must not break this page. Pillow draws the sign (with the bundled CJK font), and a
minimal Kivy window shows it; if even Kivy fails, the process exits non-zero and systemd retries.
"""

from __future__ import annotations

import os
import re
import signal
import sys
from io import BytesIO
from pathlib import Path

TITLE = "暂停服务"
LINES = ("系统维护中，请到窗口办理", "Out of service — please go to a service counter")
# the terminal's screen (config/default.toml [display]) when the kernel names none
DEFAULT_SIZE = (1080, 1920)


def screen_size(drm: Path = Path("/sys/class/drm")) -> tuple[int, int]:
    """The size of the connected screen's preferred mode, as the kernel lists it (the first line
    of a connected connector's ``modes``): the page reads no configuration, and without a size
    of its own Kivy opened an 800×600 window, which cage showed in a corner of black glass."""
    for status in sorted(drm.glob("card*-*/status")):
        try:
            if status.read_text(encoding="ascii").strip() != "connected":
                continue
            modes = (status.parent / "modes").read_text(encoding="ascii").split()
        except (OSError, UnicodeDecodeError):
            continue
        match = re.fullmatch(r"(\d+)x(\d+)i?", modes[0]) if modes else None
        if match and int(match[1]) > 0 and int(match[2]) > 0:
            return int(match[1]), int(match[2])
    return DEFAULT_SIZE


def render(size: tuple[int, int]) -> object:
    from PIL import Image, ImageDraw, ImageFont

    from kiosk.fonts import font_path

    w, h = size
    img = Image.new("RGB", size, (18, 52, 96))
    draw = ImageDraw.Draw(img)
    big = ImageFont.truetype(str(font_path("bold")), max(48, w // 8))
    small = ImageFont.truetype(str(font_path("regular")), max(24, w // 22))
    tiny = ImageFont.truetype(str(font_path("regular")), max(18, w // 36))
    y = h // 3
    for text, font in ((TITLE, big), (LINES[0], small), (LINES[1], tiny)):
        box = draw.textbbox((0, 0), text, font=font)
        draw.text(((w - (box[2] - box[0])) // 2, y), text, font=font, fill=(255, 255, 255))
        y += int(box[3] - box[1]) + h // 20
    return img


def render_png(path: Path, size: tuple[int, int]) -> Path:
    img = render(size)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)  # type: ignore[attr-defined]
    return path


def run_page() -> int:
    """Full-screen, no input handled (touches do nothing), until systemd stops it."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    from kiosk.app.environment import lock_down_kivy

    lock_down_kivy()  # no config.ini, modules or KCFG_* from outside (kiosk.app.environment)
    from kivy.config import Config

    width, height = screen_size()
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "auto")
    Config.set("graphics", "borderless", "1")
    Config.set("kivy", "exit_on_escape", "0")
    from kivy.app import App
    from kivy.core.image import Image as CoreImage
    from kivy.core.window import Window
    from kivy.uix.image import Image as KivyImage

    # drawn in memory and handed to Kivy as PNG bytes: no file of its own left behind
    png = BytesIO()
    render((int(Window.width), int(Window.height))).save(png, format="png")  # type: ignore[attr-defined]
    png.seek(0)
    sign = CoreImage(png, ext="png").texture

    def drawn(*_args: object) -> None:
        Window.unbind(on_flip=drawn)
        # in the journal, for the technician, once the page is on the screen (after its first frame)
        print(f"out-of-service page drawn at {Window.width}x{Window.height}", file=sys.stderr, flush=True)

    class Unavailable(App):
        use_kivy_settings = False

        def open_settings(self, *_args: object) -> bool:
            return False  # F1 opens Kivy's settings panel in any Kivy app

        def build(self) -> KivyImage:
            Window.show_cursor = False
            Window.bind(on_request_close=lambda *_: True)  # Alt+F4 / the compositor: refused
            Window.bind(on_flip=drawn)
            return KivyImage(texture=sign, fit_mode="fill")

    app = Unavailable()
    # systemd's stop (kiosk-session-stop signals this app alone): close the window and return 0, so
    # that cage, which ends with its client, ends cleanly and the unit is not marked failed
    signal.signal(signal.SIGTERM, lambda *_: app.stop())
    app.run()
    return 0


if __name__ == "__main__":
    sys.exit(run_page())
