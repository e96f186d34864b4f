"""The channel adapters against local servers that answer as WeCom, DingTalk and a webhook do."""

from __future__ import annotations

import pytest

from kiosk.notify import DingTalkRobot, JsonWebhook, NotAccepted, Notice, WeComRobot
from tests.support.robots import running_robot

NOTICE = Notice("call", "H-1206-007", "lj-01", "一楼自助终端1号", "柳江区政务服务中心一楼", "certificates")


def test_wecom_accepts_on_errcode_0_and_gets_the_text_message() -> None:
    with running_robot("wecom") as robot:
        WeComRobot(robot.url).send(NOTICE)
    body = robot.received[0]
    assert body["msgtype"] == "text"
    text = body["text"]["content"]
    for part in ("H-1206-007", "lj-01", "一楼自助终端1号", "柳江区政务服务中心一楼", "certificates"):
        assert part in text
    assert robot.queries[0]["key"] == ["test-key"]


@pytest.mark.parametrize("answer", [("errcode", 93000), ("errcode", 45009), ("status", 500), ("status", 404)])
def test_wecom_refusal_or_error_is_not_accepted(answer: tuple[str, float]) -> None:
    with running_robot("wecom", script=[answer]) as robot, pytest.raises(NotAccepted) as e:
        WeComRobot(robot.url).send(NOTICE)
    assert str(int(answer[1])) in str(e.value)


def test_a_robot_that_does_not_answer_in_time_is_not_accepted() -> None:
    with (
        running_robot("wecom", script=[("hang", 1.5)]) as robot,
        pytest.raises(NotAccepted, match="timed out"),
    ):
        WeComRobot(robot.url, timeout=0.3).send(NOTICE)


def test_nothing_listening_is_not_accepted() -> None:
    with running_robot("wecom") as robot:
        url = robot.url
    with pytest.raises(NotAccepted, match="unreachable"):
        WeComRobot(url).send(NOTICE)


def test_dingtalk_signed_url_passes_the_robots_signature_check() -> None:
    with running_robot("dingtalk", secret="SECtest-secret-0123") as robot:
        DingTalkRobot(robot.url, "SECtest-secret-0123").send(NOTICE)
        DingTalkRobot(robot.url, "SECtest-secret-0123").send(NOTICE)
    q = robot.queries[0]
    assert q["access_token"] == ["tok"] and q["timestamp"] and q["sign"]
    assert robot.received[0]["msgtype"] == "text" and "H-1206-007" in robot.texts()[0]


@pytest.mark.parametrize("secret", ["SECwrong", ""])
def test_dingtalk_with_a_wrong_or_no_signature_is_refused(secret: str) -> None:
    with (
        running_robot("dingtalk", secret="SECtest-secret-0123") as robot,
        pytest.raises(NotAccepted, match="310000"),
    ):
        DingTalkRobot(robot.url, secret).send(NOTICE)


def test_dingtalk_signature_older_than_an_hour_is_refused() -> None:
    """Signed with a clock two hours behind: the robot refuses the timestamp (a replayed URL)."""
    import time

    with running_robot("dingtalk", secret="SECs") as robot, pytest.raises(NotAccepted, match="310000"):
        DingTalkRobot(robot.url, "SECs", now=lambda: time.time() - 7200).send(NOTICE)


def test_webhook_accepts_any_2xx_and_gets_fields_without_personal_data() -> None:
    with running_robot("webhook") as robot:
        JsonWebhook(robot.url).send(NOTICE)
    body = robot.received[0]
    assert body["event"] == "help_call" and body["ticket"] == "H-1206-007" and body["terminal"] == "lj-01"
    assert set(body) == {"event", "ticket", "terminal", "terminal_name", "place", "step", "text"}


@pytest.mark.parametrize("answer", [("status", 500), ("errcode", 1)])
def test_webhook_non_2xx_is_not_accepted(answer: tuple[str, float]) -> None:
    with running_robot("webhook", script=[answer]) as robot, pytest.raises(NotAccepted, match="HTTP"):
        JsonWebhook(robot.url).send(NOTICE)
