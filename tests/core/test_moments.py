"""Moments that go wrong (issue 22), on the real controller with the demo's simulated devices and
the reference server: a card left in the reader when the session times out, a 亮证码 shown on the
home page, a paused terminal. No Kivy: what the screens and the voice show is the state read here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.session import EndReason, Step
from kiosk.voice import prompt_for
from tests.core.test_controller_faults import controller_for, identified
from tests.support.refserver import RefServer, running_refserver


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RefServer]:
    with running_refserver(tmp_path_factory.mktemp("moments-refserver")) as s:
        yield s


def audit_events(path: Path) -> list[str]:
    return [json.loads(line)["event"] for line in path.read_text(encoding="utf-8").splitlines() if line]


async def test_a_card_left_in_the_reader_at_the_idle_timeout_is_asked_for_until_taken(
    server: RefServer, tmp_path: Path
) -> None:
    from tests.support.controllers import until

    ctl, devices = controller_for(server, tmp_path)
    await ctl.start()
    try:
        await identified(ctl, devices)
        assert ctl.card_present and not ctl.card_left
        ctl.clock.advance(ctl.machine.effective_idle_seconds + 1)  # type: ignore[attr-defined]
        ctl.machine.tick(ctl.clock())
        assert ctl.machine.step is Step.ATTRACT and ctl.machine.data is None  # wiped, as before
        assert ctl.card_left  # ... and the home page and the voice now ask for the card
        assert prompt_for(ctl.machine, card_left=ctl.card_left) == "card_left"
        devices.card.remove()
        await until(lambda: not ctl.card_left)
        assert prompt_for(ctl.machine, card_left=ctl.card_left) == "attract"
    finally:
        await ctl.stop()
    events = audit_events(tmp_path / "audit.jsonl")
    assert events.index("card_left_behind") < events.index("card_taken")


async def test_a_session_ended_after_the_card_was_taken_leaves_no_reminder(
    server: RefServer, tmp_path: Path
) -> None:
    from tests.support.controllers import until

    ctl, devices = controller_for(server, tmp_path)
    await ctl.start()
    try:
        await identified(ctl, devices)
        devices.card.remove()
        await until(lambda: not ctl.card_present)
        ctl.home()
        assert ctl.machine.step is Step.ATTRACT and not ctl.card_left
    finally:
        await ctl.stop()


async def test_a_code_shown_on_the_home_page_starts_the_session(server: RefServer, tmp_path: Path) -> None:
    from tests.support.controllers import until

    ctl, devices = controller_for(server, tmp_path)
    scanner = devices.scanner
    await ctl.start()
    try:
        assert ctl.machine.step is Step.ATTRACT
        await until(lambda: scanner.state().running)  # the camera reads on the home page
        scanner.show("LZ:" + server.issue_token("elder"))
        await until(lambda: ctl.machine.step is Step.CONSENT, timeout=30)
        data = ctl.machine.data
        assert data is not None and data.identified_by == "qr"
    finally:
        await ctl.stop()


async def test_the_home_page_does_not_read_codes_while_paused_or_under_a_page(
    server: RefServer, tmp_path: Path
) -> None:
    from tests.support.controllers import until

    ctl, devices = controller_for(server, tmp_path)
    scanner = devices.scanner
    ctl.available_views.add("guide")
    await ctl.start()
    try:
        await until(lambda: scanner.state().running)
        ctl.pause("系统维护")
        assert not scanner.state().running
        ctl.resume()
        await until(lambda: scanner.state().running)
        ctl.open_view("guide")
        assert not scanner.state().running  # 办事指南 over the home page: nobody is identifying
        ctl.close_view()
        await until(lambda: scanner.state().running)
    finally:
        await ctl.stop()


def test_the_footer_says_the_step_and_the_seconds_left() -> None:
    from kiosk.domain.holder import Holder
    from kiosk.progress import footer_status
    from kiosk.session import SessionMachine

    machine = SessionMachine(60, 15, 10)
    assert footer_status(machine, 0.0) == ""  # the bare home page: no timeout applies
    machine.begin(0.0)
    assert footer_status(machine, 0.0) == "步骤 1/4　剩余 60 秒"
    holder = Holder(name="韦桂兰", id_number="450206195803120088", holder_type="111", card_type="resident")
    machine.identified(holder, "card", 1.0)
    assert footer_status(machine, 21.0) == "步骤 2/4　剩余 40 秒"
    machine.tick(50.0)  # the idle warning: its overlay shows the seconds, the footer line is empty
    assert machine.warning_remaining is not None and footer_status(machine, 50.0) == ""
    machine.touch(50.0)
    machine.agree(50.0)
    assert footer_status(machine, 50.0).startswith("步骤 3/4　剩余")
    machine.end(EndReason.CANCELLED, 51.0)
    machine.view_idle_seconds["admin"] = 300
    machine.open_view("admin", 52.0)
    assert footer_status(machine, 52.0) == "剩余 300 秒"  # a page over the home page: its own limit
    machine.set_elder_mode(True, 53.0)
    machine.close_view(53.0)
    machine.begin(53.0)
    assert footer_status(machine, 53.0) == "步骤 1/4　剩余 120 秒"  # elder: twice as long


async def test_the_code_still_held_up_after_its_session_starts_no_other(
    server: RefServer, tmp_path: Path
) -> None:
    """A citizen who goes back to the home page with the phone still at the camera is not thrown into
    a new session with 已使用 (their code was used); a new code still starts one."""
    import asyncio

    from tests.support.controllers import until

    ctl, devices = controller_for(server, tmp_path)
    scanner = devices.scanner
    await ctl.start()
    try:
        await until(lambda: scanner.state().running)
        scanner.show("LZ:" + server.issue_token("elder"))
        await until(lambda: ctl.machine.step is Step.CONSENT, timeout=30)
        ctl.home()  # the phone stays where it was
        await until(lambda: scanner.state().running)
        await asyncio.sleep(1.0)  # the camera reads the same code again, several times
        assert ctl.machine.step is Step.ATTRACT and ctl.machine.data is None
        scanner.show("LZ:" + server.issue_token("rare"))  # someone else's code
        await until(lambda: ctl.machine.step is Step.CONSENT, timeout=30)
    finally:
        await ctl.stop()
