"""``kiosk demo --walkthrough DIR --flow complaint`` as staff and citizens would meet it, then the
privacy scan: nothing of the complaint (its text, the phone number, the query code) on the
terminal's disk — the outbox held it sealed, and it left once the platform had it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import zxingcpp
from PIL import Image

from kiosk.app.complaint_walkthrough import DEMO_ANSWER, DEMO_PHONE
from tests.ops.scan import needles
from tests.support.artifacts import artifacts_dir

KIOSK = Path(sys.executable).with_name("kiosk")
STEPS = [
    "attract",
    "complaint-menu",
    "complaint-matter",
    "complaint-text-candidates",
    "complaint-text",
    "complaint-phone",
    "complaint-confirm",
    "complaint-ticket",
    "complaint-slip-printed",
    "status-ticket",
    "status-code",
    "status-answer",
]


def test_complaint_walkthrough_to_slip_and_status_leaves_nothing_on_disk(tmp_path: Path) -> None:
    out = artifacts_dir() / "walkthrough-complaint"
    home, state, tmp = tmp_path / "home", tmp_path / "state", tmp_path / "tmp"
    for d in (home, state, tmp):
        d.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(
        HOME=str(home),
        TMPDIR=str(tmp),
        KIOSK__PATHS__STATE_DIR=str(state),
        XDG_CACHE_HOME=str(home / ".cache"),
    )
    result = subprocess.run(
        [str(KIOSK), "demo", "--walkthrough", str(out), "--flow", "complaint"],
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-3000:]
    for n, step in enumerate(STEPS, start=1):
        shot = out / f"{n:02d}-{step}.png"
        assert shot.is_file(), shot
    codes = [c.text for c in zxingcpp.read_barcodes(Image.open(out / "slip.png").convert("L"))]
    assert len(codes) == 1 and "/complaints/status?t=TS-" in codes[0] and "&c=" in codes[0]
    query_code = codes[0].rsplit("&c=", 1)[1]

    # the outbox was emptied by delivery; the complaint was never readable on disk on the way
    leftovers = [p for root in (home, state, tmp) for p in root.rglob("*") if p.is_file()]
    assert any(p.name == "audit.jsonl" for p in leftovers)
    audit = (state / "audit.jsonl").read_text(encoding="utf-8")
    assert "complaint_submitted" in audit and "complaint_delivered" in audit
    secrets = ["排队时间太长", DEMO_PHONE, DEMO_ANSWER, f'"{query_code}"', f"c={query_code}"]
    logs = result.stdout + result.stderr
    for label, needle in needles(secrets):
        assert needle not in logs, f"{label} in the terminal's output"
        for path in leftovers:
            assert needle not in path.read_bytes(), f"{label} left in {path}"
