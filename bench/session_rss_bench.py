"""Peak RSS after N scripted citizen sessions, and RSS growth between session 20 and session N.

The real app (offscreen), simulated devices and the embedded reference server; each session inserts
a demo card, consents, waits for the verified list, opens a certificate, prints, rates and goes
home. Run: ``.venv/bin/python bench/session_rss_bench.py [--sessions 200]``.
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

from tests.support.ui import FakeClock, identity_keys, make_config


def rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--every", type=int, default=20, help="print RSS every N sessions")
    args = parser.parse_args()

    from kiosk.app import environment

    environment.prepare(1080, 1920, False, headless=True)
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

    async def script(d: AppDriver) -> None:
        try:
            await sessions(d)
        except BaseException:
            traceback.print_exc()
            raise

    async def sessions(d: AppDriver) -> None:
        c, m = d.controller, d.controller.machine
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
                marks[n] = rss_mb()
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
        f"peak RSS {peak:.1f} MB; RSS at session {args.warmup}: {first:.1f} MB, "
        f"at session {args.sessions}: {last:.1f} MB, growth {last - first:.1f} MB"
    )


if __name__ == "__main__":
    main()
