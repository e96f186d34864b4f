"""Native memory growth from drawing fresh labels: the app's screens without the app.

Each round builds a page of 12 labels, draws a few frames, removes it and collects it; the GL
textures are deleted (checked with glIsTexture) and no Python object survives, yet under Mesa's
llvmpipe, with nothing pacing the frames (offscreen, no vsync), the malloc heap grows by megabytes a
round: the driver queues frames faster than it rasterises them. Under softpipe, or with ``--pace``
(glFinish after each frame, what the app does: display.pace_frames), the same rounds stay flat.

    .venv/bin/python bench/gl_texture_growth.py                       # the default driver
    .venv/bin/python bench/gl_texture_growth.py --pace                # each frame finished first
    GALLIUM_DRIVER=softpipe .venv/bin/python bench/gl_texture_growth.py
"""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def native_mb() -> float:
    """Resident MB of the malloc heap and anonymous mappings (where GL drivers keep their data)."""
    total, name = 0, ""
    with open("/proc/self/smaps", encoding="utf-8", errors="replace") as fh:
        for line in fh:
            head = line.split()
            if head and "-" in head[0] and not head[0].endswith(":"):
                name = head[5] if len(head) > 5 else "[anon]"
            elif head and head[0] == "Rss:" and name in ("[heap]", "[anon]"):
                total += int(head[1])
    return total / 1000


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=60)
    p.add_argument("--pace", action="store_true", help="glFinish after every frame, as the app does")
    args = p.parse_args()
    from kiosk.app import environment

    environment.prepare(1080, 1920, False, headless=True)
    from kivy.base import EventLoop
    from kivy.core.window import Window
    from kivy.graphics.opengl import glFinish, glGetString, glIsTexture
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.label import Label

    from screens.fonts import register_fonts

    register_fonts()
    EventLoop.ensure_window()
    renderer = glGetString(0x1F01)  # GL_RENDERER

    def frames(n: int) -> None:
        for _ in range(n):
            EventLoop.idle()
            if args.pace:
                glFinish()

    texture_ids: list[int] = []
    frames(3)
    start = native_mb()
    marks = []
    for i in range(1, args.rounds + 1):
        page = BoxLayout(orientation="vertical")
        for j in range(12):
            text = "请将身份证平放在读卡区，保持不动" * (1 + j % 3)
            page.add_widget(
                Label(text=text, font_name="KioskSans", font_size=36 + (j % 3) * 8, text_size=(1000, None))
            )
        Window.add_widget(page)
        frames(4)
        texture_ids.extend(w.texture.id for w in page.children if w.texture is not None)
        Window.remove_widget(page)
        del page
        gc.collect()
        frames(2)
        if i % max(1, args.rounds // 6) == 0:
            marks.append(f"{i}: {native_mb() - start:+.0f} MB")
    alive = sum(1 for t in texture_ids if glIsTexture(t))
    end = native_mb()
    print(f"GL renderer: {renderer.decode(errors='replace') if isinstance(renderer, bytes) else renderer}")
    print(
        f"{args.rounds} rounds of 12 labels: native heap {start:.0f} -> {end:.0f} MB "
        f"({(end - start) / args.rounds:+.2f} MB a round); textures still alive {alive} of {len(texture_ids)}"
    )
    print("  " + ", ".join(marks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
