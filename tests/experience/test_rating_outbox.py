"""好差评 delivery: ratings reach the real reference server, wait on disk while it is down, and
are resent (with back-off) once it is back; nothing personal is ever written to the outbox."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from kiosk.rating import HelpTickets, PendingRating, RatingOutbox, safe_comment

ID_NUMBER = "450206195803120088"


class Switchable:
    """The terminal's backend, re-pointed when the (restarted) server comes back on a new port."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend

    async def send(self, item: PendingRating) -> None:
        await self.backend.submit_evaluation(item.service_ref, item.score, item.reasons, item.comment)


def start(workdir: Path) -> Any:
    from kiosk.wiring.backend import start_embedded_refserver

    return start_embedded_refserver(workdir, faults=True)


def evaluations(server: Any) -> list[dict[str, Any]]:
    answer = httpx.get(server.url + "/_admin/evaluations", timeout=10)
    answer.raise_for_status()
    return list(answer.json())


@pytest.fixture
def rating_server(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Our own reference server (stopped and started by the test, by pid), always stopped at the end."""
    box: dict[str, Any] = {"server": start(tmp_path / "first")}
    try:
        yield box
    finally:
        for key in ("server", "second"):
            if box.get(key) is not None:
                box[key].stop()


def test_ratings_wait_on_disk_while_the_backend_is_down_and_are_resent_when_it_returns(
    rating_server: dict[str, Any], tmp_path: Path
) -> None:
    async def scenario() -> None:
        server = rating_server["server"]
        link = Switchable(server.client())
        state = tmp_path / "state"
        outbox = RatingOutbox(state, link.send, min_delay=0.2, max_delay=1.0)
        runner = asyncio.get_running_loop().create_task(outbox.run())
        try:
            outbox.add("a1b2c3d4e5f60718", 5)
            await wait_for(lambda: not outbox.pending(), "first rating delivered")
            assert [e["score"] for e in evaluations(server)] == [5]

            server.stop()  # the backend goes away
            outbox.add("1111222233334444", 2, ("等待时间太长",), "读卡太慢")
            outbox.add("5555666677778888", 1, ("其他",), f"我的身份证号 {ID_NUMBER} 读不出来")
            await wait_for(lambda: outbox.failures >= 2, "delivery retried with back-off")
            kept = outbox.path.read_text(encoding="utf-8")
            assert len(kept.splitlines()) == 2
            assert ID_NUMBER not in kept and "身份证号" not in kept  # the comment with a number is not kept
            assert outbox.next_delay() > outbox.min_delay  # backing off
            # a restarted terminal finds the same ratings on disk
            assert [p.service_ref for p in RatingOutbox(state, link.send).pending()] == [
                "1111222233334444",
                "5555666677778888",
            ]

            second = start(tmp_path / "second")  # the backend returns (new process, new port)
            rating_server["second"] = second
            link.backend = second.client()
            await wait_for(lambda: not outbox.pending(), "queued ratings resent", timeout=30)
            got = {e["service_ref"]: e for e in evaluations(second)}
            assert got["1111222233334444"]["score"] == 2
            assert got["1111222233334444"]["reasons"] == ["等待时间太长"]
            assert got["1111222233334444"]["comment"] == "读卡太慢"
            assert got["5555666677778888"]["comment"] is None
            assert outbox.failures == 0 and outbox.delivered == 3
        finally:
            runner.cancel()
            await asyncio.gather(runner, return_exceptions=True)

    asyncio.run(scenario())


def test_a_low_score_without_a_reason_is_refused_and_dropped_not_retried_forever(
    rating_server: dict[str, Any], tmp_path: Path
) -> None:
    async def scenario() -> None:
        link = Switchable(rating_server["server"].client())
        outbox = RatingOutbox(tmp_path, link.send)
        outbox.add("9999aaaabbbbcccc", 1)
        assert await outbox.flush() is True
        assert outbox.pending() == [] and outbox.dropped == 1 and outbox.delivered == 0

    asyncio.run(scenario())


async def wait_for(predicate: Any, what: str, timeout: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out: {what}")
        await asyncio.sleep(0.05)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("读卡太慢", "读卡太慢"),
        ("  too   slow ", "too slow"),
        ("", None),
        (f"ID {ID_NUMBER}", None),
        ("电话 138 1234 5678", None),
        ("电话１３８１２３４５６７８", None),  # full-width digits
        ("4502-0619-5803", None),
        ("排队 20 分钟", "排队 20 分钟"),
    ],
)
def test_comments_with_number_like_text_are_not_kept(text: str, kept: str | None) -> None:
    assert safe_comment(text) == kept


def test_the_outbox_file_holds_only_the_rating(tmp_path: Path) -> None:
    async def never(_item: PendingRating) -> None:
        raise AssertionError("not sent in this test")

    outbox = RatingOutbox(tmp_path, never)
    outbox.add("0123456789abcdef", 3, (), "ok")
    entry = json.loads(outbox.path.read_text(encoding="utf-8"))
    assert set(entry) == {"service_ref", "score", "reasons", "comment", "created", "key"}
    with pytest.raises(ValueError):
        outbox.add("0123456789abcdef", 6)


def test_help_tickets_are_unique_per_day_and_survive_a_restart(tmp_path: Path) -> None:
    day = [date(2026, 4, 12)]
    first = HelpTickets(tmp_path, lambda: day[0])
    assert [first.next(), first.next()] == ["H-0412-001", "H-0412-002"]
    assert HelpTickets(tmp_path, lambda: day[0]).next() == "H-0412-003"  # after a restart
    day[0] = date(2026, 4, 13)
    assert first.next() == "H-0413-001"


def test_delivery_reads_and_rewrites_the_outbox_off_the_loop_thread(tmp_path: Path) -> None:
    """flush() runs on the UI's loop; its file work (read, rewrite, fsync) must not."""
    import threading

    sent: list[int] = []

    async def send(item: PendingRating) -> None:
        sent.append(item.score)

    outbox = RatingOutbox(tmp_path, send)
    file_threads: list[str] = []
    for name in ("pending", "_remove"):
        original = getattr(outbox, name)

        def traced(*args: Any, _original: Any = original) -> Any:
            file_threads.append(threading.current_thread().name)
            return _original(*args)

        setattr(outbox, name, traced)
    outbox.add("a1b2c3d4e5f60718", 5)
    outbox.add("1111222233334444", 4)

    async def deliver() -> str:
        assert await outbox.flush()
        return threading.current_thread().name

    loop_thread = asyncio.run(deliver())
    assert len(file_threads) == 3 and loop_thread not in file_threads  # one read, two rewrites
    assert sent == [5, 4] and outbox.pending() == []
