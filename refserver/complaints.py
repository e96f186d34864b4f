"""The 政务服务咨询投诉举报平台 of the reference server: terminals hand in 咨询·投诉·举报 sealed to
the platform's SM2 key; staff list and answer them; citizens read the answer with ticket and code.

Endpoints (signed like every /v1 call, refserver/gate.py):

* ``POST /v1/complaints`` ``{"ticket", "sealed"}`` (base64 of 04||C1||C3||C2): the platform opens
  it with its private key, checks it and stores it. The same ticket again is the same entry (the
  terminal's outbox may resend after an answer was lost): 200 with the stored state, nothing added.
* ``POST /v1/complaints/status`` ``{"ticket", "code"}``: 已受理 / 办理中 / 已答复 and the answer.
  A wrong code and an unknown ticket answer alike (404); after :data:`MAX_WRONG_CODES` wrong codes
  a ticket answers 429 for :data:`LOCK_SECONDS` (four digits must not be guessable).

And one public page, ``GET /complaints/status?t=&c=`` (no terminal signature: a citizen's phone opens
it from the slip's QR), with the same limits.

DEMO KEY: :data:`DEMO_PLATFORM_PRIVATE_KEY` is committed on purpose so that demo mode and the tests
are reproducible. It protects nothing. A real platform keeps its private key to itself, and the
terminals are configured with its public key ([complaints] platform_key).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import html
import json
import re
import sys
import time
import unicodedata
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Query
from fastapi.responses import HTMLResponse, JSONResponse
from gmssl import sm2, sm3
from pydantic import BaseModel, ConfigDict, Field

from refserver.app import ApiError, Authed  # refserver.app imports this module only inside create_app
from refserver.store import Store

# DEMO ONLY — 演示用测试密钥，仅供演示与测试，绝不可用于生产环境。
DEMO_PLATFORM_PRIVATE_KEY = "7e574b3d73961bd7fd0fde9496910a1ee93c1816a334d17ed4602b124c202899"
DEMO_PLATFORM_PUBLIC_KEY = (
    "04"
    "6849c241b951fa293fd985672c3d91e724cfa00f238189c4b6ce4f90c46b7943"
    "501913443c0e4903cd22216c415bd2d5c455fced6ef2f3fdbed1b2e8244151ce"
)

TICKET_PATTERN = r"^(ZX|TS|JB)-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$"
CODE_PATTERN = r"^[0-9]{4}$"
MAX_SEALED_BYTES = 8_000  # a 500-character text and the rest, sealed, is about 2 KB
MAX_WRONG_CODES = 5
LOCK_SECONDS = 900.0
STATES = {"received": "已受理", "in_progress": "办理中", "answered": "已答复"}
KINDS = {"consult": "咨询", "complaint": "投诉", "report": "举报"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS complaints (
    ticket TEXT PRIMARY KEY, at REAL NOT NULL, terminal_id TEXT NOT NULL, kind TEXT NOT NULL,
    matter TEXT NOT NULL, body TEXT NOT NULL, phone TEXT, identity TEXT, code TEXT NOT NULL,
    state TEXT NOT NULL, answer TEXT, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS complaint_tries (
    ticket TEXT PRIMARY KEY, wrong INTEGER NOT NULL, locked_until REAL NOT NULL);
"""

_P = int(sm2.default_ecc_table["p"], 16)
_A = int(sm2.default_ecc_table["a"], 16)
_B = int(sm2.default_ecc_table["b"], 16)


class Unopenable(ValueError):
    """Not sealed to this platform's key, damaged, or not an entry."""


def open_sealed(sealed: bytes, private_key_hex: str = DEMO_PLATFORM_PRIVATE_KEY) -> bytes:
    """Decrypt ``04||C1||C3||C2`` (GM/T 0003.4, C1C3C2) and check C3.

    gmssl's decrypt computes C3 but never compares it (any key "opens" any ciphertext into noise),
    and does not check that C1 is a point of the curve: both are checked here.
    """
    if len(sealed) < 1 + 64 + 32 + 1 or sealed[0] != 4:
        raise Unopenable("not an SM2 ciphertext")
    c1, c3, c2 = sealed[1:65], sealed[65:97], sealed[97:]
    x, y = int.from_bytes(c1[:32], "big"), int.from_bytes(c1[32:], "big")
    if not (x < _P and y < _P and (y * y - (x**3 + _A * x + _B)) % _P == 0):
        raise Unopenable("C1 is not a point of the curve")
    crypt = sm2.CryptSM2(private_key=private_key_hex, public_key="00" * 64, mode=1)
    xy = crypt._kg(int(private_key_hex, 16), c1.hex())
    x2, y2 = bytes.fromhex(xy[:64]), bytes.fromhex(xy[64:])
    t = bytes.fromhex(sm3.sm3_kdf(xy.encode("utf8"), len(c2)))
    message = bytes(a ^ b for a, b in zip(c2, t, strict=True))
    if sm3.sm3_hash(list(x2 + message + y2)) != c3.hex():
        raise Unopenable("C3 does not match: sealed to another key, or damaged")
    return message


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ComplaintRequest(_Body):
    ticket: str = Field(pattern=TICKET_PATTERN, description="the ticket the terminal handed out")
    sealed: str = Field(
        min_length=132,  # 04 || C1 (64) || C3 (32) || at least one byte
        max_length=MAX_SEALED_BYTES * 4 // 3 + 4,
        pattern=r"^[A-Za-z0-9+/]+={0,2}$",
        description="base64 of the SM2 ciphertext 04||C1||C3||C2 (GM/T 0003.4) sealed to the platform's key; "
        "403 when the platform cannot open it",
    )


class StatusRequest(_Body):
    ticket: str = Field(pattern=TICKET_PATTERN)
    code: str = Field(pattern=CODE_PATTERN)


class ComplaintAnswer(BaseModel):
    ticket: str
    state: Literal["received", "in_progress", "answered"]


class StatusAnswer(BaseModel):
    ticket: str
    kind: Literal["consult", "complaint", "report"]
    state: Literal["received", "in_progress", "answered"]
    answer: str | None = None
    updated: str = Field(description="ISO 8601 UTC")


class _Entry(BaseModel):
    """The sealed JSON, as the terminal builds it (kiosk/complaints/model.py)."""

    model_config = ConfigDict(extra="ignore")
    v: Literal[1]
    ticket: str = Field(pattern=TICKET_PATTERN)
    code: str = Field(pattern=CODE_PATTERN)
    kind: Literal["consult", "complaint", "report"]
    matter: str = Field(max_length=200)
    text: str = Field(min_length=1, max_length=2000)
    phone: str | None = Field(default=None, max_length=40)
    identity: dict[str, str] | None = None


def _iso(at: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))


class ComplaintBook:
    """The complaints table in the server's SQLite file."""

    def __init__(self, store: Store, private_key_hex: str = DEMO_PLATFORM_PRIVATE_KEY) -> None:
        self.store = store
        self.private_key = private_key_hex
        with store._tx() as db:
            for statement in SCHEMA.strip().split(";"):
                if statement.strip():
                    db.execute(statement)

    def submit(self, terminal_id: str, ticket: str, sealed: bytes) -> tuple[str, bool]:
        """Open, check and store; (state, created). The same ticket again: (its state, False)."""
        known = self.store._query("SELECT state FROM complaints WHERE ticket=?", (ticket,))
        if known:
            return str(known[0][0]), False
        try:
            entry = _Entry.model_validate_json(open_sealed(sealed, self.private_key))
        except (Unopenable, ValueError) as exc:
            raise Unopenable(str(exc)) from None
        if entry.ticket != ticket:
            raise Unopenable("the sealed ticket is not the one named")
        with self.store._tx() as db:
            cur = db.execute(
                "INSERT OR IGNORE INTO complaints (ticket, at, terminal_id, kind, matter, body, phone, "
                "identity, code, state, answer, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    ticket,
                    time.time(),
                    terminal_id,
                    entry.kind,
                    entry.matter,
                    entry.text,
                    entry.phone,
                    json.dumps(entry.identity, ensure_ascii=False) if entry.identity else None,
                    entry.code,
                    "received",
                    None,
                    time.time(),
                ),
            )
            created = cur.rowcount == 1
        return "received", created

    def status(self, ticket: str, code: str) -> dict[str, Any] | Literal["locked"] | None:
        """The state for the right code; None for a wrong code or unknown ticket; "locked" after
        too many wrong codes (until LOCK_SECONDS have passed)."""
        now = time.time()
        tries = self.store._query("SELECT wrong, locked_until FROM complaint_tries WHERE ticket=?", (ticket,))
        if tries and tries[0][1] > now:
            return "locked"
        rows = self.store._query(
            "SELECT kind, state, answer, updated, code FROM complaints WHERE ticket=?", (ticket,)
        )
        if not rows or rows[0][4] != code:
            wrong = (tries[0][0] if tries else 0) + 1
            locked = now + LOCK_SECONDS if wrong >= MAX_WRONG_CODES else 0.0
            with self.store._tx() as db:
                db.execute(
                    "INSERT OR REPLACE INTO complaint_tries VALUES (?,?,?)",
                    (ticket, 0 if locked else wrong, locked),
                )
            return None
        with self.store._tx() as db:
            db.execute("DELETE FROM complaint_tries WHERE ticket=?", (ticket,))
        kind, state, answer, updated, _ = rows[0]
        return {"ticket": ticket, "kind": kind, "state": state, "answer": answer, "updated": _iso(updated)}

    def answer(self, ticket: str, state: str, text: str | None) -> bool:
        if state not in STATES:
            raise ValueError(f"state must be one of {', '.join(STATES)}")
        with self.store._tx() as db:
            cur = db.execute(
                "UPDATE complaints SET state=?, answer=COALESCE(?, answer), updated=? WHERE ticket=?",
                (state, text, time.time(), ticket),
            )
            return cur.rowcount == 1

    def entries(self) -> list[dict[str, Any]]:
        rows = self.store._query(
            "SELECT ticket, at, terminal_id, kind, matter, body, phone, identity, state, answer "
            "FROM complaints ORDER BY at, rowid"
        )
        keys = (
            "ticket",
            "at",
            "terminal_id",
            "kind",
            "matter",
            "text",
            "phone",
            "identity",
            "state",
            "answer",
        )
        out = [dict(zip(keys, r, strict=True)) for r in rows]
        for e in out:
            e["identity"] = json.loads(e["identity"]) if e["identity"] else None
            e["at"] = _iso(e["at"])
        return out


# ---------------------------------------------------------------------- HTTP


def add_complaint_routes(app: FastAPI, store: Store, errors: dict[int | str, dict[str, Any]]) -> None:
    """The three routes on the server's app (refserver/app.py calls this)."""
    book = ComplaintBook(store)
    app.state.complaints = book

    @app.post(
        "/v1/complaints",
        status_code=201,
        response_model=ComplaintAnswer,
        responses={200: {"model": ComplaintAnswer, "description": "already received"}, **errors},
        tags=["complaints"],
    )
    def submit(body: ComplaintRequest, terminal: Authed) -> Any:
        # 403, not 400: the request has the documented form (a schema cannot say what decrypts),
        # but the platform refuses what it cannot open; the terminal drops it as final
        try:
            sealed = base64.b64decode(body.sealed, validate=True)
            state, created = book.submit(terminal.id, body.ticket, sealed)
        except (binascii.Error, Unopenable, ValueError):
            raise ApiError(403, "INVALID_REQUEST", "entry not sealed to this platform, or damaged") from None
        return JSONResponse({"ticket": body.ticket, "state": state}, status_code=201 if created else 200)

    @app.post(
        "/v1/complaints/status",
        response_model=StatusAnswer,
        responses=errors,
        tags=["complaints"],
    )
    def status(body: StatusRequest, terminal: Authed) -> dict[str, Any]:
        found = book.status(body.ticket, body.code)
        if found == "locked":
            raise ApiError(429, "RATE_LIMITED", "too many wrong codes for this ticket; try later")
        if found is None:
            raise ApiError(404, "NOT_FOUND", "no such ticket and code")
        return found

    @app.get("/complaints/status", include_in_schema=False, response_class=HTMLResponse)
    def phone_page(
        t: Annotated[str, Query(max_length=20)] = "", c: Annotated[str, Query(max_length=8)] = ""
    ) -> HTMLResponse:
        """What a phone shows from the slip's QR (public: the ticket and code are the key)."""
        if not (re.match(TICKET_PATTERN, t) and re.match(CODE_PATTERN, c)):
            return _page("查询编号或查询码格式不正确", status=400)
        found = book.status(t, c)
        if found == "locked":
            return _page("查询码错误次数过多，请15分钟后再试", status=429)
        if found is None:
            return _page("未找到该编号，或查询码不正确。刚提交的事项可能尚未送达，请稍后再查。", status=404)
        lines = [f"编号：{t}", f"类别：{KINDS[found['kind']]}", f"状态：{STATES[found['state']]}"]
        if found["answer"]:
            lines.append(f"答复：{found['answer']}")
        return _page("\n".join(lines))


def _page(text: str, status: int = 200) -> HTMLResponse:
    body = "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n"))
    doc = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        "<title>咨询投诉举报 办理状态</title></head><body><h1>咨询投诉举报 办理状态</h1>"
        f"{body}<p>也可拨打12345热线查询。</p></body></html>"
    )
    return HTMLResponse(doc, status_code=status, headers={"Cache-Control": "no-store"})


# ---------------------------------------------------------------------- staff CLI


def _clean(text: str) -> str:
    """For a staff terminal: control characters shown as \\x.. (a complaint could carry escape codes)."""
    return "".join(
        ch if ch == "\n" or unicodedata.category(ch)[0] != "C" else f"\\x{ord(ch):02x}" for ch in text
    )


def _list(args: argparse.Namespace) -> int:
    store = Store(args.db)
    try:
        entries = ComplaintBook(store).entries()
    finally:
        store.close()
    if args.json:
        print(json.dumps(entries, ensure_ascii=False, indent=1))
        return 0
    if not entries:
        print("（暂无咨询投诉举报）")
    for e in entries:
        who = "匿名" if e["identity"] is None else f"{e['identity'].get('name', '')}（已同意提供身份）"
        print(f"{e['ticket']}  {e['at']}  {KINDS[e['kind']]}  {STATES[e['state']]}  终端 {e['terminal_id']}")
        print(f"  事项：{_clean(e['matter'])}  来自：{who}  电话：{e['phone'] or '未留'}")
        print("  内容：" + _clean(e["text"]).replace("\n", "\n        "))
        if e["answer"]:
            print("  答复：" + _clean(e["answer"]))
    return 0


def _answer(args: argparse.Namespace) -> int:
    if not re.match(TICKET_PATTERN, args.ticket):
        print(f"refserver: not a ticket: {args.ticket!r}", file=sys.stderr)
        return 2
    store = Store(args.db)
    try:
        done = ComplaintBook(store).answer(args.ticket, args.state, args.text or None)
    finally:
        store.close()
    if not done:
        print(f"refserver: no complaint {args.ticket}", file=sys.stderr)
        return 1
    print(f"refserver: {args.ticket} → {STATES[args.state]}")
    return 0


def add_cli(sub: Any) -> None:
    """``refserver complaints list|answer`` (refserver/cli.py calls this)."""
    c = sub.add_parser("complaints", help="咨询投诉举报: list and answer (staff)")
    csub = c.add_subparsers(dest="complaints_command", metavar="ACTION", required=True)
    li = csub.add_parser("list", help="every entry, decrypted, oldest first")
    li.add_argument("--db", required=True, help="the server's SQLite file")
    li.add_argument("--json", action="store_true", help="as JSON")
    li.set_defaults(handler=_list)
    an = csub.add_parser("answer", help="set an entry's state and answer")
    an.add_argument("--db", required=True, help="the server's SQLite file")
    an.add_argument("ticket", help="e.g. TS-7K4M-9QX2")
    an.add_argument("--state", choices=tuple(STATES), default="answered")
    an.add_argument("--text", default="", help="the answer the citizen reads (optional for in_progress)")
    an.set_defaults(handler=_answer)
