"""``[notify]``: where a citizen's 呼叫工作人员 goes (kiosk.notify).

The robot addresses carry their own credentials (the WeCom ``key=``, the DingTalk ``access_token=``)
and the DingTalk signing secret is one too: all live in the secrets file only (SECRET_FIELDS in
kiosk.settings.loader), so a terminal.toml copied around the office leaks no robot. With no channel
configured nobody can be told, and the citizen is shown ``fallback_text`` instead of a claim.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator

from kiosk.settings.base import Section

SECRETS = ("wecom_url", "dingtalk_url", "dingtalk_secret", "webhook_url")


def _check_url(value: SecretStr) -> SecretStr:
    url = value.get_secret_value()
    if not url:
        return value  # empty: the channel is off
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http(s) URL with a host, or empty to switch the channel off")
    return value


class NotifyConfig(Section):
    # secrets file only: the full robot URL as the group's robot settings show it
    wecom_url: SecretStr = SecretStr("")  # https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…
    dingtalk_url: SecretStr = SecretStr("")  # https://oapi.dingtalk.com/robot/send?access_token=…
    dingtalk_secret: SecretStr = SecretStr("")  # 加签 secret (SEC…); empty: the robot is not signed
    webhook_url: SecretStr = SecretStr("")  # any JSON endpoint: a 2xx answer means accepted
    # what the citizen is told when no channel accepted the call (never "已通知工作人员")
    fallback_text: str = Field(default="请到一楼综合咨询台寻求帮助。", min_length=1, max_length=120)
    tries: int = Field(default=3, ge=1, le=5)  # per call, each over every channel, with back-off
    timeout_seconds: float = Field(default=2.0, gt=0, le=10)  # one HTTP exchange
    backoff_seconds: float = Field(default=1.0, ge=0, le=5)  # before the 2nd try; doubled after

    _urls = field_validator("wecom_url", "dingtalk_url", "webhook_url")(_check_url)

    @property
    def configured(self) -> bool:
        return any(getattr(self, f).get_secret_value() for f in ("wecom_url", "dingtalk_url", "webhook_url"))
