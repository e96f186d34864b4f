"""The result of one check and of a whole run, with JSON and a short summary for a QR code."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["ok", "warning", "failure"]
RANK = {"ok": 0, "warning": 1, "failure": 2}
LABELS = {"ok": "正常", "warning": "警告", "failure": "故障"}


@dataclass(frozen=True)
class CheckResult:
    name: str  # stable id: card, camera, printer, backend, clock, disk, font, config
    title: str  # Chinese, for people
    status: Status
    value: str  # what was measured, one line
    hint: str = ""  # the fix in Chinese, one line per fault found (empty when ok)
    details: dict[str, Any] = field(default_factory=dict)  # numbers for machines (--json)
    seconds: float = 0.0

    @property
    def remedies(self) -> list[str]:
        """One fix per fault found (a printer out of paper with its cover open has two)."""
        return [line for line in self.hint.splitlines() if line.strip()]


@dataclass(frozen=True)
class Report:
    terminal_id: str
    created_at: str  # ISO 8601 with offset
    version: str
    simulated: bool
    checks: tuple[CheckResult, ...]

    @property
    def status(self) -> Status:
        worst: Status = "ok"
        for check in self.checks:
            if RANK[check.status] > RANK[worst]:
                worst = check.status
        return worst

    def by_name(self, name: str) -> CheckResult:
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "terminal_id": self.terminal_id,
            "created_at": self.created_at,
            "version": self.version,
            "simulated": self.simulated,
            "status": self.status,
            "checks": [asdict(c) for c in self.checks],
        }

    def summary(self) -> str:
        """Short enough for a QR code a technician scans from the screen: status per check and hints
        of the failing ones."""
        marks = {"ok": "OK", "warning": "WARN", "failure": "FAIL"}
        lines = [f"KIOSK-DIAG {self.terminal_id} {self.created_at} {marks[self.status]}"]
        lines += [f"{c.name}:{marks[c.status]} {c.value[:60]}" for c in self.checks]
        lines += [f"! {c.name}: {remedy}" for c in self.checks if c.status != "ok" for remedy in c.remedies]
        return "\n".join(lines)
