"""Diagnostics report the PSAM of the ssse profile (real pcscd, the simulated PSAM in vpcd's 00 01)."""

from __future__ import annotations

import pytest

from kiosk.diagnostics.devices import check_card
from kiosk.settings.card import CardReaderConfig, PsamConfig
from kiosk.wiring.card import build_card_reader
from tests.support.pcsc import READER_0, READER_1, TEST_MASTERS, CardSlot, psam_applet

pytestmark = pytest.mark.pcsc

CONFIG = CardReaderConfig(
    kind="pcsc", profile="ssse", reader_name_contains=READER_0, psam=PsamConfig(reader=READER_1)
)


@pytest.mark.parametrize("owned", [True, False])
def test_psam_present_is_reported(psam_slot: CardSlot, owned: bool) -> None:
    psam = psam_slot.insert(psam_applet(TEST_MASTERS["3des"]), wait=True)
    result = check_card(CONFIG, build_card_reader(CONFIG), owned=owned, wait_seconds=0.5)
    assert f"社保卡 PSAM 就绪（{READER_1}）" in result.value
    assert result.details["psam"] == {"reader": READER_1, "present": True}
    # only the diagnostics' own run talks to the PSAM; the running app's PSAM is only looked at
    assert psam.apdus == ([bytes.fromhex("00 A4 04 00 06 D1 56 00 00 05 90")] if owned else [])
    # the PSAM's slot is not offered as the citizens' reader
    assert READER_1 not in result.value.split("；")[0]


def test_missing_psam_fails_with_a_technician_hint(psam_slot: CardSlot) -> None:
    psam_slot.clear()
    result = check_card(CONFIG, build_card_reader(CONFIG), owned=True, wait_seconds=0.5)
    assert result.status == "failure"
    assert result.value.startswith("社保卡 PSAM 未就绪") and "no PSAM" in result.value
    assert "SAM 卡座" in result.hint and "devices.card_reader.psam.reader" in result.hint
    assert result.details["psam"]["present"] is False


def test_psam_that_is_not_a_social_security_psam(psam_slot: CardSlot) -> None:
    psam_slot.insert(lambda apdu: bytes.fromhex("6A 82"), wait=True)
    result = check_card(CONFIG, build_card_reader(CONFIG), owned=True, wait_seconds=0.5)
    assert result.status == "failure" and "SELECT PSAM application" in result.value
