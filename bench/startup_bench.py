"""Cold start to the first drawn screen: ``kiosk run``, ``kiosk demo`` and a bare Kivy app (the anchor).

Each run is a fresh process, offscreen (no DISPLAY: SDL's offscreen driver, Mesa's software
renderer, the way a terminal without a graphics card draws), measured from spawn to the app's
"first frame drawn" log line, which the app logs once the first screen has been drawn (after
``on_draw``, ``glFinish``; tests/ui/test_first_frame_marker.py). The anchor is a Kivy app with one
label and the same window settings, marking its first drawn frame the same way. The three are run
in turn, round after round, so that a busy moment on the machine touches all three alike.

``kiosk run`` uses the shipped configuration (config/default.toml: simulated devices, a backend
that is not there); ``kiosk demo`` also starts its embedded reference server. Each process gets a
private HOME, state folder and TMPDIR; it is stopped with SIGTERM, and whatever it left in its
TMPDIR is reported (there should be nothing).

    .venv/bin/python bench/startup_bench.py [--runs 7] [--rss-after 10]

``--rss-after S`` also reads each process's resident size S seconds after its first frame, at rest
on its first screen (the guide's index built by then), beside the bare Kivy app's.
``--smaps`` (with ``--rss-after``) also says where each process's resident memory was then, by
mapping (/proc/PID/smaps): the C heap and anonymous memory, libLLVM (Mesa's software renderer),
each other library's pages, fonts and other mapped files; the median of the runs. WHY compare the
heap+anon line between runs: a library's pages count as resident according to how its file sits in
the page cache, not what the program does. Right after ``pip install`` wrote cv2's library, 27 MB
of its code was resident; after ``echo 3 > /proc/sys/vm/drop_caches``, 4.6 MB (same process, same
moment: ``kiosk run`` measured 286 and 248 MB, its anonymous memory 130 MB both times).
``--cpu-after S`` also measures the CPU each process uses at rest on its first screen, over
``--cpu-for T`` seconds (default 30) starting S seconds after its first frame (S ≥ 12: the home
page's camera rests once nobody has touched it for 10 s): issue 21's rest target, ≤ 3 % of a core.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KIOSK = Path(sys.executable).with_name("kiosk")
MARKER = "first frame drawn"
# CPU seconds each process had used at its first frame: less swayed than wall time by other work
# on a shared machine (which still slows it through the caches and the renderer's threads)
CPU: dict[str, list[float]] = {"bare kivy": [], "kiosk run": [], "kiosk demo": []}
# % of one core used at rest on the first screen (--cpu-after)
REST_CPU: dict[str, list[float]] = {"bare kivy": [], "kiosk run": [], "kiosk demo": []}

ANCHOR = r"""
import json, os, sys
os.environ.update(KIVY_NO_ARGS="1", KIVY_NO_CONFIG="1", KIVY_NO_FILELOG="1", KIVY_NO_CONSOLELOG="1",
                  KIVY_METRICS_DENSITY="1", SDL_AUDIODRIVER="dummy", KIVY_LOG_MODE="PYTHON")
os.environ["KIVY_HOME"] = os.path.join(os.environ["HOME"], ".kivy")
from kivy.config import Config
Config.set("graphics", "width", "1080"); Config.set("graphics", "height", "1920")
Config.set("graphics", "multisamples", "0"); Config.set("graphics", "resizable", "0")
from kivy.app import App
from kivy.core.window import Window
from kivy.graphics.opengl import glFinish
from kivy.uix.label import Label

def age():
    with open("/proc/self/stat") as fh:
        start = int(fh.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as fh:
        up = float(fh.read().split()[0])
    return up - start / os.sysconf("SC_CLK_TCK")

class Bare(App):
    def build(self):
        Window.bind(on_flip=self.first)
        return Label(text="anchor")
    def first(self, *_):
        Window.unbind(on_flip=self.first)
        glFinish()
        line = json.dumps({"msg": "first frame drawn", "since_start_s": round(age(), 3)})
        print(line, file=sys.stderr, flush=True)

Bare().run()
"""


def command(name: str, home: Path) -> list[str]:
    if name == "bare kivy":
        script = home / "anchor.py"  # a file: Kivy looks for the App's .kv file beside its source
        script.write_text(ANCHOR, encoding="utf-8")
        return [sys.executable, str(script)]
    return [str(KIOSK), name.split()[1]]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (its own, not its children's)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def resident_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        kb = next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
    return kb / 1024


# resident MB by kind of mapping, one dict per run (--smaps)
SMAPS: dict[str, list[dict[str, float]]] = {"bare kivy": [], "kiosk run": [], "kiosk demo": []}


def _kind(path: str) -> str:
    """What a mapping is, coarse enough that the runs line up: heap, anon, a library, fonts…"""
    if path in ("", "[heap]", "[stack]") or path.startswith("[anon"):
        return "heap+anon" if path != "[stack]" else "stacks"
    if path.startswith("["):
        return "other"
    name = path.rsplit("/", 1)[-1]
    if ".so" in name:
        if "LLVM" in name:
            return "libLLVM"
        if "/cv2/" in path or "opencv" in path:
            return "cv2 libs"
        if "/numpy" in path or "openblas" in name or "gfortran" in name:
            return "numpy libs"
        if "/kivy/" in path or "kivy" in path.lower():
            return "kivy libs"
        if "dri" in path or "gallium" in name or "mesa" in name.lower():
            return "mesa dri"
        if "python3" in path and "site-packages" not in path:
            return "python stdlib .so"
        if "site-packages" in path:
            return "other wheels .so"
        return "system .so"
    if name.lower().endswith((".ttf", ".otf", ".ttc")):
        return "fonts"
    return "other files"


def resident_by_kind(pid: int) -> dict[str, float]:
    """Resident MB per kind of mapping (_kind), from /proc/PID/smaps."""
    kinds: dict[str, float] = {}
    kind = "other"
    with open(f"/proc/{pid}/smaps", encoding="utf-8", errors="replace") as fh:
        for line in fh:
            first = line.split(None, 1)[0]
            if "-" in first and not first.endswith(":"):
                parts = line.split(None, 5)
                kind = _kind(parts[5].strip() if len(parts) > 5 else "")
            elif first == "Rss:":
                kinds[kind] = kinds.get(kind, 0.0) + int(line.split()[1]) / 1024
    return kinds


def rest_cpu_percent(pid: int, seconds: float) -> float:
    """% of one core the process used over the next ``seconds`` of wall time."""
    c0, t0 = cpu_seconds(pid), time.perf_counter()
    time.sleep(seconds)
    return (cpu_seconds(pid) - c0) / (time.perf_counter() - t0) * 100


def one_run(
    name: str,
    rss_after: float = 0.0,
    timeout: float = 120.0,
    cpu_after: float = 0.0,
    cpu_for: float = 30.0,
    smaps: bool = False,
) -> tuple[float, float, list[str], float]:
    """(seconds from spawn to the marker, the process's own age then, what it left in TMPDIR, its
    resident MB ``rss_after`` seconds after the marker, at rest on its first screen; NaN if 0)."""
    home = Path(tempfile.mkdtemp(prefix="kiosk-bench-home-"))
    private_tmp = home / "tmp"
    private_tmp.mkdir()
    logs = home / "logs"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(
        HOME=str(home),
        TMPDIR=str(private_tmp),
        XDG_RUNTIME_DIR=str(home),  # as systemd gives the unit (libpulse keeps its folder there)
        XDG_CACHE_HOME=str(Path.home() / ".cache"),  # the extracted font and caches stay warm
        KIOSK__PATHS__STATE_DIR=str(home / "state"),
        KIOSK__PATHS__LOG_DIR=str(logs),
        # kiosk run refuses to start without one (the backend is not there: nothing is sent)
        KIOSK__BACKEND__TERMINAL_SECRET="bench-" + os.urandom(8).hex(),
    )
    log_file = logs / "kiosk.log"
    start = time.perf_counter()
    proc = subprocess.Popen(command(name, home), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert proc.stderr is not None
    os.set_blocking(proc.stderr.fileno(), False)
    seen = b""
    wall = own = rss = float("nan")
    try:
        while True:
            chunk = proc.stderr.read() or b""
            seen += chunk
            text = seen.decode("utf-8", "replace")
            if name != "bare kivy" and log_file.is_file():
                text += log_file.read_text(encoding="utf-8", errors="replace")
            hit = next((line for line in text.splitlines() if MARKER in line), None)
            if hit is not None:
                wall = time.perf_counter() - start
                CPU[name].append(cpu_seconds(proc.pid))
                own = float(json.loads(hit[hit.index("{") :]).get("since_start_s", own))
                if rss_after:
                    time.sleep(rss_after)
                    rss = resident_mb(proc.pid)
                    if smaps:
                        SMAPS[name].append(resident_by_kind(proc.pid))
                if cpu_after:
                    time.sleep(max(0.0, cpu_after - rss_after))
                    REST_CPU[name].append(rest_cpu_percent(proc.pid, cpu_for))
                break
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}: {text[-2000:]}")
            if time.perf_counter() - start > timeout:
                raise TimeoutError(f"{name}: no first frame")
            time.sleep(0.005)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    left = sorted(p.name for p in private_tmp.iterdir())
    shutil.rmtree(home, ignore_errors=True)
    return wall, own, left, rss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", choices=["run", "demo"], help="one kiosk command (and the anchor)")
    parser.add_argument(
        "--rss-after",
        type=float,
        default=0.0,
        metavar="S",
        help="also read each process's resident size S seconds after its first frame (at rest)",
    )
    parser.add_argument(
        "--cpu-after",
        type=float,
        default=0.0,
        metavar="S",
        help="also measure CPU at rest, starting S seconds after the first frame (S >= 12)",
    )
    parser.add_argument(
        "--smaps", action="store_true", help="with --rss-after: the resident size by kind of mapping"
    )
    parser.add_argument("--cpu-for", type=float, default=30.0, metavar="T", help="over T seconds")
    args = parser.parse_args()
    names = ["bare kivy", "kiosk run", "kiosk demo"]
    if args.only:
        names = ["bare kivy", f"kiosk {args.only}"]
    walls: dict[str, list[float]] = {n: [] for n in names}
    rsss: dict[str, list[float]] = {n: [] for n in names}
    litter: dict[str, set[str]] = {n: set() for n in names}
    for i in range(args.runs):
        for name in names:
            wall, own, left, rss = one_run(
                name, args.rss_after, cpu_after=args.cpu_after, cpu_for=args.cpu_for, smaps=args.smaps
            )
            walls[name].append(wall)
            rsss[name].append(rss)
            litter[name].update(left)
            print(f"round {i + 1} {name:10}: {wall:.2f} s spawn → first drawn frame (own age {own:.2f} s)")
    anchor = statistics.median(walls["bare kivy"])
    print(f"\ncold start to the first drawn frame, median of {args.runs} (offscreen, software GL):")
    for name in names:
        med = statistics.median(walls[name])
        print(
            f"  {name:10}: {med:.2f} s (min {min(walls[name]):.2f}, max {max(walls[name]):.2f}); "
            f"{med / anchor:.1f}× the bare Kivy app; left in TMPDIR: {sorted(litter[name]) or 'nothing'}"
        )
    cpu_anchor = statistics.median(CPU["bare kivy"])
    print("CPU time of the process itself at its first frame, median:")
    for name in names:
        med = statistics.median(CPU[name])
        print(f"  {name:10}: {med:.2f} s ({med / cpu_anchor:.1f}× the bare Kivy app)")
    if args.rss_after:
        rss_anchor = statistics.median(rsss["bare kivy"])
        print(f"resident size {args.rss_after:.0f} s after the first frame, at rest, median:")
        for name in names:
            med = statistics.median(rsss[name])
            print(f"  {name:10}: {med:.0f} MB ({med / rss_anchor:.2f}× the bare Kivy app)")
        if args.smaps:
            kinds = sorted({k for n in names for run in SMAPS[n] for k in run})
            print("  by mapping, MB (median of the runs): " + " | ".join(f"{n:>10}" for n in names))
            for kind in sorted(
                kinds, key=lambda k: -statistics.median(r.get(k, 0.0) for r in SMAPS[names[-1]])
            ):
                cells = " | ".join(
                    f"{statistics.median(r.get(kind, 0.0) for r in SMAPS[n]):10.1f}" for n in names
                )
                print(f"    {kind:18}: {cells}")
    if args.cpu_after:
        window = f"{args.cpu_for:.0f} s from {args.cpu_after:.0f} s on"
        print(f"CPU at rest on the first screen ({window}), % of one core:")
        for name in names:
            runs = REST_CPU[name]
            med = statistics.median(runs)
            print(f"  {name:10}: median {med:.1f} % (min {min(runs):.1f}, max {max(runs):.1f})")


if __name__ == "__main__":
    main()
