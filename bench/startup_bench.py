"""Cold start of ``kiosk demo`` to the first drawn attract screen (median of N runs).

Each run is a fresh process (embedded reference server included), offscreen, measured from spawn to
the app's "first frame drawn" log line; the process is then stopped with SIGTERM, which must also
stop its reference server. Run: ``.venv/bin/python bench/startup_bench.py [--runs 5]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KIOSK = Path(sys.executable).with_name("kiosk")


def one_run(timeout: float = 120.0) -> tuple[float, float]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["HOME"] = tempfile.mkdtemp(prefix="kiosk-bench-home-")
    env["XDG_CACHE_HOME"] = str(Path.home() / ".cache")  # keep the extracted font cache warm
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(KIOSK), "demo"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env, text=True
    )
    assert proc.stderr is not None
    own = float("nan")
    try:
        for line in proc.stderr:
            if "first frame drawn" in line:
                wall = time.perf_counter() - start
                own = json.loads(line).get("since_start_s", own)
                break
            if time.perf_counter() - start > timeout:
                raise TimeoutError("no first frame")
        else:
            raise RuntimeError(f"kiosk demo exited with {proc.wait()}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    return wall, own


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    walls, owns = [], []
    for i in range(args.runs):
        wall, own = one_run()
        walls.append(wall)
        owns.append(own)
        print(f"run {i + 1}: {wall:.2f} s from spawn to first frame (process age {own:.2f} s)")
    print(
        f"cold start to first drawn attract screen: median {statistics.median(walls):.2f} s "
        f"(min {min(walls):.2f}, max {max(walls):.2f}, n={len(walls)})"
    )


if __name__ == "__main__":
    main()
