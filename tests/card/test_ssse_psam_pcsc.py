"""Social security cards through a REAL pcscd: the user card in ``Virtual PCD 00 00``, the simulated
PSAM (holding the issuer's master keys) in ``Virtual PCD 00 01``, as in a reader with a SAM slot."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drivers.card import CardIdentity, encode_text_block
from drivers.card.pcsc_reader import PcscCardReader, probe_psam
from drivers.card.ssse import encode_ssse_records
from drivers.card.ssse_auth import PsamProfile
from kiosk.messages import card_error
from tests.card.collector import Collector
from tests.support.pcsc import (
    READER_0,
    READER_1,
    TEST_MASTERS,
    CardSlot,
    PcscDaemon,
    PsamMasters,
    genuine_keys,
    genuine_ssse_card,
    psam_applet,
    ssse_applet,
    vendor_sam_applet,
)

pytestmark = pytest.mark.pcsc

CARD_ID = "450206D156000005"
MASTERS = TEST_MASTERS


@pytest.fixture
def holder(demo_identities: list[CardIdentity]) -> CardIdentity:
    return replace(demo_identities[3], card_type="social_security", address=None, authority=None)


def reader_for(algorithm: str = "3des", name: str = READER_0, psam_reader: str = READER_1) -> PcscCardReader:
    profile = PsamProfile(reader=psam_reader, algorithm=algorithm)  # type: ignore[arg-type]
    return PcscCardReader(profile="ssse", reader_name_contains=name, psam=profile)


def started(reader: PcscCardReader) -> Collector:
    c = Collector()
    reader.start(c)
    c.until("reader_added", reader=READER_0)
    return c


@pytest.mark.parametrize("algorithm", ["3des", "sm4"])
def test_genuine_card_is_accepted(
    algorithm: str, card_slot: CardSlot, psam_slot: CardSlot, holder: CardIdentity
) -> None:
    masters = MASTERS[algorithm]
    psam = psam_slot.insert(psam_applet(masters), wait=True)
    reader = reader_for(algorithm)
    try:
        c = started(reader)
        records = encode_ssse_records(holder, card_id=CARD_ID)
        card = card_slot.insert(ssse_applet(records, keys=genuine_keys(masters, CARD_ID.encode())))
        assert c.kinds(2) == ["card_inserted", "identity"]
        event = c.seen[-1]
        assert event.identity == holder and event.reader == READER_0
        assert event.evidence["reader"]["chip_serial"] == CARD_ID
        assert [a[1] for a in card.apdus if a[1] in (0x88, 0x84, 0x82)] == [0x88, 0x84, 0x82]
        assert any(a[:2] == bytes.fromhex("80FA") for a in psam.apdus)  # the PSAM did the check
        assert reader.health() == "ok"
    finally:
        reader.stop()


@pytest.mark.parametrize("forgery", ["no_keys", "wrong_key"])
def test_forged_card_is_refused_with_a_plain_message(
    forgery: str, card_slot: CardSlot, psam_slot: CardSlot, holder: CardIdentity
) -> None:
    psam_slot.insert(psam_applet(MASTERS["3des"]), wait=True)
    records = encode_ssse_records(holder, card_id=CARD_ID)
    if forgery == "no_keys":
        applet = ssse_applet(records)  # the tests' old applet helper: right files, no keys
    else:
        other = PsamMasters("3des", bytes.fromhex("1F2E3D4C5B6A79880123456789ABCDEF"))
        applet = ssse_applet(records, keys=genuine_keys(other, CARD_ID.encode()))
    reader = reader_for()
    try:
        c = started(reader)
        card = card_slot.insert(applet)
        assert c.kinds(2) == ["card_inserted", "error:not_genuine"]
        assert c.seen[-1].identity is None
        # no holder data was read from it: EF06 was never selected
        assert bytes.fromhex("00 A4 02 00 02 EF 06") not in card.apdus
        assert (
            card_error("not_genuine")
            == "这张卡未通过真伪验证，不能用于办理。请改用本人身份证或手机亮证码，或到窗口咨询。"
        )
        assert reader.health() == "ok"  # the reader works; the card is the problem
    finally:
        reader.stop()


def test_card_pulled_mid_authentication(
    card_slot: CardSlot, psam_slot: CardSlot, holder: CardIdentity
) -> None:
    psam_slot.insert(psam_applet(MASTERS["3des"]), wait=True)
    reader = reader_for()
    try:
        c = started(reader)
        card = card_slot.insert(genuine_ssse_card(holder), pull_when=lambda apdu: apdu[:2] == b"\x00\x88")
        assert c.kinds(3) == ["card_inserted", "error:removed_mid_read", "card_removed"]
        assert card.pulled.is_set()
    finally:
        reader.stop()


def test_no_psam_is_a_reader_fault(card_slot: CardSlot, psam_slot: CardSlot, holder: CardIdentity) -> None:
    psam_slot.clear()  # the SAM slot is empty
    reader = reader_for()
    try:
        c = started(reader)
        card = card_slot.insert(ssse_applet(encode_ssse_records(holder, card_id=CARD_ID)))
        assert c.kinds(2) == ["card_inserted", "error:reader_failure"]
        assert "no PSAM" in c.seen[-1].detail
        assert not any(a[:2] == b"\x00\x88" for a in card.apdus)  # nothing asked of the card
        assert reader.health() == "degraded"
        assert "读卡器暂时无法使用" in card_error("reader_failure")
    finally:
        reader.stop()


def test_misnamed_psam_reader_is_a_reader_fault(card_slot: CardSlot, psam_slot: CardSlot, holder) -> None:
    psam_slot.insert(psam_applet(MASTERS["3des"]), wait=True)
    reader = reader_for(psam_reader="ACS SAM")
    try:
        c = started(reader)
        card_slot.insert(ssse_applet(encode_ssse_records(holder, card_id=CARD_ID)))
        assert c.kinds(2) == ["card_inserted", "error:reader_failure"]
        assert "PSAM reader 'ACS SAM' not found" in c.seen[-1].detail
    finally:
        reader.stop()


def test_the_psam_slot_is_never_read_as_a_citizens_card(
    psam_slot: CardSlot, card_slot: CardSlot, holder
) -> None:
    """Names that both fit the PSAM's slot: it is still only the PSAM (reader_name_contains
    'Virtual PCD 00' matches both vpcd slots; the PSAM's part of the name excludes its own)."""
    reader = reader_for(name="Virtual PCD 00", psam_reader="PCD 00 01")
    try:
        c = started(reader)
        psam_slot.insert(psam_applet(MASTERS["3des"]), wait=True)
        card_slot.insert(genuine_ssse_card(holder))
        assert c.until("identity").reader == READER_0
        assert all(e.reader != READER_1 for e in c.seen)
    finally:
        reader.stop()


def test_an_unconfigured_reader_with_a_card_is_ignored(
    pcscd: PcscDaemon, card_slot: CardSlot, demo_identities: list[CardIdentity]
) -> None:
    """A second reader plugged into the terminal (vpcd's 00 01), card in it first: nothing is read
    from it; the configured reader's card, inserted after, is the first and only one seen."""
    stranger = CardSlot(READER_1)
    reader = PcscCardReader(profile="vendor_sam", reader_name_contains=READER_0)
    try:
        stranger_card = stranger.insert(vendor_sam_applet(encode_text_block(demo_identities[1])))
        c = started(reader)
        card_slot.insert(vendor_sam_applet(encode_text_block(demo_identities[0])))
        assert c.kinds(2) == ["card_inserted", "identity"]
        assert c.seen[-1].identity == demo_identities[0]
        assert {e.reader for e in c.seen} == {READER_0}
        assert stranger_card.apdus == []
    finally:
        reader.stop()
        stranger.clear()


def test_diagnostics_probe_finds_the_psam(psam_slot: CardSlot) -> None:
    profile = PsamProfile(reader="PCD 00 01")
    psam = psam_slot.insert(psam_applet(MASTERS["3des"]), wait=True)
    assert probe_psam(profile) == READER_1
    assert psam.apdus == [bytes.fromhex("00 A4 04 00 06 D1 56 00 00 05 90")]
    psam_slot.clear()
    with pytest.raises(Exception, match="no PSAM"):
        probe_psam(profile)
