"""The metrics endpoint on 127.0.0.1: counts from audit events, device and paper states, backend
latency, and label values that cannot carry personal data."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from kiosk.ops.metrics import KioskMetrics, safe_label
from kiosk.ops.observe import ObservedBackend, ObservedPrinter
from kiosk.ops.runtime import start_metrics_server
from kiosk.ops.selfcheck import check_state_dir
from kiosk.ops.watchdog import ping_interval
from tests.ops.scan import demo_personal_strings


def test_scrape_counts_sessions_and_never_shows_personal_data() -> None:
    metrics = KioskMetrics("LJ-ZZ-07")
    name, id_number = demo_personal_strings()[0], demo_personal_strings()[1]
    events: list[tuple[str, dict[str, Any]]] = [
        ("session_started", {"session": "a1"}),
        ("identified", {"session": "a1", "via": "card", "card_type": "id_card"}),
        ("error", {"session": "a1", "code": name, "step": "identify"}),  # a bug passing a name on
        ("error", {"session": "a1", "code": "backend_timeout", "step": "consent"}),
        ("printed", {"session": "a1"}),
        ("print_failed", {"session": "a1", "reason": id_number}),
        ("rated", {"session": "a1", "score": 5}),
        ("session_ended", {"session": "a1", "reason": "completed", "step": "goodbye"}),
        (id_number, {}),
    ]
    for event, data in events:
        metrics.observe_event(event, data)
    metrics.set_device_state("printer", "down")
    metrics.set_paper("out")
    started = start_metrics_server(metrics, "127.0.0.1", 0)
    assert started is not None
    server, url = started
    try:
        text = httpx.get(url, trust_env=False).text
    finally:
        server.shutdown()
        server.server_close()
    assert "kiosk_sessions_started_total 1.0" in text
    assert 'kiosk_sessions_ended_total{reason="completed",step="goodbye"} 1.0' in text
    assert 'kiosk_session_errors_total{code="other"} 1.0' in text
    assert 'kiosk_session_errors_total{code="backend_timeout"} 1.0' in text
    assert 'kiosk_device_state{device="printer",state="down"} 1.0' in text
    assert 'kiosk_printer_paper{state="out"} 1.0' in text
    assert 'kiosk_ratings_total{score="5"} 1.0' in text
    for secret in demo_personal_strings():
        assert secret not in text


def test_port_in_use_does_not_stop_the_app() -> None:
    first = start_metrics_server(KioskMetrics(), "127.0.0.1", 0)
    assert first is not None
    port = first[0].server_address[1]
    try:
        assert start_metrics_server(KioskMetrics(), "127.0.0.1", port) is None
    finally:
        first[0].shutdown()
        first[0].server_close()


def test_safe_label_keeps_codes_and_drops_everything_else() -> None:
    assert safe_label("card_removed_mid_read") == "card_removed_mid_read"
    assert safe_label("韦桂兰") == "other" and safe_label("450206195803120088") == "other"
    assert safe_label("timeout", ("completed", "timeout")) == "timeout"
    assert safe_label("x", ("completed",)) == "other"


class _Backend:
    def __init__(self) -> None:
        self.fail = False

    async def health(self) -> dict[str, Any]:
        return {"clock_offset": 300.0}

    async def query_certificates(self, *args: Any) -> list[Any]:
        from kiosk.backend.errors import BackendError, BackendErrorKind

        if self.fail:
            raise BackendError(BackendErrorKind.TIMEOUT, "slow")
        return []


def test_backend_latency_and_clock_offset_are_observed() -> None:
    metrics = KioskMetrics()
    offsets: list[float] = []
    inner = _Backend()
    backend = ObservedBackend(inner, metrics, lambda answer: offsets.append(answer["clock_offset"]))

    async def calls() -> None:
        await backend.health()
        await backend.query_certificates()
        inner.fail = True
        try:
            await backend.query_certificates()
        except Exception as exc:
            assert type(exc).__name__ == "BackendError"

    asyncio.run(calls())
    assert offsets == [300.0]
    count = metrics.registry.get_sample_value
    assert count("kiosk_backend_request_seconds_count", {"op": "query_certificates", "outcome": "ok"}) == 1
    assert (
        count("kiosk_backend_request_seconds_count", {"op": "query_certificates", "outcome": "timeout"}) == 1
    )


def test_printer_paper_state_follows_status() -> None:
    from drivers.printer.simulated import SimulatedPrinter

    metrics = KioskMetrics()
    inner = SimulatedPrinter()
    printer = ObservedPrinter(inner, metrics)
    printer.set_paper("out")  # control calls pass through to the real adapter
    printer.status()
    assert metrics.registry.get_sample_value("kiosk_printer_paper", {"state": "out"}) == 1
    assert printer.paper_width_dots == inner.paper_width_dots


def test_state_dir_checks(tmp_path: Path) -> None:
    ok = check_state_dir(tmp_path, 0)
    assert ok.writable and ok.state == "ok" and not list(tmp_path.iterdir())
    blocked = tmp_path / "state"
    blocked.write_text("")  # a file where the directory should be: no write can succeed, even as root
    assert check_state_dir(blocked, 0).state == "down"
    assert check_state_dir(tmp_path, 10**12).state == "degraded"


def test_watchdog_interval_is_half_of_watchdog_usec() -> None:
    assert ping_interval({"WATCHDOG_USEC": "30000000"}) == 15.0
    assert ping_interval({}) == 5.0
