"""Receipt verification codes, the phone text, and the ``kiosk print`` commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from kiosk.cli import main
from kiosk.receipt.codes import make_receipt_code, parse_receipt_code, verify_receipt_code
from kiosk.receipt.contents import rating_thanks_receipt
from kiosk.receipt.plain_text import PHONE_QR_MAX_BYTES, phone_text
from kiosk.receipt.render import qr_image, render
from kiosk.receipt.samples import DEMO_SECRET
from tests.printer.helpers import FIXED_TIME, qr_texts, sample_receipt


def test_receipt_code_round_trip_and_tamper() -> None:
    code = make_receipt_code("LJ-ZZ-01", "20261129150700-a1b2c3", b"k1")
    assert code.startswith("KIOSK-V1:LJ-ZZ-01:20261129150700-a1b2c3:") and len(code.rsplit(":", 1)[1]) == 8
    assert verify_receipt_code(code, b"k1")
    assert not verify_receipt_code(code, b"k2")
    assert not verify_receipt_code(code.replace("LJ-ZZ-01", "LJ-ZZ-02"), b"k1")
    parsed = parse_receipt_code(code)
    assert parsed is not None and parsed.terminal_id == "LJ-ZZ-01"
    assert parse_receipt_code("https://example.org/KIOSK-V1") is None


@pytest.mark.parametrize("bad", ["", "a:b", "空格 id", "x" * 65])
def test_receipt_code_rejects_ids_that_would_break_the_format(bad: str) -> None:
    with pytest.raises(ValueError):
        make_receipt_code(bad, "r1", b"k")


def test_phone_text_fits_one_qr_and_decodes() -> None:
    text = phone_text(sample_receipt())
    assert len(text.encode()) <= PHONE_QR_MAX_BYTES
    assert "KIOSK-V1:LJ-ZZ-DEMO:" in text and "【测试数据】" in text
    assert qr_texts(qr_image(text, 600)) == [text]


def test_rating_thanks_receipt_has_no_personal_data_and_renders() -> None:
    receipt = rating_thanks_receipt("自助终端 01", "电子证照查询与打印", 5, FIXED_TIME)
    image = render(receipt, 384)
    assert image.width == 384 and receipt.kind == "rating_thanks"
    with pytest.raises(ValueError):
        rating_thanks_receipt("t", "s", 6, FIXED_TIME)


@pytest.mark.parametrize(("paper", "width"), [("58", 384), ("80", 576)])
def test_cli_render_writes_the_sample_exactly_as_printed(tmp_path: Path, paper: str, width: int) -> None:
    out = tmp_path / "r.png"
    assert main(["print", "render", "--out", str(out), "--paper", paper]) == 0
    image = Image.open(out)
    assert image.mode == "1" and image.width == width
    [text] = qr_texts(image)
    assert verify_receipt_code(text, DEMO_SECRET)


def test_cli_status_and_test_page_on_the_simulated_printer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "terminal.toml"
    config.write_text(
        '[devices.printer]\nkind = "file"\nfile_dir = "%s"\npaper_mm = 58\n' % (tmp_path / "out")
    )
    monkeypatch.setenv("KIOSK_CONFIG", str(config))
    assert main(["print", "status"]) == 0
    assert "打印机正常" in capsys.readouterr().out
    assert main(["print", "test"]) == 0
    assert "打印完成" in capsys.readouterr().out
    [png] = (tmp_path / "out").glob("*.png")
    assert "KIOSK-TEST:" in qr_texts(Image.open(png))[0]


def test_cli_reports_a_bad_config_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "terminal.toml"
    config.write_text('[devices.printer]\nkind = "cups"\n')
    monkeypatch.setenv("KIOSK_CONFIG", str(config))
    assert main(["print", "status"]) == 2
    assert "cups_queue" in capsys.readouterr().err
