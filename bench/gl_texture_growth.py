"""Native memory growth from drawing fresh labels: the app's screens without the app.

Each round builds a page of 12 labels, draws a few frames, removes it and collects it; the GL
textures are deleted (checked with glIsTexture) and no Python object survives, yet under Mesa's
llvmpipe the process's malloc heap grows by megabytes a round. Under softpipe the same rounds stay
flat, which puts the growth inside the GL driver, not in the kiosk code (see kiosk/ops/memory.py
for what the terminal does about it).

    .venv/bin/python bench/gl_texture_growth.py                       # the default driver
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
    args = p.parse_args()
    from kiosk.app import environment

    environment.prepare(1080, 1920, False, headless=True)
    from kivy.base import EventLoop
    from kivy.core.window import Window
    from kivy.graphics.opengl import glGetString, glIsTexture
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.label import Label

    from screens.fonts import register_fonts

    register_fonts()
    EventLoop.ensure_window()
    renderer = glGetString(0x1F01)  # GL_RENDERER

    def frames(n: int) -> None:
        for _ in range(n):
            EventLoop.idle()

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
