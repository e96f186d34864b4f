"""``kiosk qr decode`` and ``kiosk qr watch`` through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import qrcode
from PIL import Image

from kiosk.cli import main

DATA = Path(__file__).parent / "data"


def _lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_decode_prints_one_json_line_per_image(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    token_png = tmp_path / "token.png"
    qrcode.make("LZ:LZ1-cli-token-0001").save(token_png)
    webp = tmp_path / "token.webp"
    Image.open(token_png).convert("RGB").save(webp, "WEBP", lossless=True)
    blank = tmp_path / "blank.jpg"
    cv2.imwrite(str(blank), np.full((100, 100, 3), 200, np.uint8))
    rc = main(
        ["qr", "decode", str(token_png), str(webp), str(blank), str(DATA / "zxing-multi-qrcode-1_1.png")]
    )
    assert rc == 0
    lines = _lines(capsys.readouterr().out)
    assert [line["file"] for line in lines] == [
        str(token_png),
        str(webp),
        str(blank),
        str(DATA / "zxing-multi-qrcode-1_1.png"),
    ]
    for line in lines[:2]:
        assert [(c["text"], c["kind"]) for c in line["codes"]] == [("LZ:LZ1-cli-token-0001", "lz_token")]
        assert line["ms"] >= 0
    assert lines[2]["codes"] == []
    assert len(lines[3]["codes"]) == 4
    assert {c["kind"] for c in lines[3]["codes"]} == {"unrecognised"}


def test_bad_files_give_error_lines_and_a_failing_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n broken")
    rc = main(
        [
            "qr",
            "decode",
            str(tmp_path / "missing.png"),
            str(junk),
            str(DATA / "nocode_zxingcpp-falsepositives-1_1x1.webp"),
        ]
    )
    assert rc == 1
    lines = _lines(capsys.readouterr().out)
    assert len(lines) == 3
    assert "error" in lines[0] and "error" in lines[1]
    assert lines[2]["codes"] == [] and "error" not in lines[2]  # the 1x1 WebP is an image, without a code


def test_hostile_payload_is_reported_as_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "markup.png"
    qrcode.make("[color=ff0000]LZ:abcdefghij[/color]").save(path)
    assert main(["qr", "decode", str(path)]) == 0
    [line] = _lines(capsys.readouterr().out)
    assert line["codes"][0]["kind"] == "refused"


def test_watch_a_file_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("KIOSK_CONFIG", "KIOSK_SECRETS"):
        monkeypatch.delenv(name, raising=False)
    image = tmp_path / "frame.png"
    qrcode.make("LZ:LZ1-watch-token-01").save(image)
    config = tmp_path / "terminal.toml"
    config.write_text('[terminal]\nid = "T-1"\nname = "测试终端"\n', "utf-8")
    rc = main(["qr", "watch", "--config", str(config), "--source", str(image), "--seconds", "2.5"])
    assert rc == 0
    captured = capsys.readouterr()
    assert "lz_token" in captured.out and "LZ:LZ1-watch-token-01" in captured.out
    assert "fps" in captured.err
