"""Card reader settings: a PC/SC terminal names its reader, and the ssse profile names its PSAM —
`kiosk config check` refuses the configurations that would let any reader or any card in."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from kiosk.cli import main
from kiosk.settings.card import CardReaderConfig, PsamConfig
from kiosk.wiring.card import build_card_reader, psam_profile

SSSE = '[devices.card_reader]\nkind = "pcsc"\nprofile = "ssse"\nreader_name_contains = "Virtual PCD 00 00"\n'


def check(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    path = tmp_path / "terminal.toml"
    path.write_text('[terminal]\nid = "LJ-03"\nname = "三楼"\n' + text, encoding="utf-8")
    code = main(["config", "check", str(path)])
    return code, capsys.readouterr().err


def test_ssse_without_a_psam_is_refused_with_the_reason(tmp_path: Path, capsys) -> None:
    code, err = check(tmp_path, SSSE, capsys)
    assert code == 1
    assert "devices.card_reader" in err and "psam.reader" in err and "forged" in err


def test_ssse_with_a_psam_passes(tmp_path: Path, capsys) -> None:
    code, err = check(tmp_path, SSSE + '[devices.card_reader.psam]\nreader = "Virtual PCD 00 01"\n', capsys)
    assert (code, err) == (0, "")


def test_pcsc_without_a_reader_name_is_refused(tmp_path: Path, capsys) -> None:
    code, err = check(tmp_path, '[devices.card_reader]\nkind = "pcsc"\nreader_name_contains = " "\n', capsys)
    assert code == 1
    assert "reader_name_contains is empty" in err and "every reader" in err


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"reader_name_contains": "Virtual PCD", "psam": {"reader": "Virtual PCD 00 01"}}, "different slots"),
        ({"psam": {"reader": "Virtual PCD 00 01", "issuer_factor": "3435303230307378"}}, "levels"),
        ({"psam": {"reader": "Virtual PCD 00 01", "issuer_factor": "3435"}}, "8 bytes"),
        ({"psam": {"reader": "Virtual PCD 00 01", "internal_key": "28"}}, "2 bytes"),
        ({"psam": {"reader": "Virtual PCD 00 01", "algorithm": "des"}}, "algorithm"),
    ],
)
def test_inconsistent_psam_settings_are_refused(changes: dict[str, object], match: str) -> None:
    base = {"kind": "pcsc", "profile": "ssse", "reader_name_contains": "Virtual PCD 00 00"}
    with pytest.raises(ValidationError, match=match):
        CardReaderConfig.model_validate({**base, **changes})


def test_psam_settings_reach_the_driver() -> None:
    config = CardReaderConfig(
        kind="pcsc",
        profile="ssse",
        reader_name_contains="Virtual PCD 00 00",
        psam=PsamConfig(
            reader="Virtual PCD 00 01",
            algorithm="sm4",
            internal_key="4811",
            external_key="48 5d",
            issuer_factor="34 35 30 32 30 30 73 78",
            init_command="BFDE",
        ),
    )
    reader = build_card_reader(config)
    profile = psam_profile(config.psam)
    assert reader.psam == profile  # type: ignore[attr-defined]
    assert (profile.algorithm, profile.issuer_factor, profile.init_header) == (
        "sm4",
        b"450200sx",
        b"\xbf\xde",
    )
    assert (profile.internal.psam_usage, profile.internal.psam_key_id, profile.internal.card_key_id) == (
        0x48,
        0x11,
        0,
    )
    assert profile.external is not None and profile.external.psam_key_id == 0x5D
    no_external = psam_profile(PsamConfig(reader="x", external_auth=False, external_key="0000"))
    assert no_external.external is None


def test_simulated_and_serial_readers_need_no_reader_name() -> None:
    assert CardReaderConfig(kind="simulated").reader_name_contains == ""
    assert CardReaderConfig(kind="serial_sam").psam.reader == ""
