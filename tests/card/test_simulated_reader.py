"""The simulated reader: events, order, thread, and the real parsing path."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from drivers.card import CardIdentity, SimulatedCardReader
from kiosk.ports import CardReaderPort
from tests.card.collector import Collector


@pytest.fixture
def reader(demo_identities: list[CardIdentity]):
    r = SimulatedCardReader(demo_identities, read_delay=0.01)
    yield r
    r.stop()


def test_satisfies_the_port(reader: SimulatedCardReader) -> None:
    assert isinstance(reader, CardReaderPort)
    assert reader.health() == "unknown"


def test_insert_gives_identity_from_worker_thread(reader: SimulatedCardReader, demo_identities) -> None:
    c = Collector()
    reader.start(c)
    assert c.next().kind == "reader_added"
    reader.insert(0)
    assert c.next().kind == "card_inserted"
    event = c.next()
    assert event.kind == "identity"
    assert event.identity == demo_identities[0]
    assert event.identity is not None
    assert event.identity.nation == "壮" and event.identity.sex == "女"
    assert event.evidence["kind"] == "id_card"
    assert event.evidence["card_type"] == "resident"
    assert event.evidence["reader"]["kind"] == "simulated"
    assert "read_at" in event.evidence
    assert c.threads == {"card-simulated"}
    assert threading.current_thread().name not in c.threads
    reader.remove()
    assert c.next().kind == "card_removed"
    assert reader.health() == "ok"


def test_every_demo_identity_survives_the_real_parsers(reader: SimulatedCardReader, demo_identities) -> None:
    c = Collector()
    reader.start(c)
    c.next()
    for i, expected in enumerate(demo_identities):
        reader.insert(i)
        kinds = []
        while True:
            e = c.next()
            kinds.append(e.kind)
            if e.kind == "identity":
                assert e.identity == expected
                break
        assert kinds[-2:] == ["card_inserted", "identity"]


def test_inserting_a_second_card_removes_the_first(reader: SimulatedCardReader) -> None:
    c = Collector()
    reader.start(c)
    reader.insert(0)
    reader.insert(1)
    assert c.kinds(6) == [
        "reader_added",
        "card_inserted",
        "identity",
        "card_removed",
        "card_inserted",
        "identity",
    ]


def test_failures_and_unplugging(reader: SimulatedCardReader) -> None:
    c = Collector()
    reader.start(c)
    reader.insert_unreadable()
    reader.remove()
    reader.pull_mid_read()
    reader.unplug()
    reader.insert(0)  # ignored: no reader
    assert reader.wait_idle()
    assert reader.health() == "down"
    reader.replug()
    reader.insert(0)
    assert c.kinds(10) == [
        "reader_added",
        "card_inserted", "error:unreadable", "card_removed",
        "card_inserted", "error:removed_mid_read", "card_removed",
        "reader_removed", "reader_added", "card_inserted",
    ]  # fmt: skip
    assert c.next().kind == "identity"
    assert reader.health() == "ok"


def test_an_identity_that_cannot_be_a_card_is_a_typed_error(demo_identities) -> None:
    bad = replace(demo_identities[0], id_number="450206195803120089")  # wrong check character
    r = SimulatedCardReader([bad], read_delay=0.0)
    c = Collector()
    r.start(c)
    try:
        r.insert(0)
        assert c.kinds(3) == ["reader_added", "card_inserted", "error:checksum"]
    finally:
        r.stop()


def test_bad_index_fails_in_the_callers_thread(reader: SimulatedCardReader) -> None:
    with pytest.raises(IndexError):
        reader.insert(99)


def test_stop_is_prompt_and_idempotent(demo_identities) -> None:
    r = SimulatedCardReader(demo_identities, read_delay=30)
    c = Collector()
    r.start(c)
    r.insert(0)
    assert c.kinds(2) == ["reader_added", "card_inserted"]
    r.stop()  # must not wait for the 30 s read
    r.stop()
    assert c.events.empty()


def test_social_security_identity_goes_through_ssse_records(demo_identities) -> None:
    ss = replace(demo_identities[0], card_type="social_security", address=None, authority=None)
    r = SimulatedCardReader([ss], read_delay=0.0)
    c = Collector()
    r.start(c)
    try:
        r.insert(0)
        assert c.kinds(2) == ["reader_added", "card_inserted"]
        event = c.next()
        assert event.identity == ss
        assert event.evidence["card_type"] == "social_security"
    finally:
        r.stop()
