"""呼叫工作人员 end to end without the screen: the controller hands the call to the help desk, the
desk reaches a local robot, and what the citizen is told depends on the robot's answer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kiosk.audit import AuditLog
from kiosk.controller import Controller, Devices
from kiosk.notify.view import help_message
from kiosk.ops.metrics import KioskMetrics
from tests.support.controllers import until
from tests.support.robots import running_robot
from tests.support.ui import FakeClock, make_config

FAST = {"tries": 3, "backoff_seconds": 0.05, "timeout_seconds": 0.5}


def controller(tmp_path: Path, notify: dict[str, Any]) -> Controller:
    config = make_config({"terminal": {"location": "一楼24小时自助区"}, "notify": {**FAST, **notify}})
    return Controller(config, Devices(), None, AuditLog(tmp_path / "audit.jsonl"), clock=FakeClock())


def audit(c: Controller) -> list[dict[str, Any]]:
    assert c.audit.flush()
    return [json.loads(line) for line in c.audit.path.read_text(encoding="utf-8").splitlines()]


def events(c: Controller, name: str) -> list[dict[str, Any]]:
    return [e["data"] for e in audit(c) if e["event"] == name]


async def test_accepted_call_says_staff_were_called_with_the_ticket(tmp_path: Path) -> None:
    with running_robot("wecom") as robot:
        c = controller(tmp_path, {"wecom_url": robot.url})
        ticket = c.call_staff()
        call = c.help_call
        assert call is not None and call.phase == "calling"
        title, body = help_message(call, c.config)
        assert "正在呼叫" in title and "已通知" not in title + body  # no claim while trying
        await until(lambda: call.phase != "calling")
    assert call.phase == "accepted"
    assert help_message(call, c.config) == ("呼叫工作人员", f"已通知工作人员，请稍候（编号 {ticket}）")
    text = robot.texts()[0]
    assert ticket in text and c.config.terminal.id in text and "一楼24小时自助区" in text
    assert events(c, "help_notified")[0]["channels"] == ["wecom"]


async def test_refused_call_gives_the_fallback_and_never_the_claim(tmp_path: Path) -> None:
    with running_robot("wecom", script=[("errcode", 93000)] * 3) as robot:
        c = controller(
            tmp_path, {"wecom_url": robot.url, "fallback_text": "请到一楼综合咨询台，或拨打 0772-1234567"}
        )
        ticket = c.call_staff()
        call = c.help_call
        assert call is not None
        await until(lambda: call.phase != "calling")
    assert call.phase == "fallback" and len(robot.received) == 3  # every try was made
    title, body = help_message(call, c.config)
    assert "已通知" not in title + body
    assert "请到一楼综合咨询台，或拨打 0772-1234567" in body and ticket in body
    assert "errcode 93000" in events(c, "help_not_delivered")[0]["reasons"]["wecom"]


async def test_a_retry_that_gets_through_is_accepted(tmp_path: Path) -> None:
    with running_robot("dingtalk", secret="SECk", script=[("status", 500), ("hang", 1.0)]) as robot:
        c = controller(tmp_path, {"dingtalk_url": robot.url, "dingtalk_secret": "SECk"})
        c.call_staff()
        call = c.help_call
        assert call is not None
        await until(lambda: call.phase != "calling")
    assert call.phase == "accepted" and call.tries == 3 and len(robot.received) == 3


async def test_no_channel_configured_is_the_fallback_at_once(tmp_path: Path) -> None:
    c = controller(tmp_path, {})
    c.call_staff()
    call = c.help_call
    assert call is not None
    await until(lambda: call.phase != "calling")
    assert call.phase == "fallback" and call.tries == 0
    assert c.config.notify.fallback_text in help_message(call, c.config)[1]


async def test_one_accepting_channel_is_enough(tmp_path: Path) -> None:
    with running_robot("wecom", script=[("status", 500)] * 3) as down, running_robot("webhook") as up:
        c = controller(tmp_path, {"wecom_url": down.url, "webhook_url": up.url})
        c.call_staff()
        call = c.help_call
        assert call is not None
        await until(lambda: call.phase != "calling")
    assert call.phase == "accepted" and call.accepted_by == ["webhook"]


async def test_staff_mark_the_call_handled_and_the_channel_is_told(tmp_path: Path) -> None:
    metrics = KioskMetrics("t")
    with running_robot("wecom") as robot:
        c = controller(tmp_path, {"wecom_url": robot.url})
        c.audit.listeners.append(metrics.observe_event)
        first = c.call_staff()  # on the attract screen
        assert c.machine.begin(0.0)  # another citizen, in a session
        second = c.call_staff()
        await until(lambda: all(call.phase == "accepted" for call in c.help_desk.calls))
        assert [call.ticket for call in c.help_desk.calls] == [first, second]
        assert metrics.registry.get_sample_value("kiosk_help_calls_open") == 2
        c.help_handled(first)
        await until(lambda: len(c.help_desk.calls) == 1)
        await until(lambda: bool(events(c, "help_handled")))
    assert "【已处理】" in robot.texts()[-1] and first in robot.texts()[-1]
    handled = events(c, "help_handled")[0]
    assert handled["who"] == "staff" and handled["told"] == ["wecom"]
    assert metrics.registry.get_sample_value("kiosk_help_calls_open") == 1


async def test_the_notice_carries_no_personal_data(tmp_path: Path) -> None:
    """A call from a session with an identified holder: the robot gets the step, not the person."""
    from kiosk.domain.holder import Holder

    with running_robot("webhook") as robot:
        c = controller(tmp_path, {"webhook_url": robot.url})
        holder = Holder(name="测试人员甲", id_number="45020319900101001X", holder_type="111")
        assert c.machine.identified(holder, "card", 0.0)  # now on the consent step
        c.call_staff()
        call = c.help_call
        assert call is not None
        await until(lambda: call.phase != "calling")
    sent = json.dumps(robot.received, ensure_ascii=False)
    assert robot.received[0]["step"] == "consent"
    assert "测试人员甲" not in sent and "45020319900101001X" not in sent


async def test_tapping_again_shows_the_same_call_and_posts_no_second_message(tmp_path: Path) -> None:
    with running_robot("wecom", script=[("hang", 0.3)]) as robot:
        c = controller(tmp_path, {"wecom_url": robot.url})
        assert c.machine.begin(0.0)
        first = c.call_staff()
        assert c.call_staff() == first  # while it is being tried
        call = c.help_call
        assert call is not None
        await until(lambda: call.phase == "accepted")
        assert c.call_staff() == first  # and once taken
    assert len(robot.received) == 1 and len(c.help_desk.calls) == 1
    assert len(events(c, "help_requested")) == 1


async def test_a_call_nobody_took_is_tried_again_on_the_next_tap(tmp_path: Path) -> None:
    with running_robot("wecom", script=[("errcode", 45009)] * 3) as robot:
        c = controller(tmp_path, {"wecom_url": robot.url})
        first = c.call_staff()
        call = c.help_call
        assert call is not None
        await until(lambda: call.phase == "fallback")
        second = c.call_staff()
        again = c.help_call
        assert second != first and again is not None
        await until(lambda: again.phase == "accepted")


def test_open_calls_are_bounded_and_the_dropped_one_is_audited() -> None:
    from kiosk.notify.desk import MAX_OPEN, HelpDesk

    recorded: list[tuple[str, dict[str, Any]]] = []
    desk = HelpDesk(make_config(), lambda event, **data: recorded.append((event, data)), channels=[])
    for n in range(MAX_OPEN + 2):
        desk.open(f"H-{n}", "attract", session=f"s{n}")
    assert len(desk.calls) == MAX_OPEN and desk.calls[0].ticket == "H-2"
    assert [d["ticket"] for e, d in recorded if e == "help_dropped"] == ["H-0", "H-1"]
