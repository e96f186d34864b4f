"""build_card_reader: the configured kind, the demo people, the settings that reach the driver."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from drivers.card import CardEvent, SimulatedCardReader
from drivers.card.pcsc_reader import PcscCardReader
from drivers.card.serial_sam import SerialSamCardReader
from kiosk.ports import CardReaderPort
from kiosk.settings.card import CardReaderConfig, PsamConfig
from kiosk.wiring.card import build_card_reader

REPO = Path(__file__).resolve().parents[2]


def test_simulated_uses_the_packaged_demo_people_by_default(demo_identities) -> None:
    reader = build_card_reader(CardReaderConfig(kind="simulated"))
    assert isinstance(reader, SimulatedCardReader)
    assert list(reader.identities) == demo_identities


def test_simulated_with_an_explicit_file(tmp_path: Path) -> None:
    text = (REPO / "config" / "demo_identities.toml").read_text(encoding="utf-8")
    first = text.split("[[identity]]")[0] + "[[identity]]" + text.split("[[identity]]")[1]
    path = tmp_path / "ids.toml"
    path.write_text(first, encoding="utf-8")
    reader = build_card_reader(CardReaderConfig(kind="simulated"), path)
    assert isinstance(reader, SimulatedCardReader)
    assert [i.name for i in reader.identities] == ["韦桂兰"]


def test_pcsc_and_serial_get_their_settings() -> None:
    pcsc = build_card_reader(CardReaderConfig(kind="pcsc", profile="ssse", reader_name_contains="ACS",
                                              text_apdu="ff b0 00 00 00", text_offset=0,
                                              psam=PsamConfig(reader="SAM 00 01")))  # fmt: skip
    assert isinstance(pcsc, PcscCardReader) and isinstance(pcsc, CardReaderPort)
    assert (pcsc.profile, pcsc.reader_name_contains, pcsc.text_offset) == ("ssse", "ACS", 0)
    assert pcsc.psam is not None and pcsc.psam.reader == "SAM 00 01"
    assert pcsc.text_apdu == [0xFF, 0xB0, 0, 0, 0]
    serial = build_card_reader(CardReaderConfig(kind="serial_sam", serial_port="/dev/ttyS9", baudrate=9600))
    assert isinstance(serial, SerialSamCardReader) and isinstance(serial, CardReaderPort)
    assert (serial.port, serial.baudrate) == ("/dev/ttyS9", 9600)
    assert serial.health() == "unknown"


@pytest.mark.parametrize("apdu", ["FFB0", "not hex", "FF B0 0"])
def test_bad_apdu_setting_is_refused(apdu: str) -> None:
    with pytest.raises(ValidationError, match="text_apdu"):
        CardReaderConfig(text_apdu=apdu)


def test_events_log_masked(demo_identities) -> None:
    event = CardEvent(kind="identity", reader="r", identity=demo_identities[0])
    line = event.masked()
    assert "韦*" in line and "4502**********0088" in line
    assert "韦桂兰" not in line and "450206195803120088" not in line


def test_driver_types_satisfy_the_ports_structurally(demo_identities) -> None:
    # mypy checks these assignments against kiosk.ports (structural typing); the asserts check runtime
    from kiosk.ports import CardEventLike, CardIdentityLike

    identity: CardIdentityLike = demo_identities[0]
    event: CardEventLike = CardEvent(kind="identity", reader="r", identity=demo_identities[0])
    port: CardReaderPort = SimulatedCardReader(demo_identities)
    assert event.identity is identity
    assert port.health() == "unknown"


def test_every_driver_error_code_has_its_own_message() -> None:
    """A new error code (not_genuine: a forged social security card) must not fall back to the
    generic 读卡失败 text: the citizen is told what happened."""
    from drivers.card.events import ERROR_CODES
    from kiosk.messages import CARD_ERRORS, card_error

    assert set(ERROR_CODES) == set(CARD_ERRORS)
    assert len({card_error(code) for code in ERROR_CODES}) == len(ERROR_CODES)
