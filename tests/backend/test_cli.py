"""The command lines: ``refserver lz-token`` through ``kiosk refserver`` (a subprocess each), whose
QR code must decode to the token it printed, and which the running server then accepts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import zxingcpp
from PIL import Image

from kiosk.domain.certificate import CertStatus
from kiosk.qr import classify
from tests.support.refserver import RefServer
from tests.support.ui import make_config


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], capture_output=True, text=True, timeout=60, check=False
    )


async def test_lz_token_command_issues_a_usable_qr(server: RefServer, tmp_path: Path) -> None:
    png = tmp_path / "token.png"
    out = run(
        "kiosk",
        "refserver",
        "lz-token",
        "--db",
        str(server.embedded.db_path),
        "--holder",
        "business",
        "--png",
        str(png),
    )
    assert out.returncode == 0, out.stderr
    payload = out.stdout.strip().splitlines()[-1]
    assert "█" in out.stdout or "▀" in out.stdout  # the QR printed in the terminal
    decoded = zxingcpp.read_barcodes(Image.open(png))
    assert [d.text for d in decoded] == [payload]
    # the terminal recognises the code as a 亮证码 and extracts the token from it
    scanned = classify(payload, make_config())
    assert scanned.kind == "lz_token" and scanned.value is not None
    token = scanned.value
    assert token.startswith("LZ1-")
    backend = server.client()
    try:
        holder, certs = await backend.resolve_token(token, "亮证办事")
        verified = await backend.get_certificate(certs[-1].identifier)
    finally:
        await backend.aclose()
    assert holder.name == "莫海生" and len(certs) == 10
    assert verified.verification.status is CertStatus.VALID


def test_unknown_holder_and_help() -> None:
    out = run("refserver", "lz-token", "--db", ":memory:", "--holder", "nobody")
    assert out.returncode == 1 and "nobody" in out.stderr
    assert "serve" in run("kiosk", "refserver", "--help").stdout
