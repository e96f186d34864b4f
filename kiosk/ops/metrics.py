"""Prometheus metrics of one terminal, for a fleet's monitoring stack (scraped on 127.0.0.1).

The counters follow the audit trail (every session event already passes through
:class:`kiosk.audit.AuditLog`), so no screen or controller path needs its own counting code. Labels
are closed vocabularies only (reasons, steps, device states, error codes); anything that is not in
the vocabulary becomes ``other`` so that no personal data can ever reach a label value.
"""

from __future__ import annotations

import re
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

DEVICE_STATES = ("ok", "degraded", "down", "unknown")
PAPER_STATES = ("ok", "near_end", "out", "unknown")
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,40}$")  # error codes look like backend_timeout, card_unreadable


def safe_label(value: Any, allowed: tuple[str, ...] | None = None) -> str:
    """A label value that cannot carry personal data: a known word, a short code, or ``other``."""
    text = str(value) if value is not None else "none"
    if allowed is not None:
        return text if text in allowed else "other"
    return text if _CODE.match(text) else "other"


REASONS = ("completed", "cancelled", "timeout", "error", "admin")
STEPS = ("attract", "identify", "consent", "certificates", "detail", "print", "rate", "goodbye", "error")
VIA = ("card", "qr")


class KioskMetrics:
    """All metrics of one app run, in their own registry (a second run in the same process is clean)."""

    def __init__(self, terminal_id: str = "") -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.info = Gauge("kiosk_up", "1 while the kiosk app runs", ["terminal"], registry=r)
        self.info.labels(terminal=safe_label(terminal_id.lower().replace("-", "_"))).set(1)
        self.sessions_started = Counter("kiosk_sessions_started", "Citizen sessions started", registry=r)
        self.sessions_ended = Counter(
            "kiosk_sessions_ended",
            "Citizen sessions ended, by reason and last step",
            ["reason", "step"],
            registry=r,
        )
        self.identified = Counter("kiosk_identified", "Citizens identified, by means", ["via"], registry=r)
        self.errors = Counter(
            "kiosk_session_errors", "Errors shown to citizens, by code", ["code"], registry=r
        )
        self.timeouts = Counter("kiosk_idle_timeouts", "Idle timeouts, by step", ["step"], registry=r)
        self.ratings = Counter("kiosk_ratings", "好差评 given, by score (0: skipped)", ["score"], registry=r)
        self.prints = Counter("kiosk_prints", "Receipts printed", registry=r)
        self.help_calls_open = Gauge(
            "kiosk_help_calls_open", "呼叫工作人员 calls not yet marked handled by staff", registry=r
        )
        self.print_failures = Counter(
            "kiosk_print_failures", "Receipts not printed, by reason", ["reason"], registry=r
        )
        self.device_state = Gauge(
            "kiosk_device_state", "1 for the current state of each device", ["device", "state"], registry=r
        )
        self.paper = Gauge(
            "kiosk_printer_paper", "1 for the printer's current paper state", ["state"], registry=r
        )
        self.backend_latency = Histogram(
            "kiosk_backend_request_seconds",
            "Backend call latency, by operation and outcome",
            ["op", "outcome"],
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30),
            registry=r,
        )
        self.clock_offset = Gauge(
            "kiosk_clock_offset_seconds", "Backend time minus terminal time", registry=r
        )
        self.clock_skewed = Gauge(
            "kiosk_clock_skewed", "1 while the clock offset exceeds the limit", registry=r
        )
        self.disk_free = Gauge(
            "kiosk_state_disk_free_bytes", "Free bytes on the state directory's disk", registry=r
        )
        self.disk_writable = Gauge(
            "kiosk_state_dir_writable", "1 if the state directory accepts writes", registry=r
        )
        self.audit_events = Counter(
            "kiosk_audit_events", "Audit events recorded, by event", ["event"], registry=r
        )
        self.watchdog_pings = Counter(
            "kiosk_watchdog_pings", "Watchdog pings sent from the UI loop", registry=r
        )
        self.resident_memory = Gauge(
            "kiosk_resident_memory_bytes", "Resident memory of the kiosk app process", registry=r
        )
        self.bundle_version = Gauge(
            "kiosk_bundle_version", "Version of the applied content bundle (0: the shipped files)", registry=r
        )
        self.frame_gap = Gauge(
            "kiosk_ui_max_frame_gap_seconds", "Longest gap between UI frames in the last minute", registry=r
        )
        for device in ("card", "camera", "printer", "backend"):
            self.set_device_state(device, "unknown")
        self.set_paper("unknown")

    # ------------------------------------------------------------------ updates
    def set_device_state(self, device: str, state: str) -> None:
        state = safe_label(state, DEVICE_STATES)
        for s in (*DEVICE_STATES, "other"):
            self.device_state.labels(device=device, state=s).set(1 if s == state else 0)

    def set_paper(self, state: str) -> None:
        state = safe_label(state, PAPER_STATES)
        for s in (*PAPER_STATES, "other"):
            self.paper.labels(state=s).set(1 if s == state else 0)

    def observe_event(self, event: str, data: dict[str, Any]) -> None:
        """An audit event (kiosk.audit listener): count what fleets care about."""
        self.audit_events.labels(event=safe_label(event)).inc()
        if event.startswith("help_") and isinstance(data.get("open"), int):
            self.help_calls_open.set(data["open"])  # kiosk.notify.desk puts the open count in each
        if event == "session_started":
            self.sessions_started.inc()
        elif event == "session_ended":
            self.sessions_ended.labels(
                reason=safe_label(data.get("reason"), REASONS), step=safe_label(data.get("step"), STEPS)
            ).inc()
        elif event == "identified":
            self.identified.labels(via=safe_label(data.get("via"), VIA)).inc()
        elif event == "error":
            self.errors.labels(code=safe_label(data.get("code"))).inc()
        elif event == "idle_timeout":
            step = str(data.get("step") or "")
            self.timeouts.labels(step="view" if step.startswith("view:") else safe_label(step, STEPS)).inc()
        elif event in ("rated", "rating_skipped"):
            score = data.get("score") or 0
            self.ratings.labels(score=safe_label(score, ("0", "1", "2", "3", "4", "5"))).inc()
        elif event in ("bundle_applied", "bundle_restored", "bundle_rolled_back"):
            version = data.get("version")
            self.bundle_version.set(version if isinstance(version, int) else 0)
        elif event == "printed":
            self.prints.inc()
        elif event == "print_failed":
            self.print_failures.labels(reason=safe_label(data.get("reason"))).inc()
