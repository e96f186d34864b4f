"""A server time that is not a time (NaN, infinite, absurd) must never read as "clock ok".

NaN compares false with every limit, so a NaN offset used to pass every skew check. The client
refuses such answers (BAD_RESPONSE, test_hostile_answers), and each place that judges the clock
reports a problem instead of "ok": the technician's diagnostics, the status bar's health poller,
and the ops self-check.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.audit import AuditLog
from kiosk.backend.client import HttpBackend
from kiosk.controller import Controller, Devices
from kiosk.diagnostics.backend import check_backend, check_clock
from kiosk.ops.selfcheck import clock_skewed
from tests.backend.hostile_server import HostileServer, health_json, respond
from tests.support.ui import FakeClock, make_config


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


def config_for(url: str) -> Any:
    return make_config({"backend": {"url": url, "retries": 0}})


async def test_diagnostics_report_an_unusable_server_time(hostile: HostileServer) -> None:
    hostile.behave(respond(200, health_json("NaN")))
    result, answer = await check_backend(config_for(hostile.url), time.time)
    assert result.status == "failure" and result.details["kind"] == "bad_response"
    clock = check_clock(answer, time.time, 30, 120)
    assert clock.status != "ok" and "后台应答异常" in clock.value


@pytest.mark.parametrize("offset", [float("nan"), float("inf"), float("-inf")])
def test_clock_check_fails_on_an_offset_that_is_not_a_number(offset: float) -> None:
    # should a non-finite offset ever get past the client, the clock check must not say "ok"
    clock = check_clock({"clock_offset": offset}, time.time, 30, 120)
    assert clock.status == "failure"
    assert clock_skewed(offset, 120)


async def test_health_poller_counts_the_backend_down(hostile: HostileServer, tmp_path: Path) -> None:
    config = config_for(hostile.url)
    backend = HttpBackend.from_config(config)
    controller = Controller(config, Devices(), backend, AuditLog(tmp_path / "audit.jsonl"), FakeClock())
    try:
        hostile.behave(respond(200, health_json("1780000000")))
        await controller.refresh_health()
        assert controller.health.backend == "ok"
        for unix in ("NaN", "Infinity", "-1"):
            hostile.behave(respond(200, health_json(unix)))
            backend.breaker.success()  # each answer judged on its own, not the breaker's memory
            await controller.refresh_health()
            assert controller.health.backend == "down", unix
        assert controller.health_coordinator.backend_failures == 3
    finally:
        await backend.aclose()


class _BrokenBackend:
    """A backend port whose health call has a bug (the client raised RecursionError before its
    answers were depth-checked): the poller must go on, with the backend counted down."""

    async def health(self) -> dict[str, Any]:
        raise RecursionError("maximum recursion depth exceeded")


async def test_health_poller_survives_an_unexpected_error(tmp_path: Path) -> None:
    broken: Any = _BrokenBackend()
    controller = Controller(
        config_for("http://127.0.0.1:9"),
        Devices(),
        broken,
        AuditLog(tmp_path / "a.jsonl"),
        FakeClock(),
    )
    await controller.refresh_health()  # raised out of the poller's loop before, ending it for good
    assert controller.health.backend == "down"
    assert controller.health_coordinator.next_interval() == 20  # backing off, as for any failure
