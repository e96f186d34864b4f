"""The PC/SC adapter against a REAL pcscd with vsmartcard-vpcd and our own virtual cards."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from drivers.card import CardIdentity, encode_text_block
from drivers.card.pcsc_reader import PcscCardReader, list_pcsc_readers
from drivers.card.ssse import encode_ssse_records
from drivers.card.ssse_auth import PsamProfile
from kiosk.ports import CardReaderPort
from tests.card.collector import Collector
from tests.support.pcsc import (
    READER_0,
    READER_1,
    CardSlot,
    PcscDaemon,
    PsamMasters,
    genuine_keys,
    plain_applet,
    psam_applet,
    ssse_applet,
    vendor_sam_applet,
    wait_reader_state,
)

pytestmark = pytest.mark.pcsc


def started(reader: PcscCardReader) -> Collector:
    c = Collector()
    reader.start(c)
    c.until("reader_added", reader=READER_0)
    return c


@pytest.fixture
def vendor_reader(pcscd: PcscDaemon) -> Iterator[PcscCardReader]:
    r = PcscCardReader(profile="vendor_sam", reader_name_contains=READER_0)
    yield r
    r.stop()


def test_pcscd_lists_both_vpcd_readers(pcscd: PcscDaemon) -> None:
    assert {READER_0, READER_1} <= set(list_pcsc_readers())


def test_vendor_sam_insert_read_remove(
    vendor_reader: PcscCardReader, card_slot: CardSlot, demo_identities: list[CardIdentity]
) -> None:
    assert isinstance(vendor_reader, CardReaderPort)
    c = started(vendor_reader)
    assert vendor_reader.health() == "ok"
    card = card_slot.insert(vendor_sam_applet(encode_text_block(demo_identities[0])))
    assert c.kinds(2) == ["card_inserted", "identity"]
    event = c.seen[-1]
    assert event.reader == READER_0
    assert event.identity == demo_identities[0]
    assert event.evidence["kind"] == "id_card"
    assert event.evidence["card_type"] == "resident"
    assert event.evidence["reader"] == {"kind": "pcsc", "name": READER_0}
    assert card.apdus == [bytes.fromhex("FF B0 00 00 00")]
    card_slot.remove()
    assert c.kinds(1) == ["card_removed"]
    assert c.threads == {"card-pcsc-read"}


def test_other_card_types_through_the_vendor_apdu(
    vendor_reader: PcscCardReader, card_slot: CardSlot, demo_identities: list[CardIdentity]
) -> None:
    c = started(vendor_reader)
    kinds = {"hmt_permit", "foreign_2023"}
    for ident in [i for i in demo_identities if i.card_type in kinds]:
        card_slot.insert(vendor_sam_applet(encode_text_block(ident)))
        assert c.until("identity").identity == ident
        card_slot.remove()
        c.until("card_removed")


def test_configured_apdu_and_offset(pcscd: PcscDaemon, card_slot: CardSlot, demo_identities) -> None:
    reader = PcscCardReader(profile="vendor_sam", reader_name_contains="00 00", text_apdu="FF B0 00 00 00",
                            text_offset=0)  # fmt: skip
    try:
        c = started(reader)
        card_slot.insert(vendor_sam_applet(encode_text_block(demo_identities[2]), prefix=b""))
        assert c.until("identity").identity == demo_identities[2]
    finally:
        reader.stop()


def test_card_already_present_when_the_reader_starts(
    vendor_reader: PcscCardReader, card_slot: CardSlot, demo_identities
) -> None:
    card_slot.insert(vendor_sam_applet(encode_text_block(demo_identities[1])))
    assert wait_reader_state(READER_0, present=True)
    c = started(vendor_reader)
    assert c.kinds(2) == ["card_inserted", "identity"]


def test_social_security_card(pcscd: PcscDaemon, card_slot: CardSlot, demo_identities) -> None:
    ss = replace(demo_identities[3], card_type="social_security", address=None, authority=None)
    masters = PsamMasters("3des", bytes.fromhex("5A1C0E7B3D9F2468A1B2C3D4E5F60718"))
    psam_slot = CardSlot(READER_1)
    psam_slot.insert(psam_applet(masters), wait=True)
    reader = PcscCardReader(
        profile="ssse", reader_name_contains=READER_0, psam=PsamProfile(READER_1, external=None)
    )
    try:
        c = started(reader)
        records = encode_ssse_records(ss, card_id="450206D156000005")
        keys = genuine_keys(masters, b"450206D156000005")
        card = card_slot.insert(ssse_applet(records, strict_le=True, keys=keys))
        assert c.kinds(2) == ["card_inserted", "identity"]
        event = c.seen[-1]
        assert event.identity == ss
        assert event.evidence["card_type"] == "social_security"
        assert event.evidence["reader"]["chip_serial"] == "450206D156000005"
        assert card.apdus[0][:5] == bytes.fromhex("00 A4 04 00 0F")
    finally:
        reader.stop()
        psam_slot.clear()


def test_ssse_profile_on_a_card_without_the_application(pcscd: PcscDaemon, card_slot: CardSlot) -> None:
    reader = PcscCardReader(profile="ssse", reader_name_contains=READER_0, psam=PsamProfile(READER_1))
    try:
        c = started(reader)
        card_slot.insert(plain_applet(bytes(4), bytes(8)))
        assert c.kinds(2) == ["card_inserted", "error:unreadable"]
        assert "SELECT SSSE" in c.seen[-1].detail
    finally:
        reader.stop()


def test_plain_reader_reports_no_identity_support_honestly(pcscd: PcscDaemon, card_slot: CardSlot) -> None:
    reader = PcscCardReader(profile="plain", reader_name_contains=READER_0)
    try:
        c = started(reader)
        card_slot.insert(plain_applet(bytes.fromhex("A1B2C3D4"), bytes.fromhex("0102030405060708")))
        assert c.kinds(2) == ["card_inserted", "error:no_identity_support"]
        event = c.seen[-1]
        assert event.identity is None
        assert event.evidence["reader"]["chip_serial"] == "0102030405060708"
        assert event.evidence["reader"]["uid"] == "A1B2C3D4"
    finally:
        reader.stop()


def test_card_pulled_mid_read(vendor_reader: PcscCardReader, card_slot: CardSlot, demo_identities) -> None:
    c = started(vendor_reader)
    card = card_slot.insert(
        vendor_sam_applet(encode_text_block(demo_identities[0])),
        pull_when=lambda apdu: apdu[:2] == b"\xff\xb0",
    )
    assert c.kinds(3) == ["card_inserted", "error:removed_mid_read", "card_removed"]
    assert card.pulled.is_set()


@pytest.mark.parametrize(
    ("corrupt", "code"),
    [
        (lambda b: b[:122] + "450206195803120089".encode("utf-16-le") + b[158:], "checksum"),
        (lambda b: b[:248] + "Q".encode("utf-16-le") + b[250:], "malformed"),
    ],
)
def test_bad_card_data_is_a_typed_error(
    vendor_reader: PcscCardReader, card_slot: CardSlot, demo_identities, corrupt, code: str
) -> None:
    c = started(vendor_reader)
    card_slot.insert(vendor_sam_applet(corrupt(encode_text_block(demo_identities[0]))))
    assert c.kinds(2) == ["card_inserted", f"error:{code}"]


def test_card_that_refuses_the_apdu_is_unreadable(vendor_reader: PcscCardReader, card_slot: CardSlot) -> None:
    c = started(vendor_reader)
    card_slot.insert(plain_applet(bytes(4), bytes(8)))  # answers 6D 00 to FF B0
    assert c.kinds(2) == ["card_inserted", "error:unreadable"]
    assert "6D 00" in c.seen[-1].detail
    card_slot.remove()
    assert c.kinds(1) == ["card_removed"]


def test_second_reader_is_watched_too(pcscd: PcscDaemon, demo_identities) -> None:
    reader = PcscCardReader(profile="vendor_sam")  # no filter: both vpcd readers
    slot = CardSlot(READER_1)
    try:
        c = Collector()
        reader.start(c)
        added = {c.until("reader_added").reader, c.until("reader_added").reader}
        assert added == {READER_0, READER_1}
        slot.insert(vendor_sam_applet(encode_text_block(demo_identities[4])))
        event = c.until("identity")
        assert event.reader == READER_1 and event.identity == demo_identities[4]
    finally:
        slot.clear()
        reader.stop()


def test_pcscd_restart_is_a_reader_that_disappears_and_returns(
    pcscd: PcscDaemon, card_slot: CardSlot, demo_identities
) -> None:
    assert pcscd.owned, "this test restarts pcscd: it needs the one the fixture started"
    reader = PcscCardReader(profile="vendor_sam", reader_name_contains=READER_0)
    try:
        c = started(reader)
        card_slot.insert(vendor_sam_applet(encode_text_block(demo_identities[0])))
        c.until("identity")
        pcscd.stop()
        # the card vanishes with pcscd: removal first, then the reader
        assert c.kinds(2) == ["card_removed", "reader_removed"]
        assert reader.health() == "down"
        card_slot.remove()
        pcscd.start()
        c.until("reader_added", reader=READER_0)
        assert reader.health() == "ok"
        card_slot.insert(vendor_sam_applet(encode_text_block(demo_identities[1])))
        assert c.until("identity").identity == demo_identities[1]
    finally:
        reader.stop()


def test_stop_without_start_and_health_before_start(pcscd: PcscDaemon) -> None:
    reader = PcscCardReader(profile="plain")
    assert reader.health() == "unknown"
    reader.stop()
    with pytest.raises(ValueError, match="unknown reader profile"):
        PcscCardReader(profile="magic")
    with pytest.raises(ValueError, match="needs a PSAM"):
        PcscCardReader(profile="ssse", reader_name_contains=READER_0)
    with pytest.raises(ValueError, match="also matches the PSAM reader"):
        PcscCardReader(profile="ssse", reader_name_contains="Virtual PCD", psam=PsamProfile(READER_1))
