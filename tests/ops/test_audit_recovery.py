"""The audit log after a power cut or SIGKILL mid-write: a torn last line is cut on open, the event
``audit_recovered`` says so, and the chain verifies; complete lines are never "repaired"."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kiosk.audit import AuditLog, verify_chain

KIOSK = Path(sys.executable).with_name("kiosk")


def _log_with(path: Path, n: int) -> None:
    audit = AuditLog(path)
    for i in range(n):
        audit.record("session_started", session=f"s{i}")
    audit.close()


def test_torn_tail_is_cut_and_recorded(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _log_with(path, 3)
    whole = path.read_bytes()
    with path.open("ab") as fh:
        fh.write(b'{"seq":4,"ts":"2026-11-29T08:00:00+0000","event":"session_en')  # the power went here
    assert not verify_chain(path).ok

    audit = AuditLog(path)
    audit.record("terminal_started", terminal="T1")
    audit.close()
    report = verify_chain(path)
    assert report.ok and report.entries == 5
    lines = path.read_text(encoding="utf-8").splitlines()
    assert path.read_bytes().startswith(whole)
    assert '"event":"audit_recovered"' in lines[3] and '"dropped_bytes":' in lines[3]
    result = subprocess.run(
        [str(KIOSK), "audit", "verify", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_complete_last_line_without_newline_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _log_with(path, 2)
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    audit = AuditLog(path)
    audit.record("terminal_started", terminal="T1")
    audit.close()
    report = verify_chain(path)
    assert report.ok and report.entries == 3
    assert "audit_recovered" not in path.read_text(encoding="utf-8")


def test_an_edited_line_is_not_repaired_but_reported(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _log_with(path, 3)
    text = path.read_text(encoding="utf-8").replace('"s1"', '"sX"')
    path.write_text(text, encoding="utf-8")
    AuditLog(path)
    report = verify_chain(path)
    assert not report.ok and report.line == 2


def test_an_unwritable_state_dir_loses_the_entry_but_not_the_service(tmp_path: Path) -> None:
    blocked = tmp_path / "state"
    blocked.write_text("")  # a file where the state directory should be: writes fail even as root
    audit = AuditLog(blocked / "audit.jsonl")
    seen: list[str] = []
    audit.listeners.append(lambda event, data: seen.append(event))
    audit.record("session_started", session="s1")
    assert seen == ["session_started"]  # metrics still count what happened
    assert audit.flush(timeout=5)  # the failed write neither hangs nor kills the writer
    blocked.unlink()  # the state directory comes back: the chain starts cleanly, nothing half-written
    audit.record("session_ended", session="s1")
    audit.close()
    report = verify_chain(blocked / "audit.jsonl")
    assert report.ok and report.entries == 1


def test_a_full_disk_drops_log_records_quietly(tmp_path: Path) -> None:
    import contextlib
    import logging

    from kiosk.logsetup import setup_logging

    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "kiosk.log").symlink_to("/dev/full")  # every write: ENOSPC, as on a full disk
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        setup_logging(logs, to_stderr=False)
        for _ in range(50):
            logging.getLogger("kiosk.test").warning("a record the full disk cannot take")
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
            with contextlib.suppress(OSError):  # closing flushes into the full disk once more
                handler.close()
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
