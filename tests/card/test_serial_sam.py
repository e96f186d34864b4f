"""The serial SAM adapter against a fake SAM on a real pseudo-terminal."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from drivers.card import CardIdentity, encode_text_block
from drivers.card.serial_sam import SerialSamCardReader
from kiosk.ports import CardReaderPort
from tests.card.collector import Collector
from tests.card.fake_sam import SAM_ID, FakeSam

FIND, SELECT, READ = (0x20, 0x01), (0x20, 0x02), (0x30, 0x01)


@pytest.fixture
def sam() -> Iterator[FakeSam]:
    fake = FakeSam()
    yield fake
    fake.close()


def make_reader(path: str) -> SerialSamCardReader:
    return SerialSamCardReader(path, command_timeout=0.2, read_timeout=0.4, poll_interval=0.01,
                               retry_interval=0.05)  # fmt: skip


@pytest.fixture
def reader(sam: FakeSam) -> Iterator[SerialSamCardReader]:
    r = make_reader(sam.path)
    yield r
    r.stop()


def started(reader: SerialSamCardReader) -> Collector:
    c = Collector()
    reader.start(c)
    assert c.kinds(1) == ["reader_added"]
    return c


def test_read_a_card_and_the_card_must_leave(
    reader: SerialSamCardReader, sam: FakeSam, demo_identities: list[CardIdentity]
) -> None:
    assert isinstance(reader, CardReaderPort)
    c = started(reader)
    assert reader.health() == "ok"
    sam.place(encode_text_block(demo_identities[0]))
    assert c.kinds(2) == ["card_inserted", "identity"]
    event = c.seen[-1]
    assert event.identity == demo_identities[0]
    assert event.evidence["reader"] == {
        "kind": "serial_sam",
        "name": sam.path,
        "sam_id": SAM_ID.hex().upper(),
    }
    # the halted card no longer answers find card: it counts as gone from the field
    assert c.kinds(1) == ["card_removed"]
    assert sam.counts[READ] == 1
    assert c.threads == {"card-serial-sam"}


def test_a_card_lying_still_is_not_read_twice(demo_identities: list[CardIdentity]) -> None:
    sam = FakeSam(refind_halted=True)
    reader = make_reader(sam.path)
    try:
        c = started(reader)
        sam.place(encode_text_block(demo_identities[1]))
        assert c.kinds(2) == ["card_inserted", "identity"]
        finds = sam.counts[FIND]
        assert sam.wait_count(FIND, finds + 10)  # ten more polls see the same card...
        assert sam.counts[READ] == 1  # ...and do not read it again
        assert c.events.empty()
        sam.take_away()
        assert c.kinds(1) == ["card_removed"]
        sam.place(encode_text_block(demo_identities[2]))  # presented again: a new read
        assert c.kinds(2) == ["card_inserted", "identity"]
        assert c.seen[-1].identity == demo_identities[2]
    finally:
        reader.stop()
        sam.close()


def test_noise_and_answers_in_pieces(demo_identities: list[CardIdentity]) -> None:
    sam = FakeSam(noisy=True)
    reader = make_reader(sam.path)
    try:
        c = started(reader)
        sam.place(encode_text_block(demo_identities[5]))
        assert c.kinds(2) == ["card_inserted", "identity"]
        assert c.seen[-1].identity == demo_identities[5]
    finally:
        reader.stop()
        sam.close()


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("bad_checksum", "error:checksum"),
        ("silent", "error:unreadable"),
        ("short", "error:unreadable"),
        (("sw3", 0x40), "error:unreadable"),
        (("sw3", 0x31), "error:unreadable"),
        (("sw3", 0x66), "error:reader_failure"),
        ("garbage", "identity"),
    ],
)
def test_faults_during_the_read(
    reader: SerialSamCardReader, sam: FakeSam, demo_identities, fault: object, expected: str
) -> None:
    c = started(reader)
    sam.fault(READ, fault)
    sam.place(encode_text_block(demo_identities[0]))
    assert c.kinds(2) == ["card_inserted", expected]
    if expected != "identity":
        assert c.seen[-1].detail  # a reason for the log


def test_checksum_error_then_the_card_is_presented_again(reader: SerialSamCardReader, sam: FakeSam,
                                                         demo_identities) -> None:  # fmt: skip
    c = started(reader)
    sam.fault(READ, "bad_checksum")
    sam.place(encode_text_block(demo_identities[0]))
    assert c.kinds(2) == ["card_inserted", "error:checksum"]
    sam.take_away()
    assert c.kinds(1) == ["card_removed"]
    sam.place(encode_text_block(demo_identities[0]))
    assert c.kinds(2) == ["card_inserted", "identity"]


def test_card_pulled_mid_read(reader: SerialSamCardReader, sam: FakeSam, demo_identities) -> None:
    c = started(reader)
    sam.fault(READ, "pull")
    sam.place(encode_text_block(demo_identities[0]))
    assert c.kinds(3) == ["card_inserted", "error:removed_mid_read", "card_removed"]


def test_select_fails_because_the_card_left(
    reader: SerialSamCardReader, sam: FakeSam, demo_identities
) -> None:
    c = started(reader)
    sam.fault(SELECT, "pull")
    sam.place(encode_text_block(demo_identities[0]))
    assert c.kinds(3) == ["card_inserted", "error:removed_mid_read", "card_removed"]


def test_bad_text_block_is_malformed(reader: SerialSamCardReader, sam: FakeSam, demo_identities) -> None:
    c = started(reader)
    block = encode_text_block(demo_identities[0])
    sam.place(block[:248] + "Q".encode("utf-16-le") + block[250:])
    assert c.kinds(2) == ["card_inserted", "error:malformed"]


def test_garbage_on_find_is_retried(reader: SerialSamCardReader, sam: FakeSam, demo_identities) -> None:
    c = started(reader)
    sam.fault(FIND, "bad_checksum", "short", "garbage")
    sam.place(encode_text_block(demo_identities[0]))
    assert c.kinds(2) == ["card_inserted", "identity"]


def test_a_silent_sam_degrades_health(reader: SerialSamCardReader, sam: FakeSam) -> None:
    c = started(reader)
    sam.silent = True
    assert c.kinds(1) == ["error:reader_failure"]
    assert reader.health() == "degraded"
    sam.silent = False
    n = sam.counts[FIND]
    assert sam.wait_count(FIND, n + 2)
    assert _wait_health(reader, "ok")


def test_sam_that_reports_a_fault_on_find(reader: SerialSamCardReader, sam: FakeSam) -> None:
    c = started(reader)
    sam.fault(FIND, ("sw3", 0x60))
    assert c.kinds(1) == ["error:reader_failure"]
    assert "self-test" in c.seen[-1].detail


def test_port_unplugged_while_running(demo_identities) -> None:
    sam = FakeSam()
    reader = make_reader(sam.path)
    try:
        c = started(reader)
        sam.place(encode_text_block(demo_identities[0]))
        assert c.kinds(2) == ["card_inserted", "identity"]
        sam.hang_up()
        assert c.until("reader_removed").detail
        assert reader.health() == "down"
    finally:
        reader.stop()
        sam.close()


def test_missing_port_is_down_and_never_added(tmp_path) -> None:
    reader = make_reader(str(tmp_path / "ttyNOPE"))
    c = Collector()
    reader.start(c)
    try:
        assert _wait_health(reader, "down")
        assert c.events.empty()
    finally:
        reader.stop()
    assert reader.health() == "unknown"


def _wait_health(reader: SerialSamCardReader, want: str, timeout: float = 5.0) -> bool:
    """Health is a state, not an event: poll it with a deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if reader.health() == want:
            return True
        time.sleep(0.01)
    return False
