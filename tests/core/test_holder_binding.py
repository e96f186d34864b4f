"""Holder binding (issue 19 item 1): another holder's genuinely signed certificate is never shown or
printed as the citizen's own.

Three levels: the rule itself (kiosk.domain.holder_binding); the session, where every list and
record passes it before any view model sees it; and the whole controller over real HTTP against a
scripted server (tests/core/hostile_backend.py) that answers GENUINELY signed records of another
demo holder — the terminal's signature check passes them, only the binding can refuse them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kiosk.controller import Controller
from kiosk.domain.certificate import (
    CertificateRecord,
    CertificateSummary,
    CertStatus,
    FaceField,
    Verification,
    VerifiedCertificate,
)
from kiosk.domain.holder import Holder
from kiosk.domain.holder_binding import (
    NOT_NAMED,
    RECORD_SWAPPED,
    ActsFor,
    Binding,
    HolderBinding,
)
from kiosk.privacy import mask_id
from kiosk.receipt.job import PrintJob
from kiosk.receipt.plain_text import receipt_text
from kiosk.session import SessionMachine, Step
from kiosk.views import certificate_cards, detail_view
from tests.core.hostile_backend import (
    ISSUER,
    HostileServer,
    Signed,
    hostile_server,
    identity,
    resign,
    signed_records,
)
from tests.support.controllers import demo_controller, until
from tests.support.ui import make_config

ELDER = identity("elder")
RARE = identity("rare")
BUSINESS = identity("business")
LICENCE_TYPE = "111000000000000052001"  # 营业执照 in the demo data; config/default.toml allows it
TODAY = date.today()


# ---------------------------------------------------------------------------------------- the rule
def summary(
    holder_code: str, holder_type: str = "111", type_code: str = "11100000000000004Y001", **kw: Any
) -> CertificateSummary:
    values: dict[str, Any] = {
        "identifier": "1.2.156.3005.2.11100000000000004Y001.11450200MB0000005X.2019010001.001.K",
        "type_code": type_code,
        "name": "社会保障卡",
        "number": "A00450881",
        "holder_name": "韦桂兰",
        "holder_code": holder_code,
        "holder_type": holder_type,
        "issuer": "柳州市人力资源和社会保障局",
        "issuer_code": "11450200MB0000005X",
        "issue_date": date(2019, 5, 10),
        "valid_from": date(2019, 5, 10),
        "valid_to": None,
        "status": "10",
    }
    values.update(kw)
    return CertificateSummary(**values)


def holder(person: dict[str, Any]) -> Holder:
    return Holder(name=person["name"], id_number=person["id_number"], evidence={"kind": "id_card"})


def test_own_certificate_binds_and_anothers_does_not() -> None:
    rule = HolderBinding()
    me = holder(ELDER)
    assert rule.summary(me, summary(ELDER["id_number"])).binding is Binding.OWN
    assert rule.summary(me, summary(ELDER["id_number"].lower() + " ")).binding is Binding.OWN
    assert rule.summary(me, summary(RARE["id_number"])).binding is Binding.MISMATCH
    # same code, other holder type (a credit code that happens to equal it): not the citizen
    assert rule.summary(me, summary(ELDER["id_number"], holder_type="001")).binding is Binding.MISMATCH
    assert rule.summary(None, summary(ELDER["id_number"])).binding is Binding.MISMATCH


def test_acts_for_is_only_the_configured_type_and_holder_type() -> None:
    rule = HolderBinding([ActsFor(LICENCE_TYPE, "法定代表人", ("001",), ("法定代表人",))])
    me = holder(BUSINESS)
    company = "91450206MA5K000010"
    ok = rule.summary(me, summary(company, holder_type="001", type_code=LICENCE_TYPE))
    assert ok.binding is Binding.ACTS_FOR and ok.relation == "法定代表人"
    # the licence type, but the holder is another person (111): not allowed by the rule
    assert rule.summary(me, summary(RARE["id_number"], type_code=LICENCE_TYPE)).binding is Binding.MISMATCH
    # another type whose holder is a company: no rule, refused
    assert rule.summary(me, summary(company, holder_type="001")).binding is Binding.MISMATCH


def test_a_full_record_must_match_its_summary_and_name_the_representative() -> None:
    rule = HolderBinding([ActsFor(LICENCE_TYPE, "法定代表人", ("001",), ("法定代表人",))])
    me = holder(BUSINESS)
    listed = summary(ELDER["id_number"])
    swapped = CertificateRecord(replace(listed, holder_code=RARE["id_number"]), (), "k", "")
    assert rule.record(holder(ELDER), listed, swapped).reason == RECORD_SWAPPED
    same = CertificateRecord(listed, (), "k", "")
    assert rule.record(holder(ELDER), listed, same).binding is Binding.OWN
    licence = summary("91450206MA5K000010", holder_type="001", type_code=LICENCE_TYPE)
    named = CertificateRecord(licence, (FaceField("法定代表人", BUSINESS["name"]),), "k", "")
    other = CertificateRecord(licence, (FaceField("法定代表人", "张三"),), "k", "")
    assert rule.record(me, licence, named).binding is Binding.ACTS_FOR
    assert rule.record(me, licence, other).reason == NOT_NAMED


# ---------------------------------------------------------------------------------------- the session
def session_at_list(
    events: list[tuple[str, dict[str, Any]]], binding: HolderBinding | None = None
) -> SessionMachine:
    m = SessionMachine(60, 15, 10, on_event=lambda name, data: events.append((name, data)), binding=binding)
    m.begin(0)
    m.identified(holder(ELDER), "card", 0)
    m.agree(0)
    return m


def verified(s: CertificateSummary, face: tuple[FaceField, ...] = ()) -> VerifiedCertificate:
    return VerifiedCertificate(CertificateRecord(s, face, "k", "sig"), Verification(CertStatus.VALID))


def test_a_mismatched_summary_never_reaches_the_view_models_and_is_audited_masked() -> None:
    events: list[tuple[str, dict[str, Any]]] = []
    m = session_at_list(events)
    mine = summary(ELDER["id_number"])
    theirs = summary(
        RARE["id_number"],
        identifier="1.2.156.3005.2.11100000000000004Y001.11450200MB0000005X.2020020003.001.3",
        holder_name=RARE["name"],
    )
    assert m.certificates_loaded(m.session_id or "", [mine, theirs])
    assert m.data is not None and [c.identifier for c in m.data.certificates] == [mine.identifier]
    assert [c.identifier for c in certificate_cards(m, TODAY)] == [mine.identifier]
    assert not m.select(theirs.identifier, 1)  # cannot even be selected
    # a record for it arriving anyway (an earlier fetch) is not kept either
    assert not m.record_loaded(m.session_id or "", verified(theirs))
    assert theirs.identifier not in m.data.records
    refused = [data for name, data in events if name == "certificate_refused"]
    assert len(refused) == 1
    entry = json.dumps(refused[0], ensure_ascii=False)
    assert (
        refused[0]["holder_code"] == mask_id(RARE["id_number"]) and refused[0]["reason"] == "holder_mismatch"
    )
    assert RARE["id_number"] not in entry and RARE["name"] not in entry
    assert theirs.identifier not in entry  # the identifier carries a per-person serial: masked too


def test_a_swapped_record_on_the_detail_page_is_dropped_with_a_plain_message() -> None:
    events: list[tuple[str, dict[str, Any]]] = []
    m = session_at_list(events)
    mine = summary(ELDER["id_number"])
    m.certificates_loaded(m.session_id or "", [mine])
    assert m.select(mine.identifier, 1)
    swapped = verified(replace(mine, holder_code=RARE["id_number"], holder_name=RARE["name"]))
    assert not m.record_loaded(m.session_id or "", swapped)
    assert m.step is Step.ERROR and m.error is not None
    assert "不一致" in m.error.message and m.error.return_to is Step.CERTIFICATES
    assert m.data is not None and m.data.certificates == [] and m.data.records == {}
    assert detail_view(m, TODAY, "柳江区政务服务中心", 30) is None
    assert [d["reason"] for n, d in events if n == "certificate_refused"] == [RECORD_SWAPPED]
    m.acknowledge_error(2)
    assert m.step is Step.CERTIFICATES and certificate_cards(m, TODAY) == []


def test_a_token_brings_only_the_token_holders_certificates() -> None:
    events: list[tuple[str, dict[str, Any]]] = []
    m = SessionMachine(60, 15, 10, on_event=lambda name, data: events.append((name, data)))
    m.begin(0)
    mine, theirs = summary(ELDER["id_number"]), summary(RARE["id_number"], identifier="other")
    assert m.identified(holder(ELDER), "qr", 0, [mine, theirs])
    assert m.data is not None and m.data.certificates == [mine]
    assert [n for n, _d in events].count("certificate_refused") == 1


# ---------------------------------------------------------------------------------------- over HTTP
@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with hostile_server() as server:
        yield server


def hostile_controller(server: HostileServer, tmp_path: Path) -> tuple[Controller, Any]:
    config = make_config(
        {
            "terminal": {"id": "LJ-ZZ-TEST"},
            "backend": {
                "url": server.url,
                "terminal_secret": "test-terminal-secret",
                "issuer_keys": {ISSUER.key_id: ISSUER.public_hex},
                "retries": 0,
            },
            "devices": {"printer": {"kind": "simulated"}},
        }
    )
    return demo_controller(config, tmp_path / "audit.jsonl")


def settled(ctl: Controller) -> bool:
    d = ctl.machine.data
    return (
        ctl.machine.step is Step.CERTIFICATES
        and not ctl.machine.busy
        and d is not None
        and all(c.identifier in d.records or c.identifier in d.unfetched for c in d.certificates)
    )


def printed_receipt(data: Any) -> Any:
    """The receipt the print step rendered for the session."""
    assert isinstance(data.printing.job, PrintJob)
    return data.printing.job.receipt


def audit_entries(ctl: Controller, path: Path) -> list[dict[str, Any]]:
    ctl.audit.flush()
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


async def test_anothers_signed_certificate_in_the_answer_is_not_shown_or_printed(
    hostile: HostileServer, tmp_path: Path
) -> None:
    mine, theirs = signed_records("elder")[:2], signed_records("rare")[2:4]
    hostile.serve([mine[0], theirs[0], mine[1], theirs[1]])
    hostile.script.requests.clear()
    ctl, devices = hostile_controller(hostile, tmp_path)
    await ctl.start()
    try:
        devices.card.insert(0)  # the elder's card
        await until(lambda: ctl.machine.step is Step.CONSENT)
        ctl.agree()
        await until(lambda: settled(ctl))
        cards = certificate_cards(ctl.machine, TODAY)
        assert [c.identifier for c in cards] == [m.identifier for m in mine]
        assert all(c.badge.status == "valid" for c in cards)  # the own ones verified
        theirs_ids = {t.identifier for t in theirs}
        # never even fetched: refused at the list
        assert not any(r.split()[-1].rsplit("/", 1)[-1] in theirs_ids for r in hostile.script.requests)
        ctl.print_receipt()
        data = ctl.machine.data
        assert data is not None
        await until(lambda: data.printing.phase in ("done", "failed"))
        printed = receipt_text(printed_receipt(data))
        assert "有效（已验证）" in printed and not any(t in printed for t in theirs_ids)
        assert printed.count("有效（已验证）") == len(mine)
        session = ctl.machine.session_id
    finally:
        await ctl.stop()
    entries = audit_entries(ctl, tmp_path / "audit.jsonl")
    refused = [e["data"] for e in entries if e["event"] == "certificate_refused"]
    assert len(refused) == 2 and all(r["session"] == session for r in refused)
    assert {r["holder_code"] for r in refused} == {mask_id(RARE["id_number"])}
    raw = (tmp_path / "audit.jsonl").read_text(encoding="utf-8")
    assert RARE["id_number"] not in raw and RARE["name"] not in raw


async def test_a_summary_that_lies_about_its_holder_is_caught_by_its_record(
    hostile: HostileServer, tmp_path: Path
) -> None:
    mine = signed_records("elder")[0]
    theirs = signed_records("rare")[2]  # genuinely signed, holder: the rare demo person
    lying = Signed({**theirs.record, "holder_code": ELDER["id_number"], "holder_name": ELDER["name"]}, "")
    hostile.serve([mine, lying], records=[mine, theirs])
    ctl, devices = hostile_controller(hostile, tmp_path)
    await ctl.start()
    try:
        devices.card.insert(0)
        await until(lambda: ctl.machine.step is Step.CONSENT)
        ctl.agree()
        data = ctl.machine.data
        assert data is not None
        await until(lambda: settled(ctl) and len(data.certificates) == 1)
        assert [c.identifier for c in certificate_cards(ctl.machine, TODAY)] == [mine.identifier]
        assert theirs.identifier not in data.records
    finally:
        await ctl.stop()
    refused = [
        e["data"] for e in audit_entries(ctl, tmp_path / "audit.jsonl") if e["event"] == "certificate_refused"
    ]
    assert [r["reason"] for r in refused] == [RECORD_SWAPPED]
    assert refused[0]["holder_code"] == mask_id(RARE["id_number"])


async def test_a_token_that_brings_anothers_certificate(hostile: HostileServer, tmp_path: Path) -> None:
    mine, theirs = signed_records("elder")[0], signed_records("rare")[0]
    hostile.serve([mine, theirs])
    hostile.script.token_holder = {
        "name": ELDER["name"],
        "holder_code": ELDER["id_number"],
        "holder_type": "111",
    }
    ctl, devices = hostile_controller(hostile, tmp_path)
    await ctl.start()
    try:
        ctl.start_session()
        devices.scanner.show("LZ:hostile-token-0001")
        await until(lambda: ctl.machine.step is Step.CONSENT)
        ctl.agree()
        await until(lambda: settled(ctl))
        assert [c.identifier for c in certificate_cards(ctl.machine, TODAY)] == [mine.identifier]
    finally:
        hostile.script.token_holder = None
        await ctl.stop()


async def test_a_licence_for_the_legal_representative_is_shown_with_the_relation(
    hostile: HostileServer, tmp_path: Path
) -> None:
    """The demo's 营业执照 (holder: a company) for its 法定代表人, with 代办 on screen and paper; a
    licence of the same company that names someone else as 法定代表人 is refused when it arrives."""
    records = signed_records("business")
    licence = next(r for r in records if r.record["holder_type"] == "001")
    face = [
        f if f["label"] != "法定代表人" else {"label": "法定代表人", "value": "张三"}
        for f in licence.record["face"]
    ]
    ident = licence.identifier.split(".")
    other_serial = ident[7][:-1] + ("9" if ident[7][-1] != "9" else "8")
    from kiosk.domain.identifiers import make_certificate_identifier

    not_his = resign(
        {
            **licence.record,
            "face": face,
            "identifier": make_certificate_identifier(ident[5], ident[6], other_serial),
        }
    )
    hostile.serve([records[0], licence, not_his])
    ctl, devices = hostile_controller(hostile, tmp_path)
    await ctl.start()
    try:
        devices.card.insert(3)  # the business demo person
        await until(lambda: ctl.machine.step is Step.CONSENT)
        ctl.agree()
        data = ctl.machine.data
        assert data is not None
        await until(lambda: settled(ctl) and len(data.certificates) == 2)
        cards = {c.identifier: c for c in certificate_cards(ctl.machine, TODAY)}
        assert set(cards) == {records[0].identifier, licence.identifier}
        assert cards[records[0].identifier].acting_for is None
        line = cards[licence.identifier].acting_for
        assert line is not None and "关系：法定代表人" in line and licence.record["holder_name"] in line
        assert cards[licence.identifier].badge.status == "valid"
        ctl.select(licence.identifier)
        view = detail_view(ctl.machine, TODAY, "柳江区政务服务中心", 30)
        assert view is not None and view.acting_for == line
        ctl.print_receipt()
        await until(lambda: data.printing.phase in ("done", "failed"))
        printed = receipt_text(printed_receipt(data))
        assert f"代办：{licence.record['holder_name']}" in printed and "关系：法定代表人" in printed
    finally:
        await ctl.stop()
    refused = [
        e["data"] for e in audit_entries(ctl, tmp_path / "audit.jsonl") if e["event"] == "certificate_refused"
    ]
    assert [r["reason"] for r in refused] == [NOT_NAMED]


# ---------------------------------------------------------------------------------------- the demo
def test_the_reference_servers_business_holder_still_sees_both_licences(tmp_path: Path) -> None:
    """config/default.toml allows the demo 营业执照: the business demo person sees their own
    certificates and both businesses' licences, each marked 代办 · 关系：法定代表人, all verified."""
    from kiosk.demo import demo_config
    from tests.support.refserver import running_refserver

    async def run(server: Any) -> None:
        config = demo_config(make_config(), server.embedded)
        ctl, devices = demo_controller(config, tmp_path / "audit.jsonl")
        await ctl.start()
        try:
            card: Any = devices.card
            card.insert(3)
            await until(lambda: ctl.machine.step is Step.CONSENT)
            ctl.agree()
            await until(lambda: settled(ctl))
            cards = certificate_cards(ctl.machine, TODAY)
        finally:
            await ctl.stop()
        licences = [c for c in cards if c.name == "营业执照"]
        assert len(cards) == 10 and len(licences) == 2
        assert all(c.acting_for and "关系：法定代表人" in c.acting_for for c in licences)
        assert all(c.acting_for is None for c in cards if c.name != "营业执照")
        assert all(c.badge.status == "valid" for c in cards)
        assert "certificate_refused" not in (tmp_path / "audit.jsonl").read_text(encoding="utf-8")

    with running_refserver(tmp_path / "server") as server:
        asyncio.run(run(server))
