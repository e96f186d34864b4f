"""``[notify]``: robot URLs only in the secrets file, checked at start; safe defaults."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.settings.loader import ConfigError, load_config


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def test_defaults_configure_no_channel_and_a_fallback() -> None:
    cfg = load_config(environ={})
    assert not cfg.notify.configured and cfg.notify.fallback_text


@pytest.mark.parametrize("key", ["wecom_url", "dingtalk_url", "dingtalk_secret", "webhook_url"])
def test_robot_addresses_and_secret_are_refused_outside_the_secrets_file(tmp_path: Path, key: str) -> None:
    leak = write(tmp_path / "t.toml", f'[notify]\n{key} = "https://qyapi.example/send?key=k"\n', 0o644)
    with pytest.raises(ConfigError) as err:
        load_config(leak, environ={})
    assert any(p.field == f"notify.{key}" and "secrets file" in p.reason for p in err.value.problems)


def test_robots_in_the_secrets_file_are_used(tmp_path: Path) -> None:
    secrets = write(
        tmp_path / "secrets.toml",
        '[notify]\nwecom_url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"\n'
        'dingtalk_url = "https://oapi.dingtalk.com/robot/send?access_token=t"\ndingtalk_secret = "SECx"\n',
    )
    cfg = load_config(None, secrets, environ={})
    assert cfg.notify.configured and cfg.notify.dingtalk_secret.get_secret_value() == "SECx"
    assert "key=k" not in repr(cfg.notify)  # never printed in a log or a config dump


@pytest.mark.parametrize("url", ["qyapi.weixin.qq.com/send", "ftp://robot/x", "https://"])
def test_a_url_that_is_not_one_is_refused(tmp_path: Path, url: str) -> None:
    secrets = write(tmp_path / "secrets.toml", f'[notify]\nwebhook_url = "{url}"\n')
    with pytest.raises(ConfigError) as err:
        load_config(None, secrets, environ={})
    assert any(p.field == "notify.webhook_url" and "http(s) URL" in p.reason for p in err.value.problems)
