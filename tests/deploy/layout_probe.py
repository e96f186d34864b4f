"""Where the VM test must touch: the same app, laid out here offscreen at the VM's screen size.

The VM test drives the terminal in QEMU only through its virtual touch screen, as a citizen or a
staff member would. To know where 同意并查询 or the PIN keys are, it does not guess pixel
positions: this program plays the same steps in the real app offscreen (the UI tests' harness,
same code, same window size, same density), records the centre of each widget it taps, in screen
pixels from the top-left, and prints them as JSON. A layout change moves the taps with it.

    python -m tests.deploy.layout_probe WIDTHxHEIGHT PIN IDENTITY_KEY [SHOTS]  # JSON on the last line

With SHOTS, the admin page as laid out here is saved there as probe-admin.png: the admin page's
rows move with its status lines (the voice check's message, one line or two, depends on whether
a prompt already failed to play), and the VM test finds how far by matching its screenshot to
this one.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.update(
    KIVY_NO_ARGS="1",
    KIVY_NO_CONSOLELOG="1",
    KIVY_NO_FILELOG="1",
    KIVY_METRICS_DENSITY="1",
    SDL_AUDIODRIVER="dummy",
)
os.environ.pop("DISPLAY", None)
os.environ.pop("WAYLAND_DISPLAY", None)

HOLD_CORNER = (40, 40)  # the hidden staff gesture: a long press in the top-left corner


def main() -> int:
    width, height = (int(v) for v in sys.argv[1].split("x"))
    pin, identity = sys.argv[2], sys.argv[3]
    workdir = Path(tempfile.mkdtemp(prefix="kiosk-probe-"))
    shots = Path(sys.argv[4]) if len(sys.argv) > 4 else workdir / "shots"
    os.environ["KIVY_HOME"] = str(workdir / "kivy")
    from kiosk.admin.pin import hash_pin
    from kiosk.wiring.backend import start_embedded_refserver
    from tests.support.ui import UiDriver, UiHarness

    points: dict[str, list[int]] = {}

    def centre(d: UiDriver, widget: Any) -> list[int]:
        from kivy.core.window import Window

        x, y = widget.to_window(*widget.center)
        return [round(x), round(Window.height - y)]

    async def record_and_tap(d: UiDriver, name: str, text: str, near: str | None = None) -> None:
        await d.frames(0.3)
        widget = d.find_text(text) if near is None else _in_row_of(d, near, text)
        if widget is None:
            raise SystemExit(f"probe: no widget {text!r} (near {near!r}); visible: {d.texts()[:40]}")
        points[name] = centre(d, widget)
        await d.tap(widget)

    async def script(d: UiDriver) -> None:
        from kivy.core.window import Window

        # staff: the long press, the PIN, the 超时 tab, idle timeout +10 s, leave
        await d.tap_at(HOLD_CORNER[0], Window.height - HOLD_CORNER[1], hold=3.5)
        await d.wait(lambda: d.find_text("确定") is not None, "the PIN page")
        for digit in pin:
            await record_and_tap(d, f"pin-{digit}", digit)
        await record_and_tap(d, "pin-ok", "确定")
        await d.wait(lambda: d.find_text("退出管理") is not None, "the admin page")
        await d.shot("probe-admin")
        await record_and_tap(d, "tab-timeouts", "超时")
        await d.frames(0.3)
        value = _in_row_of(d, "无操作超时（秒）", "60")  # where the timeout's value is shown (not tapped)
        if value is None:
            raise SystemExit(f"probe: no idle timeout value 60 shown; visible: {d.texts()[:40]}")
        points["idle-value"] = centre(d, value)
        await record_and_tap(d, "idle-plus", "＋", near="无操作超时（秒）")
        await record_and_tap(d, "admin-leave", "退出管理")
        await d.wait_step("attract")
        # a citizen: the card, consent, the list printed
        d.controls.insert_card(identity)
        await d.wait_step("consent")
        await record_and_tap(d, "consent-agree", "同意并查询")
        await d.wait_records()
        await record_and_tap(d, "print-list", "打印证照清单")

    server = start_embedded_refserver(workdir / "server")
    try:
        ui = UiHarness(server, workdir, shots)
        ui.run(script, overrides={"admin": {"pin_hash": hash_pin(pin)}}, size=(width, height), name="probe")
    finally:
        server.stop()
    print(json.dumps(points))
    return 0


def _in_row_of(d: Any, label: str, text: str) -> Any:
    """The widget showing ``text`` in the same row as the label ``label`` (a settings row)."""
    for w in d.widgets():
        if getattr(w, "text", None) == label:
            row = w.parent
            while row is not None:
                for child in row.walk(restrict=True):
                    if getattr(child, "text", None) == text:
                        return child
                row = row.parent if row.parent is not row else None
                if row is not None and len(list(row.walk(restrict=True))) > 40:
                    return None  # past the row: the whole page
    return None


if __name__ == "__main__":
    sys.exit(main())
