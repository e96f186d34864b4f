"""Diagnostics benchmark: how long a technician waits for ``kiosk diag``.

    .venv/bin/python bench/diag_bench.py [--rounds N]

Prints:

* a full ``kiosk diag --demo --json`` run as a technician starts it (new process: imports, embedded
  reference server start, simulated devices, every check) — wall seconds per run;
* in-process ``run_diagnostics`` on demo devices with the server already running — median and max
  seconds, and the median time of each check (they run concurrently, so the total is about the
  slowest check, not the sum).

No pass/fail: figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def cli_run() -> tuple[float, str]:
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "diag", "--demo", "--json"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
        check=False,
    )
    elapsed = time.perf_counter() - started
    status = json.loads(out.stdout)["status"] if out.stdout.strip() else f"exit {out.returncode}"
    return elapsed, status


def in_process(rounds: int) -> tuple[list[float], dict[str, list[float]]]:
    from kiosk.demo import demo_config
    from kiosk.diagnostics import DiagOptions, run_diagnostics
    from kiosk.settings import load_config
    from kiosk.wiring.backend import start_embedded_refserver
    from kiosk.wiring.devices import build_devices, demo_identities_file

    totals: list[float] = []
    per_check: dict[str, list[float]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as work, start_embedded_refserver(Path(work)) as server:
        config = demo_config(load_config(None, None, environ={}), server)
        for _ in range(rounds):
            with demo_identities_file() as ids:
                devices = build_devices(config, ids)
            options = DiagOptions(simulated=True, state_dir=Path(work))
            started = time.perf_counter()
            report = asyncio.run(run_diagnostics(config, devices, options))
            totals.append(time.perf_counter() - started)
            for check in report.checks:
                per_check[check.name].append(check.seconds)
    return totals, per_check


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    runs = [cli_run() for _ in range(args.rounds)]
    times = [t for t, _ in runs]
    print(f"kiosk diag --demo --json (new process, server start included): {args.rounds} runs")
    print(f"  median {statistics.median(times):.2f} s, max {max(times):.2f} s, status {[s for _, s in runs]}")
    totals, per_check = in_process(args.rounds)
    print(f"run_diagnostics in process, server running: {args.rounds} runs")
    print(f"  median {statistics.median(totals):.2f} s, max {max(totals):.2f} s")
    for name, values in per_check.items():
        print(f"  {name:<8} median {statistics.median(values):.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
