"""Resident size at rest after start-up and after N scripted citizen sessions, and its growth
between session 20 and session N, beside a bare Kivy app's (issue 21: ≤ 200 MB at rest, ≤ 2 MB
growth over 2,000 sessions after warm-up).

The real app (offscreen), simulated devices and the embedded reference server; each session inserts
a demo card, consents, waits for the verified list, opens a certificate, prints, rates and goes
home. Each mark is taken at rest (the app's GC pass between citizens done), as the median of nine
readings; a bare Kivy app with the same window is measured first as the anchor.
The configuration is ``kiosk demo``'s (simulated devices, demo backend) with the reference server
in a process of its own (not counted); ``kiosk run`` at rest after start-up alone is measured by
``bench/startup_bench.py --rss-after 15``. At the end it also says what the session caches
(kiosk.session_memory) still hold: nothing, at rest.
Run: ``.venv/bin/python bench/session_rss_bench.py [--sessions 2020 --warmup 20]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from startup_bench import resident_by_kind

from tests.support.ui import FakeClock, identity_keys, make_config


def rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def rest_rss_mb(readings: int = 9, apart: float = 0.25) -> float:
    """The median of a few readings: the resident size wobbles with the camera's frames."""
    marks = []
    for _ in range(readings):
        marks.append(rss_mb())
        time.sleep(apart)
    return sorted(marks)[len(marks) // 2]


def anchor_rss_mb(settle: float = 3.0) -> float:
    """A bare Kivy app (bench/startup_bench.py's anchor: one label, the same window) at rest."""
    import signal
    import subprocess

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from startup_bench import ANCHOR

    home = Path(tempfile.mkdtemp(prefix="kiosk-rss-anchor-"))
    script = home / "anchor.py"
    script.write_text(ANCHOR, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["HOME"] = str(home)
    proc = subprocess.Popen([sys.executable, str(script)], env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if "first frame drawn" in line:
                break
        time.sleep(settle)
        with open(f"/proc/{proc.pid}/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--every", type=int, default=20, help="print RSS every N sessions")
    args = parser.parse_args()
    anchor = anchor_rss_mb()  # first: its window is this process's before Kivy is imported here

    from kiosk.app import environment

    environment.prepare(1080, 1920, False, headless=True)
    from kiosk.app import text_faces
    from kiosk.app.runner import AppDriver, run_app
    from kiosk.audit import AuditLog
    from kiosk.controller import Controller
    from kiosk.demo import DemoControls, demo_config, token_issuer
    from kiosk.session import Step
    from kiosk.wiring.backend import build_backend, start_embedded_refserver
    from kiosk.wiring.devices import build_devices, demo_identities_file

    work = Path(tempfile.mkdtemp(prefix="kiosk-rss-"))
    server = start_embedded_refserver(work / "server", rate_per_minute=1_000_000)
    config = demo_config(make_config({"timeouts": {"goodbye_seconds": 3}}), server)
    with demo_identities_file() as ids:
        devices = build_devices(config, ids)
    controller = Controller(
        config, devices, build_backend(config), AuditLog(work / "audit.jsonl"), clock=FakeClock(), demo=True
    )
    controls = DemoControls(devices, identity_keys(), token_issuer(server))
    keys = ["elder", "rare", "business", "hmt", "foreign"]
    marks: dict[int, float] = {}
    timings: list[float] = []
    # the faces of the font the screens open (kiosk.app.text_faces): each ~0.7 MB from
    # the flat copies (kiosk.font_flatten), ~2.5 MB from the plain font; kept by Kivy
    faces: set[str] = set()
    faces_at_start = 0
    kinds: dict[int, dict[str, float]] = {}  # resident MB by kind of mapping, after start-up and at the end
    modules: dict[int, int] = {}
    plain_font_id = text_faces.font_id

    def recording_font_id(options: dict[str, object]) -> str:
        face = plain_font_id(options)
        faces.add(face)
        return face

    text_faces.font_id = recording_font_id

    async def script(d: AppDriver) -> None:
        try:
            await sessions(d)
        except BaseException:
            traceback.print_exc()
            raise

    async def sessions(d: AppDriver) -> None:
        c, m = d.controller, d.controller.machine
        await d.wait_for(lambda: d.app.resting, what="rest", timeout=60)
        await asyncio.sleep(3)  # the first screen's warm-ups (guide index, …) done, as in startup_bench
        marks[0] = await asyncio.to_thread(rest_rss_mb)
        nonlocal faces_at_start
        faces_at_start = len(faces)
        kinds[0], modules[0] = resident_by_kind(os.getpid()), len(sys.modules)
        print(f"at rest after start-up: RSS {marks[0]:.1f} MB, {faces_at_start} font faces open", flush=True)
        for n in range(1, args.sessions + 1):
            t0 = time.perf_counter()
            controls.insert_card(keys[n % len(keys)])
            await d.wait_for(lambda: m.step is Step.CONSENT, what="consent", timeout=60)
            c.agree()
            await d.wait_for(
                lambda: (
                    m.step is Step.CERTIFICATES
                    and not m.busy
                    and m.data is not None
                    and len(m.data.records) == len(m.data.certificates)
                ),
                what="list",
                timeout=30,
            )
            assert m.data is not None
            c.select(m.data.certificates[0].identifier)
            await d.wait_for(lambda: m.step is Step.DETAIL and not m.busy, what="detail", timeout=60)
            c.print_receipt()
            await d.wait_for(
                lambda: m.data is not None and m.data.printing.phase in ("done", "failed"), what="print"
            )
            c.finish_service()
            c.rate(5)
            c.home()
            controls.pull_card()
            await d.wait_for(lambda: m.step is Step.ATTRACT, what="attract", timeout=60)
            timings.append(time.perf_counter() - t0)
            if n == args.warmup or n == args.sessions:
                await d.wait_for(lambda: d.app.resting, what="rest", timeout=30)  # its GC pass done
                marks[n] = await asyncio.to_thread(rest_rss_mb)
                kinds[n], modules[n] = resident_by_kind(os.getpid()), len(sys.modules)
            if n % args.every == 0:
                print(f"session {n}: RSS {rss_mb():.1f} MB, last session {timings[-1]:.2f} s", flush=True)

    try:
        code = asyncio.run(run_app(controller, controls.keys(), script))
    finally:
        server.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1000
    print(
        f"sessions: {len(timings)} (exit {code}); median session {sorted(timings)[len(timings) // 2]:.2f} s"
    )
    first, last = marks.get(args.warmup, float("nan")), marks.get(args.sessions, float("nan"))
    print(
        f"peak RSS {peak:.1f} MB; RSS at rest after session {args.warmup}: {first:.1f} MB, "
        f"after session {args.sessions}: {last:.1f} MB, growth {last - first:+.1f} MB "
        f"(target ≤ 2 MB over 2,000 sessions after warm-up)"
    )
    start = marks.get(0, float("nan"))
    print(
        f"at rest: after start-up {start:.1f} MB, after the sessions {last:.1f} MB, beside a bare "
        f"Kivy app's {anchor:.1f} MB, same window ({start / anchor:.2f}× and {last / anchor:.2f}×; "
        f"target ≤ 200 MB)"
    )
    print(
        f"font faces the screens opened (SDL_ttf, about 0.7 MB each from the flat copies, 2.5 MB from the "
        f"plain font, kept for the process's life, "
        f"at most 64): {faces_at_start} at start-up, {len(faces)} after the sessions"
    )
    if 0 in kinds and args.sessions in kinds:
        print(f"modules imported: {modules[0]} after start-up, {modules[args.sessions]} after the sessions")
        print("resident MB by kind of mapping: after start-up -> after the sessions")
        end = kinds[args.sessions]
        for kind in sorted(set(kinds[0]) | set(end), key=lambda k: -end.get(k, 0.0)):
            print(f"  {kind:18s}: {kinds[0].get(kind, 0.0):7.1f} -> {end.get(kind, 0.0):7.1f}")
    draw = sys.modules.get("kiosk.ofd.draw")
    held = draw.fonts_held() if draw is not None else []
    print(f"OFD fonts held at rest: {held or 'none'}")
    receipt = sys.modules.get("kiosk.receipt.render")
    sizes = receipt._font.cache_info().currsize if receipt is not None else 0
    print(f"receipt font sizes open at rest: {sizes or 'none'} (kiosk.receipt.render.release_fonts)")


if __name__ == "__main__":
    main()
