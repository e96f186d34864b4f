"""What one frame of each page costs the renderer: the real app, its pages redrawn at rest.

For each page a citizen sees (attract, identify, consent, the certificate list), the app is driven
there with simulated devices and the embedded reference server, left to settle, and then asked to
redraw the whole window some 80 times. Each redraw is timed from the start of Kivy's drawing to the
end of ``glFinish``: what the renderer needs for that page, with nothing else going on. Under
Mesa's llvmpipe (no graphics card) this is the floor under every frame of a session.

    .venv/bin/python bench/page_draw_bench.py                 # 1080×1920, the terminal's screen
    .venv/bin/python bench/page_draw_bench.py --stencil       # Kivy's stencil clipping, to compare

``--stencil`` leaves the screen area and the scrolling lists clipping the way Kivy does it
(screens.clipping explains the difference).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

REDRAWS = 80


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--stencil", action="store_true", help="clip with Kivy's stencil, not a scissor")
    p.add_argument("--identity", default="elder", help="the demo identity whose list is drawn")
    args = p.parse_args()
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    work = Path(tempfile.mkdtemp(prefix="kiosk-page-draw-"))
    from kiosk.logsetup import setup_logging

    setup_logging(work / "logs", to_stderr=False)
    from kiosk.app import environment

    environment.prepare(1080, 1920, False, headless=True)
    if args.stencil:
        import kiosk.app.kivy_app as kivy_app
        import screens.base as screens_base

        def unchanged(widget: Any) -> Any:
            return widget

        kivy_app.clip_with_scissor = unchanged
        screens_base.clip_with_scissor = unchanged

    from kivy.core.window import Window
    from kivy.graphics.opengl import glFinish, glGetString

    from kiosk.app.runner import AppDriver, run_app
    from kiosk.audit import AuditLog
    from kiosk.controller import Controller
    from kiosk.demo import DemoControls, demo_config, token_issuer
    from kiosk.session import Step
    from kiosk.wiring.backend import build_backend, start_embedded_refserver
    from kiosk.wiring.devices import build_devices, demo_identities_file
    from tests.support.ui import FakeClock, identity_keys, make_config

    server = start_embedded_refserver(work / "server")
    config = demo_config(make_config({"ops": {"metrics_port": 0}}), server)
    with demo_identities_file() as ids:
        devices = build_devices(config, ids)
    controller = Controller(
        config, devices, build_backend(config), AuditLog(work / "audit.jsonl"), clock=FakeClock(), demo=True
    )
    controls = DemoControls(devices, identity_keys(), token_issuer(server))
    took: list[float] = []
    window_cls = type(Window)
    draw = window_cls.on_draw

    def timed_draw(window: Any) -> None:
        glFinish()  # the last frame is not counted in this one
        t0 = time.perf_counter()
        draw(window)
        glFinish()
        took.append(time.perf_counter() - t0)

    window_cls.on_draw = timed_draw
    results: list[tuple[str, list[float]]] = []

    async def until(predicate: Any, what: str) -> None:
        deadline = time.perf_counter() + 30
        while not predicate():
            if time.perf_counter() > deadline:
                raise TimeoutError(what)
            await asyncio.sleep(0.05)

    async def measure(page: str) -> None:
        await asyncio.sleep(2.0)  # settled: records verified, labels rendered
        took.clear()
        for _ in range(REDRAWS):
            Window.canvas.ask_update()
            await asyncio.sleep(0.04)
        results.append((page, sorted(took)))

    async def script(d: AppDriver) -> None:
        m = controller.machine
        await until(lambda: controller.health.checked_at > 0, "first health check")
        await measure("attract (pulsing button)")
        controller.start_session()
        await until(lambda: m.step is Step.IDENTIFY, "identify")
        controller._update_scanner(Step.ATTRACT, None)  # the preview frozen: redraws are ours only
        await measure("identify")
        controls.insert_card(args.identity)
        await until(lambda: m.step is Step.CONSENT, "consent")
        await measure("consent")
        controller.agree()
        await until(lambda: m.step is Step.CERTIFICATES and not m.busy, "certificate list")
        count = len(m.data.certificates) if m.data else 0
        await measure(f"certificate list ({count} cards, scrolling)")
        controller.home()

    try:
        code = asyncio.run(run_app(controller, controls.keys(), script))
    finally:
        server.stop()
    print(
        f"renderer: {glGetString(0x1F01).decode()}; window 1080×1920; clipping: "
        + ("Kivy's stencil" if args.stencil else "scissor (screens.clipping)")
    )
    for page, times in results:
        ms = [t * 1000 for t in times]
        print(
            f"  {page:40s} median {statistics.median(ms):5.1f} ms, p90 {ms[int(len(ms) * 0.9)]:5.1f}, "
            f"max {ms[-1]:5.1f} ({len(ms)} redraws)"
        )
    return code


if __name__ == "__main__":
    sys.exit(main())
