"""The audit log's writer thread: ``record`` returns while the disk is still busy (the caller is the
UI loop), entries from many threads land in order with an intact chain, and after ``close`` entries
are written at once by their caller."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from kiosk.audit import AuditLog, verify_chain


def test_record_returns_while_the_disk_is_stuck(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    audit = AuditLog(path)  # a new log: no file yet
    os.mkfifo(path)  # opening it for writing blocks until someone reads: a disk that does not answer
    audit.record("session_started", session="s1")  # would hang here if the caller wrote
    assert not audit.flush(timeout=0.3)  # queued, not yet written
    with path.open("rb") as reader:  # the disk answers
        assert audit.flush(timeout=5)
        line = reader.readline()
    entry = json.loads(line)
    assert entry["event"] == "session_started" and entry["seq"] == 1 and entry["data"] == {"session": "s1"}
    audit.close()


def test_entries_from_many_threads_land_in_order(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    audit = AuditLog(path)

    def caller(t: int) -> None:
        for i in range(200):
            audit.record("tick", thread=t, i=i)

    threads = [threading.Thread(target=caller, args=(t,)) for t in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    audit.close()
    report = verify_chain(path)
    assert report.ok and report.entries == 1200
    seen: dict[int, list[int]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        data = json.loads(raw)["data"]
        seen.setdefault(data["thread"], []).append(data["i"])
    assert seen == {t: list(range(200)) for t in range(6)}  # each caller's entries in its order


def test_after_close_the_caller_writes_and_the_writer_is_gone(tmp_path: Path) -> None:
    def writers() -> int:
        return sum(t.name == "audit-writer" for t in threading.enumerate())

    path = tmp_path / "audit.jsonl"
    before = writers()  # other tests' logs may still have theirs
    audit = AuditLog(path)
    audit.record("terminal_started", terminal="T1")
    assert writers() == before + 1
    audit.close()
    assert writers() == before
    audit.record("late", n=1)  # e.g. an observer that fires as the app shuts down
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["event"] for line in lines] == ["terminal_started", "late"]
    assert verify_chain(path).ok
