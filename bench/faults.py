"""The fault matrix: each fault injected during citizen sessions of the real app (offscreen, simulated
devices, the real reference server with its fault switches), then a normal session to prove the
terminal recovered without a restart; plus SIGKILL mid-session and a restart, and a really full
disk (a tiny tmpfs) when this machine lets us mount one.

    .venv/bin/python bench/faults.py

Prints: fault, survived, data lost (ratings given but neither delivered nor kept; audit damage;
personal data left on disk), and what the citizen was shown. Target: every fault survived, 0 lost.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.ops.faultlib import FaultContext, FaultResult, run_matrix
from tests.ops.killer import kill_mid_session
from tests.ops.scan import scan_files
from tests.support.ui import FakeClock, identity_keys, make_config

FAST = {
    "timeouts": {"goodbye_seconds": 3},
    "ops": {"metrics_port": 0},
    "backend": {"breaker_reset_seconds": 1},
    "devices": {"card_reader": {"simulated_read_delay_seconds": 0.05}},
}


def _mount_tmpfs(path: Path, size: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)], capture_output=True
    )
    return r.returncode == 0


def matrix_in_app(
    work: Path, server: object, state: Path, names: list[str] | None = None
) -> list[FaultResult]:
    from kiosk.app import environment

    environment.prepare(1080, 1920, False, headless=True)
    from kiosk.app.runner import AppDriver, run_app
    from kiosk.audit import AuditLog
    from kiosk.controller import Controller
    from kiosk.demo import DemoControls, demo_config, token_issuer
    from kiosk.wiring.backend import build_backend
    from kiosk.wiring.devices import build_devices, demo_identities_file

    config = demo_config(make_config(FAST), server)
    with demo_identities_file() as ids:
        devices = build_devices(config, ids)
    clock = FakeClock()
    controller = Controller(
        config, devices, build_backend(config), AuditLog(state / "audit.jsonl"), clock=clock, demo=True
    )
    controls = DemoControls(devices, identity_keys(), token_issuer(server))
    results: list[FaultResult] = []

    async def script(d: AppDriver) -> None:
        ctx = FaultContext(controller, controls, clock, server.url, state, ops=d.app.ops)  # type: ignore[attr-defined]
        while controller.health.checked_at == 0:
            await asyncio.sleep(0.05)
        results.extend(await run_matrix(ctx, names))

    asyncio.run(run_app(controller, controls.keys(), script))
    return results


def full_tmpfs_disk(work: Path, server: object) -> FaultResult | None:
    """The state dir on a 1 MB tmpfs filled to the last byte: sessions go on, writes fail (ENOSPC)."""
    mnt = work / "tinyfs"
    if not _mount_tmpfs(mnt, "1m"):
        print("disk full (tmpfs): not tried, this machine does not allow mounting", flush=True)
        return None
    try:
        with (mnt / "filler").open("wb") as fh:
            try:
                while True:
                    fh.write(b"\0" * 65536)
                    fh.flush()
            except OSError:
                pass
        results = matrix_in_app(work, server, mnt, ["backend slow"])  # a fault + a recovery session
        r = results[0]
        detail = f"sessions served with every write failing (inner run: {r.detail})"
        return FaultResult("disk full (tmpfs, ENOSPC)", r.survived, r.data_lost, detail)
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def main() -> int:
    from kiosk.audit import verify_chain
    from kiosk.logsetup import setup_logging
    from kiosk.wiring.backend import start_embedded_refserver

    work = Path(tempfile.mkdtemp(prefix="kiosk-faults-"))
    tmp = work / "tmp"
    tmp.mkdir()
    os.environ["TMPDIR"] = str(tmp)
    tempfile.tempdir = str(tmp)
    state, logs = work / "state", work / "logs"
    setup_logging(logs, to_stderr=False)
    server = start_embedded_refserver(work / "server", faults=True, rate_per_minute=1_000_000)
    t0 = time.perf_counter()
    try:
        results = matrix_in_app(work, server, state)
        for r in results:
            print(
                f"  {r.name}: {'survived' if r.survived else 'NOT SURVIVED'}, lost {r.data_lost}: {r.detail}",
                flush=True,
            )
        tiny = full_tmpfs_disk(work, server)
        if tiny is not None:
            results.append(tiny)
        kill = kill_mid_session(work / "kill", server)
    finally:
        server.stop()
    msgs = kill.notify_messages
    frozen = (
        msgs[msgs.index("STATUS=freeze-start") + 1 : msgs.index("STATUS=freeze-end")]
        if "STATUS=freeze-end" in msgs
        else msgs
    )
    kill_ok = kill.restart_first_step == "attract" and kill.verify_rc == 0 and "WATCHDOG=1" not in frozen
    results.append(
        FaultResult(
            "SIGKILL mid-session",
            kill_ok,
            len(kill.hits) + (0 if kill.verify_rc == 0 else 1),
            f"restart at {kill.restart_first_step}; audit verify rc {kill.verify_rc}; "
            f"{'audit_recovered' if 'audit_recovered' in kill.audit_text else 'no recovery'}; "
            f"pings while frozen {frozen.count('WATCHDOG=1')}; "
            f"{len(kill.hits)} personal hits in {kill.files_searched} files",
        )
    )
    chain = verify_chain(state / "audit.jsonl")
    searched, hits = scan_files([state, logs, tmp])

    width = max(len(r.name) for r in results)
    print(f"\nfault matrix ({time.perf_counter() - t0:.0f} s):")
    print(f"  {'fault':<{width}}  survived  data lost  detail")
    for r in results:
        print(f"  {r.name:<{width}}  {'yes' if r.survived else 'NO':<8}  {r.data_lost:<9}  {r.detail[:110]}")
    tried, survived, lost = len(results), sum(r.survived for r in results), sum(r.data_lost for r in results)
    print(f"faults tried {tried}, survived {survived}, data lost {lost} (target: all survived, 0 lost)")
    verdict = "intact" if chain.ok else "BROKEN " + str(chain.problem)
    print(f"audit chain of the matrix run: {verdict} ({chain.entries} entries)")
    print(f"privacy scan: {searched} files, {len(hits)} hits (target 0)")
    ok = survived == tried and lost == 0 and chain.ok and not hits
    print("RESULT: " + ("PASS" if ok else "FAIL"))
    shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
