"""Drive the real Kivy app offscreen (SDL2 with no display) in tests.

    def test_something(ui: UiHarness) -> None:
        async def script(d: UiDriver) -> None:
            await d.tap_text("开始办理")
            d.controls.insert_card("elder")
            await d.wait_step("consent")
            await d.shot("consent")
        ui.run(script)

The app is the real one: the same controller, screens and wiring as ``kiosk demo``, simulated devices,
and the real reference server on 127.0.0.1. Time is a controllable clock so that idle timeouts can be
tested without waiting a minute. Screenshots go to ``artifacts/ui/`` (CI lists them).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tomllib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from kiosk.settings import KioskConfig
from kiosk.settings.loader import _merge
from kiosk.settings.model import KioskConfig as _Model

DEFAULT_WINDOW = (1080, 1920)

# The size the offscreen window had when this process created it. SDL's offscreen driver keeps the
# EGL surface of that size for the life of the process: after ``Window.size = …`` the app lays out
# at the new size but only the first size's pixels exist, so a screenshot of a larger window is
# garbage beyond them. A test that needs another size runs in a fresh process (tests/conftest.py).
_window_created_at: tuple[int, int] | None = None


def window_created_size() -> tuple[int, int] | None:
    """The size this process's Kivy window was created with, ``None`` if there is no window yet.

    A window created outside :func:`open_window` reports ``(0, 0)``: its surface size is unknown.
    """
    if "kivy.core.window" not in sys.modules:
        return None
    return _window_created_at or (0, 0)


def open_window(size: tuple[int, int]) -> Any:
    """Kivy's window at ``size``, created at that size if this process has none yet."""
    global _window_created_at
    from kiosk.app import environment

    first = "kivy.core.window" not in sys.modules
    environment.prepare(size[0], size[1], False, headless=True)
    from kivy.core.window import Window

    if first:
        _window_created_at = (int(Window.size[0]), int(Window.size[1]))
    if tuple(Window.size) != size:
        Window.size = size
    return Window


def assert_header_spans_window(shot: Path) -> None:
    """The header band's colour at the right edge equals the left edge: the whole window was drawn.

    Guards against a screenshot that is right on the left and stale memory on the right (what a
    window larger than its drawing surface produces).
    """
    from PIL import Image

    with Image.open(shot) as image:
        rgb = image.convert("RGB")
        width = rgb.width
        left = rgb.getpixel((8, 3))
        right = rgb.getpixel((width - 9, 3))
        middle = rgb.getpixel((width // 2, 3))
    assert left == middle == right, f"{shot.name}: header at x=8 {left}, middle {middle}, right {right}"


class FakeClock:
    """Monotonic time that tests move forward by hand (real time still drives Kivy's frames)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def identity_keys() -> list[str]:
    text = resources.files("config").joinpath("demo_identities.toml").read_text(encoding="utf-8")
    return [e["key"] for e in tomllib.loads(text)["identity"]]


def make_config(overrides: dict[str, Any] | None = None) -> KioskConfig:
    base = tomllib.loads(resources.files("config").joinpath("default.toml").read_text(encoding="utf-8"))
    _merge(base, overrides or {})
    return _Model.model_validate(base)


@dataclass
class UiDriver:
    """The running app, its controller, the demo controls, and helpers to tap and look."""

    app: Any
    controller: Any
    controls: Any
    clock: FakeClock
    shots_dir: Path
    shots: list[Path] = field(default_factory=list)

    @property
    def machine(self) -> Any:
        return self.controller.machine

    async def frames(self, seconds: float = 0.2) -> None:
        await asyncio.sleep(seconds)

    async def wait(self, predicate: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            if loop.time() > deadline:
                raise AssertionError(
                    f"timed out waiting for {what}; step={self.machine.step} view={self.machine.view}"
                )
            await asyncio.sleep(0.05)
        await self.frames()

    async def wait_step(self, step: str, timeout: float = 20.0) -> None:
        await self.wait(
            lambda: self.machine.step.value == step and not self.machine.busy, f"step {step}", timeout
        )

    async def wait_records(self, timeout: float = 20.0) -> None:
        """Until every listed certificate's record has been fetched (verified or not)."""
        await self.wait(
            lambda: (
                self.machine.data is not None
                and bool(self.machine.data.certificates)
                and len(self.machine.data.records) == len(self.machine.data.certificates)
            ),
            "verified list",
            timeout,
        )

    def widgets(self) -> Iterator[Any]:
        from kivy.core.window import Window

        for top in reversed(Window.children):  # modal views first: they are on top
            yield from top.walk(restrict=True)

    def find_text(self, text: str) -> Any | None:
        """The widget showing exactly ``text``, a button before a label: a typed value shown above
        a key pad ("5" after one key) must not take the tap meant for the pad's "5"."""
        from kivy.uix.behaviors import ButtonBehavior

        first = None
        for w in self.widgets():
            if getattr(w, "text", None) == text and w.get_root_window() is not None:
                if isinstance(w, ButtonBehavior):
                    return w
                first = first if first is not None else w
        return first

    def has_text(self, fragment: str) -> bool:
        return any(fragment in str(getattr(w, "text", "")) for w in self.widgets())

    def texts(self) -> list[str]:
        return [str(w.text) for w in self.widgets() if isinstance(getattr(w, "text", None), str) and w.text]

    async def tap(self, widget: Any) -> None:
        from kivy.tests.common import UnitTestTouch

        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        await asyncio.sleep(0.05)
        touch.touch_up()
        await self.frames()

    async def tap_text(self, text: str, timeout: float = 10.0) -> None:
        """Tap the widget showing exactly ``text`` once the screen has settled (layout done)."""
        await self.frames(0.15)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        widget = self.find_text(text)
        while widget is None:
            if loop.time() > deadline:
                raise AssertionError(f"no widget with text {text!r}; visible: {self.texts()[:40]}")
            await asyncio.sleep(0.05)
            widget = self.find_text(text)
        await self.tap(widget)

    async def tap_at(self, x: float, y: float, hold: float = 0.05) -> None:
        from kivy.tests.common import UnitTestTouch

        touch = UnitTestTouch(x, y)
        touch.touch_down()
        await asyncio.sleep(hold)
        touch.touch_up()
        await self.frames()

    async def shot(self, name: str) -> Path:
        from kivy.core.window import Window

        await self.frames(0.3)
        self.shots_dir.mkdir(parents=True, exist_ok=True)
        target = self.shots_dir / f"{name}.png"
        tmp = self.shots_dir / f".tmp-{name}.png"
        saved = Window.screenshot(name=str(tmp))
        os.replace(saved, target)
        self.shots.append(target)
        print(f"screenshot: {target}")
        return target


class UiHarness:
    """Runs the real app once per call; the reference server is shared by the test session."""

    def __init__(self, server: Any, workdir: Path, shots_dir: Path) -> None:
        self.server = server
        self.workdir = workdir
        self.shots_dir = shots_dir
        self.last_audit: Path | None = None

    def run(
        self,
        script: Callable[[UiDriver], Awaitable[None]],
        overrides: dict[str, Any] | None = None,
        size: tuple[int, int] = DEFAULT_WINDOW,
        name: str = "run",
    ) -> UiDriver:
        open_window(size)
        from kiosk.app.runner import run_app
        from kiosk.audit import AuditLog
        from kiosk.controller import Controller
        from kiosk.demo import DemoControls, demo_config, token_issuer
        from kiosk.wiring.backend import build_backend
        from kiosk.wiring.devices import build_devices, demo_identities_file

        config = demo_config(make_config(overrides), self.server)
        with demo_identities_file() as ids:
            devices = build_devices(config, ids)
        clock = FakeClock()
        audit_path = self.workdir / name / "audit.jsonl"
        self.last_audit = audit_path
        controller = Controller(
            config, devices, build_backend(config), AuditLog(audit_path), clock=clock, demo=True
        )
        controls = DemoControls(devices, identity_keys(), token_issuer(self.server))
        failure: list[BaseException] = []
        holder: list[UiDriver] = []

        async def wrapped(app_driver: Any) -> None:
            d = UiDriver(app_driver.app, controller, controls, clock, self.shots_dir)
            holder.append(d)
            try:
                await d.wait(lambda: controller.health.checked_at > 0, "first health check")
                await script(d)
            except BaseException as exc:  # re-raised in the test, with its own traceback
                failure.append(exc)
                raise

        asyncio.run(run_app(controller, controls.keys(), wrapped))
        if failure:
            raise failure[0]
        return holder[0]
