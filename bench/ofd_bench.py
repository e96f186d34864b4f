"""OFD: open + verify + render the first page at screen size (1000 px wide), median of N per file.

The render cache is emptied before each round, so each figure is a first showing. Files: the
samples in tests/ofd/data (other producers' OFD and the reference server's demo certificate), or
the files given. Beside it: the time to build today's field list view for a record is a few ms.

    .venv/bin/python bench/ofd_bench.py [--rounds N] [--width PX] [FILE...]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from asn1crypto import pem

from kiosk.ofd import open_ofd, render_page, verify_signatures
from kiosk.ofd import render as render_mod

DATA = Path(__file__).resolve().parent.parent / "tests" / "ofd" / "data"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--width", type=int, default=1000)
    args = parser.parse_args()
    files = args.files or sorted(DATA.glob("*.ofd"))
    anchors = [der for _t, _h, der in pem.unarmor((DATA / "demo_anchor.pem").read_bytes(), multiple=True)]
    open_ofd(files[0].read_bytes())  # imports and the fallback font out of the first figure
    print(f"{'file':48} {'open':>7} {'verify':>7} {'render':>7} {'total':>7}  (ms, median of {args.rounds})")
    totals = []
    for path in files:
        data = path.read_bytes()
        rows = []
        for _ in range(args.rounds):
            render_mod._CACHE.clear()
            t0 = time.perf_counter()
            doc = open_ofd(data)
            t1 = time.perf_counter()
            verify_signatures(doc, anchors=anchors)
            t2 = time.perf_counter()
            render_page(doc, 0, width_px=args.width)
            t3 = time.perf_counter()
            rows.append((t1 - t0, t2 - t1, t3 - t2, t3 - t0))
        med = [statistics.median(r[i] for r in rows) * 1000 for i in range(4)]
        totals.append(med[3])
        print(f"{path.name[:48]:48} {med[0]:7.1f} {med[1]:7.1f} {med[2]:7.1f} {med[3]:7.1f}")
    print(f"median over files: {statistics.median(totals):.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
