"""``kiosk card``: parse dumps, watch the simulated reader, list readers on a real pcscd."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drivers.card import CardIdentity, encode_text_block
from drivers.card.sam_protocol import build_read_answer, build_status_answer
from kiosk.cli import main
from tests.card.blocks import RESIDENT, block
from tests.support.pcsc import READER_0, PcscDaemon

KEYS = ["card_type", "name", "name_en", "sex", "nation", "birth_date", "address", "id_number", "authority",
        "valid_from", "valid_to", "pass_number", "issue_count", "nationality"]  # fmt: skip


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_parse_binary_text_block(tmp_path: Path, capsys) -> None:
    dump = tmp_path / "block.bin"
    dump.write_bytes(block(RESIDENT))
    code, out, _ = run(["card", "parse", str(dump)], capsys)
    assert code == 0
    assert out.count("\n") == 1
    fields = json.loads(out)
    assert list(fields) == KEYS
    assert fields["name"] == "韦桂兰"
    assert fields["nation"] == "壮"
    assert fields["sex"] == "女"
    assert fields["birth_date"] == "1958-03-12"
    assert fields["valid_to"] is None  # 长期


@pytest.mark.parametrize("style", ["spaced", "compact", "lines", "0x"])
def test_parse_sam_frame_as_hex_text(
    tmp_path: Path, capsys, demo_identities: list[CardIdentity], style
) -> None:
    frame = build_read_answer(encode_text_block(demo_identities[4]))
    text = {
        "spaced": frame.hex(" "),
        "compact": frame.hex().upper(),
        "lines": "\n".join(frame[i : i + 16].hex(" ") for i in range(0, len(frame), 16)) + "\n",
        "0x": ", ".join(f"0x{b:02X}" for b in frame),
    }[style]
    dump = tmp_path / "frame.txt"
    dump.write_text(text)
    code, out, _ = run(["card", "parse", str(dump)], capsys)
    assert code == 0
    fields = json.loads(out)
    assert fields["card_type"] == "hmt_permit"
    assert fields["pass_number"] == "H12345678"
    assert fields["valid_to"] == "2026-12-31"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00" * 100, "100 bytes"),
        (b"AB C", "odd number"),
        (build_status_answer(0x41), "read failed"),
        (build_read_answer(block(RESIDENT))[:-1] + b"\x00", "check byte"),
        (block({**RESIDENT, 122: "450206195803120089"}), "GB 11643"),
        (b"", "0 bytes"),
    ],
)
def test_parse_bad_input_exits_non_zero_with_a_message(
    tmp_path: Path, capsys, content: bytes, message
) -> None:
    dump = tmp_path / "bad.bin"
    dump.write_bytes(content)
    code, out, err = run(["card", "parse", str(dump)], capsys)
    assert code != 0
    assert out == ""
    assert "无法解析" in err and message in err


def test_parse_missing_file(tmp_path: Path, capsys) -> None:
    code, _, err = run(["card", "parse", str(tmp_path / "nope.bin")], capsys)
    assert code == 2 and "无法读取" in err


def test_watch_simulated_prints_masked_events(capsys) -> None:
    code, out, _ = run(["card", "watch", "--kind", "simulated", "--count", "1", "--seconds", "5"], capsys)
    assert code == 0
    assert "reader_added [Simulated ID card reader]" in out
    assert "health=ok" in out


def test_watch_with_options_the_settings_refuse_says_why_without_a_traceback(capsys) -> None:
    code, _, err = run(["card", "watch", "--kind", "pcsc", "--profile", "ssse", "--seconds", "1"], capsys)
    assert code == 2
    assert "reader_name_contains" in err and "Traceback" not in err


@pytest.mark.pcsc
def test_readers_lists_the_vpcd_readers(pcscd: PcscDaemon, capsys) -> None:
    code, out, _ = run(["card", "readers"], capsys)
    assert code == 0
    assert f"pcsc: {READER_0}" in out
