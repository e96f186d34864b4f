"""咨询·投诉·举报 from the terminal's desk to the reference platform and back, over the real signed
HTTP channel: each kind, anonymous and identified, the backend down then up (delivered once, in
order), hostile text, the sealed outbox, the staff's answer read back with ticket and code."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from kiosk.complaints import ComplaintDesk, Entry, Identity, InvalidEntry, Kind
from kiosk.complaints.model import MAX_TEXT, TICKET, clean_phone, clean_text
from kiosk.complaints.sealing import seal
from refserver.complaints import DEMO_PLATFORM_PRIVATE_KEY, Unopenable, open_sealed
from tests.complaints.helpers import desk, refserver, staff_list
from tests.support.refserver import RefServer

PERSON = Identity("测试人员甲", "450221199001011234")


async def handed(d: ComplaintDesk, entry: Entry) -> tuple[str, str]:
    d.submit(entry)
    for _ in range(400):
        if d.handed is not None or d.error:
            break
        await asyncio.sleep(0.01)
    assert d.handed is not None, d.error
    ticket, code = d.handed.ticket, d.handed.code
    d.reset()
    return ticket, code


def by_ticket(server: RefServer, ticket: str) -> dict[str, object]:
    found = [e for e in staff_list(server.embedded.db_path) if e["ticket"] == ticket]
    assert len(found) == 1, f"{ticket} stored {len(found)} times"
    return found[0]


@pytest.mark.parametrize("kind", list(Kind))
async def test_each_kind_reaches_staff_decrypted(server: RefServer, tmp_path: Path, kind: Kind) -> None:
    backend = server.client()
    d = desk(tmp_path, backend)
    try:
        entry = Entry.make(kind, "不动产登记（二手房转移登记）", f"关于{kind.label}的内容：窗口排队时间长")
        ticket, code = await handed(d, entry)
        assert ticket.startswith(kind.prefix + "-") and TICKET.match(ticket) and len(code) == 4
        assert await d.outbox.flush() is True and d.outbox.pending() == []
    finally:
        await backend.aclose()
    stored = by_ticket(server, ticket)
    assert stored["kind"] == kind.value and stored["state"] == "received"
    assert stored["text"] == f"关于{kind.label}的内容：窗口排队时间长"
    assert stored["matter"] == "不动产登记（二手房转移登记）"
    assert stored["identity"] is None and stored["phone"] is None


async def test_identified_with_consent_and_anonymous_report(server: RefServer, tmp_path: Path) -> None:
    backend = server.client()
    d = desk(tmp_path, backend)
    try:
        with_consent = Entry.make(
            Kind.COMPLAINT, "其他", "投诉内容", phone="0772-7212345", identity=PERSON, consented=True
        )
        no_consent = Entry.make(Kind.CONSULT, "其他", "咨询内容", identity=PERSON, consented=False)
        anonymous = Entry.make(
            Kind.REPORT,
            "中介机构或中介服务",
            "举报内容",
            phone="13800138000",
            identity=PERSON,
            consented=True,
            anonymous=True,
        )
        tickets = [(await handed(d, e))[0] for e in (with_consent, no_consent, anonymous)]
        assert await d.outbox.flush() is True
    finally:
        await backend.aclose()
    first, second, third = (by_ticket(server, t) for t in tickets)
    assert first["identity"] == {"name": PERSON.name, "id_number": PERSON.id_number}
    assert first["phone"] == "0772-7212345"
    assert second["identity"] is None  # read, but the citizen did not agree: never sent
    assert third["identity"] is None and third["phone"] is None  # anonymous: no way back to them
    with pytest.raises(InvalidEntry):
        Entry.make(Kind.COMPLAINT, "其他", "内容", anonymous=True)  # only a report may be anonymous


async def test_backend_down_then_up_delivers_once_in_order(server: RefServer, tmp_path: Path) -> None:
    backend = server.client()
    d = desk(tmp_path, backend)
    try:
        server.set_fault("status", status=503, path_prefix="/v1/complaints")
        tickets = [(await handed(d, Entry.make(Kind.CONSULT, "其他", f"第{n}条咨询")))[0] for n in range(3)]
        assert await d.outbox.flush() is False  # down: everything kept, nothing claimed
        assert [e.ticket for e in d.outbox.pending()] == tickets
        assert not any(e["ticket"] in tickets for e in staff_list(server.embedded.db_path))
        server.clear_faults()
        d.outbox.max_delay = 0.05
        runner = asyncio.create_task(d.outbox.run())
        for _ in range(200):
            if not d.outbox.pending():
                break
            await asyncio.sleep(0.05)
        runner.cancel()
        assert d.outbox.pending() == []
        # a resend of the same sealed entry (an answer lost on the way back) adds nothing
        again = seal(
            Entry.make(Kind.CONSULT, "其他", "重发").payload(tickets[0], "0000", "LJ-TEST-01", d._now()),
            d.config.platform_key,
        )
        assert await backend.submit_complaint(tickets[0], again) == "received"
    finally:
        await backend.aclose()
    stored = [e for e in staff_list(server.embedded.db_path) if e["ticket"] in tickets]
    assert [e["ticket"] for e in stored] == tickets  # once each, in the order handed in
    assert [e["text"] for e in stored] == ["第0条咨询", "第1条咨询", "第2条咨询"]


async def test_hostile_text_is_cleaned_and_kept_literally(server: RefServer, tmp_path: Path) -> None:
    hostile = "[b]加粗[/b][color=ff0000]红[/color]<script>x</script>\x00\x1b[31m\u202e倒\u200b" + "长" * 5000
    entry = Entry.make(Kind.COMPLAINT, "[i]事项[/i]\x07", hostile)
    assert len(entry.text) == MAX_TEXT
    assert not any(ch in entry.text for ch in "\x00\x1b\u202e\u200b")
    assert entry.text.startswith("[b]加粗[/b][color=ff0000]红[/color]<script>x</script>[31m倒长")
    backend = server.client()
    d = desk(tmp_path, backend)
    try:
        ticket, _ = await handed(d, entry)
        assert await d.outbox.flush() is True
    finally:
        await backend.aclose()
    stored = by_ticket(server, ticket)
    assert stored["text"] == entry.text and stored["matter"] == "[i]事项[/i]"
    listed = refserver("complaints", "list", "--db", str(server.embedded.db_path))
    assert "\x1b" not in listed.stdout  # staff's terminal gets no escape codes either


def test_text_and_phone_rules() -> None:
    assert clean_text("  一\t二  \n\n 三 ") == "一 二\n三"
    for good in ("13800138000", "+86 138 0013 8000", "0772-7212345", "07727212345", "010-12345678-801"):
        assert clean_phone(good), good
    for bad in ("12345", "1380013800", "23800138000", "7212345", "abc", "0772-72123456789"):
        assert clean_phone(bad) is None, bad
    with pytest.raises(InvalidEntry, match="电话号码"):
        Entry.make(Kind.CONSULT, "其他", "内容", phone="12345")
    with pytest.raises(InvalidEntry):
        Entry.make(Kind.CONSULT, "其他", " \x00 ")


async def test_the_outbox_cannot_be_read_without_the_platform_key(server: RefServer, tmp_path: Path) -> None:
    d = desk(tmp_path, None)  # no backend: the entry stays in the outbox
    text, phone = "机密投诉内容：某窗口收取好处费", "13912345678"
    entry = Entry.make(Kind.COMPLAINT, "其他", text, phone=phone, identity=PERSON, consented=True)
    ticket, code = await handed(d, entry)
    raw = (tmp_path / "complaints-outbox.jsonl").read_bytes()
    for secret in (text, phone, PERSON.name, PERSON.id_number, "机密", code + '"'):
        for encoding in ("utf-8", "utf-16-le", "gbk"):
            assert secret.encode(encoding) not in raw
    assert b"\\u" not in raw  # not even JSON-escaped
    line = json.loads(raw.decode().splitlines()[0])
    sealed = base64.b64decode(line["sealed"])
    other_key = "1" * 63 + "7"
    with pytest.raises(Unopenable):
        open_sealed(sealed, other_key)
    opened = json.loads(open_sealed(sealed, DEMO_PLATFORM_PRIVATE_KEY))
    assert opened["text"] == text and opened["phone"] == phone and opened["code"] == code
    assert opened["ticket"] == ticket
    # a damaged ciphertext is refused, not opened into noise
    damaged = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(Unopenable):
        open_sealed(damaged, DEMO_PLATFORM_PRIVATE_KEY)
    # the status page says "not yet delivered" for it, without asking anyone
    d.ask_status(ticket, code)
    for _ in range(200):
        if d.status.phase != "asking":
            break
        await asyncio.sleep(0.01)
    assert d.status.state == "waiting"


async def test_staff_answer_is_read_back_with_ticket_and_code(server: RefServer, tmp_path: Path) -> None:
    backend = server.client()
    d = desk(tmp_path, backend)

    async def ask(ticket: str, code: str) -> None:
        d.ask_status(ticket, code)
        for _ in range(400):
            if d.status.phase not in ("asking",):
                break
            await asyncio.sleep(0.01)

    try:
        ticket, code = await handed(d, Entry.make(Kind.CONSULT, "其他", "请问营业执照要带什么材料"))
        assert await d.outbox.flush() is True
        await ask(ticket, code)
        assert d.status.phase == "shown" and d.status.state_text == "已受理" and d.status.answer is None
        done = refserver(
            "complaints",
            "answer",
            "--db",
            str(server.embedded.db_path),
            ticket,
            "--state",
            "answered",
            "--text",
            "请携带身份证原件，详见办事指南。",
        )
        assert done.returncode == 0, done.stderr
        await ask(ticket, code)
        assert d.status.state_text == "已答复" and d.status.answer == "请携带身份证原件，详见办事指南。"
        wrong = "0000" if code != "0000" else "1111"
        await ask(ticket, wrong)
        assert d.status.phase == "failed" and "查询码不正确" in d.status.message
        for _ in range(4):
            await ask(ticket, wrong)
        await ask(ticket, code)  # locked now, even with the right code
        assert d.status.phase == "failed" and "错误次数过多" in d.status.message
        await ask("TS-1234", "12")
        assert d.status.phase == "failed" and "完整的受理编号" in d.status.message
    finally:
        await backend.aclose()
    unknown = refserver("complaints", "answer", "--db", str(server.embedded.db_path), "TS-2222-3333")
    assert unknown.returncode == 1


async def test_the_phone_page_from_the_slip_qr(server: RefServer, tmp_path: Path) -> None:
    backend = server.client()
    d = desk(tmp_path, backend)
    try:
        ticket, code = await handed(d, Entry.make(Kind.COMPLAINT, "其他", "<b>投诉</b>"))
        assert await d.outbox.flush() is True
    finally:
        await backend.aclose()
    with httpx.Client(base_url=server.url, trust_env=False) as phone:  # unsigned, like a phone
        page = phone.get("/complaints/status", params={"t": ticket, "c": code})
        assert page.status_code == 200 and "已受理" in page.text and ticket in page.text
        assert phone.get("/complaints/status", params={"t": ticket, "c": "99999"}).status_code == 400
        assert phone.get("/complaints/status", params={"t": "TS-2222-3333", "c": "1234"}).status_code == 404
        # the signed endpoints stay signed
        assert phone.post("/v1/complaints/status", json={"ticket": ticket, "code": code}).status_code == 401


async def test_an_entry_not_sealed_to_the_platform_is_refused(server: RefServer) -> None:
    from kiosk.backend.errors import BackendError, BackendErrorKind

    backend = server.client()
    other_public = (
        "04"
        + "32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7"
        + ("bc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0")
    )  # the SM2 generator: a valid key whose private half is 1, not the platform's
    entry = Entry.make(Kind.CONSULT, "其他", "内容")
    sealed = seal(entry.payload("ZX-2222-3333", "1234", "LJ-TEST-01", datetime.now()), other_public)
    try:
        with pytest.raises(BackendError) as refused:
            await backend.submit_complaint("ZX-2222-3333", sealed)
        assert refused.value.kind is BackendErrorKind.INVALID_REQUEST
    finally:
        await backend.aclose()
