"""``kiosk notify test``: exit 0 only when the channel accepted the test notice."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.cli import main
from tests.support.robots import running_robot


def test_accepted_test_notice_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    with running_robot("wecom") as robot:
        assert main(["notify", "test", "--channel", "wecom", "--url", robot.url]) == 0
    assert "wecom: accepted" in capsys.readouterr().out
    assert "【测试消息】" in robot.texts()[0]


def test_refused_test_notice_exits_1_and_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    with running_robot("wecom", script=[("errcode", 93000)]) as robot:
        assert main(["notify", "test", "--channel", "wecom", "--url", robot.url]) == 1
    out = capsys.readouterr().out
    assert "NOT accepted: errcode 93000" in out and "test-key" not in out  # the robot key is not printed


def test_dingtalk_signature_decides_the_exit_code() -> None:
    with running_robot("dingtalk", secret="SECright") as robot:
        args = ["notify", "test", "--channel", "dingtalk", "--url", robot.url, "--secret"]
        assert main([*args, "SECright"]) == 0
        assert main([*args, "SECwrong"]) == 1


def test_webhook_http_500_exits_1() -> None:
    with running_robot("webhook", script=[("status", 500)]) as robot:
        assert main(["notify", "test", "--channel", "webhook", "--url", robot.url]) == 1


def test_channel_without_url_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as e:
        main(["notify", "test", "--channel", "wecom"])
    assert e.value.code == 2


def test_every_configured_channel_is_tested_and_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with running_robot("wecom") as wecom, running_robot("webhook", script=[("status", 503)]) as hook:
        secrets = tmp_path / "secrets.toml"
        secrets.write_text(
            f'[notify]\nwecom_url = "{wecom.url}"\nwebhook_url = "{hook.url}"\n', encoding="utf-8"
        )
        os.chmod(secrets, 0o600)
        assert main(["notify", "test", "--secrets", str(secrets)]) == 1  # one of two refused
    out = capsys.readouterr().out
    assert "wecom: accepted" in out and "webhook: NOT accepted: HTTP 503" in out


def test_no_channel_configured_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("", encoding="utf-8")
    os.chmod(secrets, 0o600)
    assert main(["notify", "test", "--secrets", str(secrets)]) == 1
    assert "no channel configured" in capsys.readouterr().out
