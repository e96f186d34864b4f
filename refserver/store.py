"""The reference server's SQLite database: holders, signed records, terminals, tokens, logs.

One connection guarded by a lock: FastAPI runs the plain ``def`` endpoints in a thread pool, and the
data set is tiny, so serialising access is simpler and safer than a pool. The file is temporary
(demo and tests) and holds only the fictitious demo people.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS holders (
    key TEXT PRIMARY KEY, name TEXT NOT NULL, holder_code TEXT NOT NULL UNIQUE,
    holder_type TEXT NOT NULL, card_type TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS certificates (
    identifier TEXT PRIMARY KEY, holder_code TEXT NOT NULL, represented_by TEXT,
    type_code TEXT NOT NULL, record TEXT NOT NULL, key_id TEXT NOT NULL, signature TEXT NOT NULL,
    position INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS certificates_holder ON certificates (holder_code);
CREATE TABLE IF NOT EXISTS terminals (
    id TEXT PRIMARY KEY, secret TEXT NOT NULL, allowed_types TEXT NOT NULL,
    rate_per_minute INTEGER NOT NULL, algorithm TEXT NOT NULL DEFAULT 'hmac-sha256');
CREATE TABLE IF NOT EXISTS lz_tokens (
    token TEXT PRIMARY KEY, holder_code TEXT NOT NULL, identifiers TEXT NOT NULL,
    created_at REAL NOT NULL, expires_at REAL NOT NULL, used_at REAL, used_by TEXT);
CREATE TABLE IF NOT EXISTS usage_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, terminal_id TEXT NOT NULL,
    operation TEXT NOT NULL, holder_code TEXT, identifier TEXT, use_cause TEXT);
CREATE TABLE IF NOT EXISTS evaluations (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, terminal_id TEXT NOT NULL,
    service_ref TEXT NOT NULL, score INTEGER NOT NULL, reasons TEXT NOT NULL, comment TEXT);
CREATE TABLE IF NOT EXISTS bundles (
    grp TEXT PRIMARY KEY, version INTEGER NOT NULL, body TEXT NOT NULL, published_at REAL NOT NULL);
"""


@dataclass(frozen=True, slots=True)
class Terminal:
    id: str
    secret: str
    allowed_types: tuple[str, ...]  # empty: every type
    rate_per_minute: int
    algorithm: str = "hmac-sha256"  # or hmac-sm3

    def may_see(self, type_code: str) -> bool:
        return not self.allowed_types or type_code in self.allowed_types


@dataclass(frozen=True, slots=True)
class StoredRecord:
    identifier: str
    holder_code: str
    type_code: str
    record: dict[str, Any]
    key_id: str
    signature: str


@dataclass(frozen=True, slots=True)
class StoredHolder:
    key: str
    name: str
    holder_code: str
    holder_type: str
    card_type: str


class TokenProblem(Exception):
    """A 亮证 token that cannot be used; ``code`` is TOKEN_EXPIRED, TOKEN_USED or NOT_FOUND."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Store:
    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        # a demo/test database: WAL with NORMAL sync survives a crash of the process, and commits
        # do not wait for an fsync each (the usage log writes one row per call)
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return list(self._db.execute(sql, args).fetchall())

    # ------------------------------------------------------------------ meta / seed
    def is_seeded(self) -> bool:
        return bool(self._query("SELECT 1 FROM meta WHERE key='seeded'"))

    def mark_seeded(self) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('seeded', ?)", (str(time.time()),))

    def add_holder(self, h: StoredHolder) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO holders VALUES (?,?,?,?,?)",
                (h.key, h.name, h.holder_code, h.holder_type, h.card_type),
            )

    def add_record(self, rec: StoredRecord, represented_by: str | None, position: int) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO certificates VALUES (?,?,?,?,?,?,?,?)",
                (
                    rec.identifier,
                    rec.holder_code,
                    represented_by,
                    rec.type_code,
                    json.dumps(rec.record, ensure_ascii=False),
                    rec.key_id,
                    rec.signature,
                    position,
                ),
            )

    # ------------------------------------------------------------------ terminals
    def put_terminal(self, t: Terminal) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO terminals VALUES (?,?,?,?,?)",
                (t.id, t.secret, json.dumps(list(t.allowed_types)), t.rate_per_minute, t.algorithm),
            )

    def terminal(self, terminal_id: str) -> Terminal | None:
        rows = self._query(
            "SELECT id, secret, allowed_types, rate_per_minute, algorithm FROM terminals WHERE id=?",
            (terminal_id,),
        )
        if not rows:
            return None
        tid, secret, allowed, rate, algorithm = rows[0]
        return Terminal(tid, secret, tuple(json.loads(allowed)), int(rate), str(algorithm))

    # ------------------------------------------------------------------ holders and records
    def holder_by_key(self, key: str) -> StoredHolder | None:
        rows = self._query(
            "SELECT key, name, holder_code, holder_type, card_type FROM holders WHERE key=?", (key,)
        )
        return StoredHolder(*rows[0]) if rows else None

    def holder_by_code(self, code: str) -> StoredHolder | None:
        rows = self._query(
            "SELECT key, name, holder_code, holder_type, card_type FROM holders WHERE holder_code=?", (code,)
        )
        return StoredHolder(*rows[0]) if rows else None

    def records_for(self, holder_code: str) -> list[StoredRecord]:
        """A holder's own records and those of the entities they legally represent."""
        rows = self._query(
            "SELECT identifier, holder_code, type_code, record, key_id, signature FROM certificates "
            "WHERE holder_code=? OR represented_by=? ORDER BY position",
            (holder_code, holder_code),
        )
        return [StoredRecord(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5]) for r in rows]

    def record(self, identifier: str) -> StoredRecord | None:
        rows = self._query(
            "SELECT identifier, holder_code, type_code, record, key_id, signature FROM certificates "
            "WHERE identifier=?",
            (identifier,),
        )
        if not rows:
            return None
        r = rows[0]
        return StoredRecord(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5])

    # ------------------------------------------------------------------ 亮证 tokens
    def issue_token(self, holder_code: str, identifiers: Sequence[str], ttl_seconds: float) -> str:
        token = "LZ1-" + secrets.token_urlsafe(24)
        now = time.time()
        with self._tx() as db:
            db.execute(
                "INSERT INTO lz_tokens VALUES (?,?,?,?,?,NULL,NULL)",
                (token, holder_code, json.dumps(list(identifiers)), now, now + ttl_seconds),
            )
        return token

    def consume_token(self, token: str, terminal_id: str) -> tuple[str, list[str]]:
        """Mark a token used (atomically) and return its holder code and the identifiers shown."""
        now = time.time()
        with self._tx() as db:
            row = db.execute(
                "SELECT holder_code, identifiers, expires_at, used_at FROM lz_tokens WHERE token=?", (token,)
            ).fetchone()
            if row is None:
                raise TokenProblem("NOT_FOUND")
            holder_code, identifiers, expires_at, used_at = row
            if used_at is not None:
                raise TokenProblem("TOKEN_USED")
            if now >= expires_at:
                raise TokenProblem("TOKEN_EXPIRED")
            db.execute("UPDATE lz_tokens SET used_at=?, used_by=? WHERE token=?", (now, terminal_id, token))
        return holder_code, list(json.loads(identifiers))

    # ------------------------------------------------------------------ logs
    def log_use(
        self,
        terminal_id: str,
        operation: str,
        holder_code: str | None,
        identifier: str | None,
        use_cause: str | None,
    ) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO usage_log (at, terminal_id, operation, holder_code, identifier, use_cause) "
                "VALUES (?,?,?,?,?,?)",
                (time.time(), terminal_id, operation, holder_code, identifier, use_cause),
            )

    def usage(self, limit: int = 100) -> list[dict[str, Any]]:
        rows = self._query(
            "SELECT at, terminal_id, operation, holder_code, identifier, use_cause FROM usage_log "
            "ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        keys = ("at", "terminal_id", "operation", "holder_code", "identifier", "use_cause")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def add_evaluation(
        self, terminal_id: str, service_ref: str, score: int, reasons: Sequence[str], comment: str | None
    ) -> int:
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO evaluations (at, terminal_id, service_ref, score, reasons, comment) "
                "VALUES (?,?,?,?,?,?)",
                (
                    time.time(),
                    terminal_id,
                    service_ref,
                    score,
                    json.dumps(list(reasons), ensure_ascii=False),
                    comment,
                ),
            )
            return int(cur.lastrowid or 0)

    def evaluations(self) -> list[dict[str, Any]]:
        rows = self._query(
            "SELECT id, terminal_id, service_ref, score, reasons, comment FROM evaluations ORDER BY id"
        )
        return [
            {
                "id": r[0],
                "terminal_id": r[1],
                "service_ref": r[2],
                "score": r[3],
                "reasons": json.loads(r[4]),
                "comment": r[5],
            }
            for r in rows
        ]

    # ------------------------------------------------------------------ content bundles
    def bundle(self, group: str) -> dict[str, Any] | None:
        """The signed bundle published for a terminal group (refserver.bundles), or None."""
        rows = self._query("SELECT body FROM bundles WHERE grp=?", (group,))
        return dict(json.loads(rows[0][0])) if rows else None

    def bundle_version(self, group: str) -> int:
        rows = self._query("SELECT version FROM bundles WHERE grp=?", (group,))
        return int(rows[0][0]) if rows else 0

    def put_bundle(self, group: str, version: int, body: dict[str, Any]) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO bundles (grp, version, body, published_at) VALUES (?,?,?,?)",
                (group, version, json.dumps(body, ensure_ascii=False), time.time()),
            )
