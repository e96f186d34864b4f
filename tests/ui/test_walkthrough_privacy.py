"""``kiosk demo --walkthrough`` as a citizen would meet it, then a search for anything left behind.

The walkthrough runs as its own process with its home, state and temporary directories inside the
test's folder, so every file the terminal wrote can be searched afterwards for the demo holders'
names and ID numbers (in UTF-8, UTF-16 and GBK): after the session ends there must be none, in logs,
the audit log, caches or temporary files.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import zxingcpp
from PIL import Image

from tests.support.artifacts import artifacts_dir
from tests.ui.test_session_flow import DEMO_IDS, DEMO_NAMES

KIOSK = Path(sys.executable).with_name("kiosk")


def needles() -> list[bytes]:
    out = []
    for text in DEMO_NAMES + DEMO_IDS:
        for encoding in ("utf-8", "utf-16-le", "gbk"):
            try:
                out.append(text.encode(encoding))
            except UnicodeEncodeError:
                continue
    return out


# a picture stored inside another file: a PNG's signature, or a JPEG's start followed by its JFIF or
# Exif header or its first quantisation table (what OpenCV, PIL and cameras write). WHY not the four
# letters "JFIF" alone: in the 31 MB of cached voice prompts they turn up by chance, as sound samples.
PICTURE_INSIDE = re.compile(
    rb"\x89PNG\r\n\x1a\n|\xff\xd8\xff(?:\xe0..JFIF\x00|\xe1..Exif\x00\x00|\xdb\x00[\x43\x84]\x00)", re.DOTALL
)


def test_the_picture_search_finds_a_face_frame_inside_a_file() -> None:
    frame = Image.new("RGB", (64, 48), (180, 140, 120))
    for fmt in ("JPEG", "PNG"):
        buffer = io.BytesIO()
        frame.save(buffer, fmt)
        assert PICTURE_INSIDE.search(os.urandom(5000) + buffer.getvalue() + os.urandom(5000)), fmt
    noise = b"RIFF....WAVEdata" + b"JFIF" + os.urandom(20000)  # the letters alone are not a picture
    assert not PICTURE_INSIDE.search(noise.replace(b"\xff\xd8\xff", b"\x00\xd8\xff"))


def test_walkthrough_writes_every_step_and_leaves_nothing_personal(tmp_path: Path) -> None:
    out = artifacts_dir() / "walkthrough"
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
        [str(KIOSK), "demo", "--walkthrough", str(out)], env=env, capture_output=True, timeout=300
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-3000:]
    steps = ["attract", "identify", "face", "consent", "certificates", "detail", "print"]
    steps += ["detail-issued", "print-a4", "rate", "goodbye"]  # the 加注件 on the demo's A4 printer
    for n, step in enumerate(steps, start=1):
        shot = out / f"{n:02d}-{step}.png"
        assert shot.is_file(), shot
        assert Image.open(shot).size == (1080, 1920)
    receipt = Image.open(out / "receipt.png")
    codes = zxingcpp.read_barcodes(receipt.convert("L"))
    assert any(c.text.startswith("KIOSK-V1:") for c in codes)
    copy = Image.open(out / "annotated-copy.png")  # page one as the simulated A4 printer took it
    assert copy.width < copy.height
    assert len(zxingcpp.read_barcodes(copy.convert("L"))) == 1  # its verification QR

    # nothing personal in what the process printed (its logs) ...
    logs = result.stdout + result.stderr
    # ... nor in any file it left behind
    leftovers = [p for p in (home, state, tmp) for p in p.rglob("*") if p.is_file()]
    assert any(p.name == "audit.jsonl" for p in leftovers)
    for needle in needles():
        assert needle not in logs, f"{needle!r} in the terminal's output"
        for path in leftovers:
            assert needle not in path.read_bytes(), f"{needle!r} left in {path}"
    # no face picture anywhere: no image file left behind, the audit has the face check's outcome only
    images = [
        p for p in leftovers if p.read_bytes()[:4] in (b"\x89PNG", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xdb")
    ]
    assert not images, images
    audit = (state / "audit.jsonl").read_text(encoding="utf-8")
    checked = [json.loads(line) for line in audit.splitlines() if '"face_checked"' in line]
    assert checked and checked[0]["data"]["outcome"] == "passed", checked
    assert set(checked[0]["data"]) == {"session", "outcome", "tries"}  # the outcome, nothing of the face
    for path in leftovers:
        assert not PICTURE_INSIDE.search(path.read_bytes()), f"a picture (a face frame?) inside {path}"
    # the embedded server's temporary database went away with the demo
    assert not [p for p in tmp.rglob("*.db*")]
    check = subprocess.run(
        [str(KIOSK), "audit", "verify", str(state / "audit.jsonl")], capture_output=True, text=True, env=env
    )
    assert check.returncode == 0, check.stdout


def test_invalid_configuration_refuses_to_start_with_the_reason(tmp_path: Path) -> None:
    bad = tmp_path / "terminal.toml"
    bad.write_text('[display]\nwidth = "wide"\n[devices.printer]\nkind = "laser"\n', encoding="utf-8")
    result = subprocess.run(
        [str(KIOSK), "demo", "--config", str(bad)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "配置文件有误" in result.stderr
    assert f"{bad}: display.width:" in result.stderr and f"{bad}: devices.printer.kind:" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_font_is_a_clear_message(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["KIOSK__DISPLAY__FONT_PATH"] = str(tmp_path / "no-such-font.otf")
    result = subprocess.run([str(KIOSK), "demo"], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 2
    assert "字体" in result.stderr and "no-such-font.otf" in result.stderr
    assert "Traceback" not in result.stderr
