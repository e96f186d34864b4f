"""The audit log's hash chain: intact, edited, reordered, truncated, and no personal data in it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.audit import AuditLog, verify_chain
from kiosk.cli import main


def filled(tmp_path: Path, n: int = 5) -> Path:
    log = AuditLog(tmp_path / "audit.jsonl")
    for i in range(n):
        log.record("event", i=i)
    log.close()
    return log.path


def test_chain_verifies_and_continues_across_restarts(tmp_path: Path) -> None:
    path = filled(tmp_path, 3)
    log = AuditLog(path)
    log.record("after_restart")
    log.close()
    report = verify_chain(path)
    assert report.ok and report.entries == 4


@pytest.mark.parametrize("tamper", ["edit", "delete", "swap"])
def test_tampering_is_found(tmp_path: Path, tamper: str) -> None:
    path = filled(tmp_path)
    lines = path.read_text().splitlines()
    if tamper == "edit":
        entry = json.loads(lines[2])
        entry["data"]["i"] = 99
        lines[2] = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    elif tamper == "delete":
        del lines[1]
    else:
        lines[1], lines[2] = lines[2], lines[1]
    path.write_text("\n".join(lines) + "\n")
    report = verify_chain(path)
    assert not report.ok and report.line in (2, 3)


def test_id_numbers_are_masked_even_if_passed(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "a.jsonl")
    log.record("oops", note="holder 450206195803120088 asked")
    log.flush()
    text = log.path.read_text()
    assert "450206195803120088" not in text and "4502**********0088" in text


def test_audit_verify_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = filled(tmp_path)
    assert main(["audit", "verify", str(path)]) == 0
    path.write_text(path.read_text().replace('"i":1', '"i":7'))
    assert main(["audit", "verify", str(path)]) == 1
    assert "BROKEN at line 2" in capsys.readouterr().out
