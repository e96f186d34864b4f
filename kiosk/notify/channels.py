"""Adapters for the channels Chinese service centres use to reach staff.

- WeCom (企业微信) group robot: POST ``{"msgtype":"text","text":{"content":…}}`` to the robot URL
  (``…/cgi-bin/webhook/send?key=KEY``); accepted when the answer is ``{"errcode":0,…}``.
- DingTalk (钉钉) custom robot: the same body to ``…/robot/send?access_token=T``; with 加签 the URL
  also carries ``timestamp`` (ms) and ``sign`` = base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")),
  URL-encoded; accepted on ``errcode`` 0.
- A generic JSON webhook (a local dispatch system): the notice as JSON fields; any 2xx accepts.

WHY blocking httpx: a help call is rare and small; the help desk runs each send in a worker thread,
so a slow robot never holds the screen's loop, and the CLI can use the same code without a loop.
Robots answer HTTP 200 with a non-zero errcode for refusals (bad key, wrong sign, rate limit), so
the status code alone never counts as accepted for them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from kiosk.notify.port import NotAccepted, Notice

MAX_ANSWER = 64 * 1024  # a robot's answer is a few bytes; more is not a robot


def _post(url: str, body: dict[str, Any], timeout: float) -> httpx.Response:
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            return client.post(url, json=body)
    except httpx.TimeoutException as e:
        raise NotAccepted(f"timed out after {timeout:g} s") from e
    except httpx.HTTPError as e:
        raise NotAccepted(f"unreachable: {type(e).__name__}") from e


def _robot_answer(response: httpx.Response) -> None:
    """A WeCom/DingTalk answer: HTTP 200 and errcode 0, or NotAccepted with what it said."""
    if response.status_code != 200:
        raise NotAccepted(f"HTTP {response.status_code}")
    if len(response.content) > MAX_ANSWER:
        raise NotAccepted("answer too large")
    try:
        data = response.json()
    except ValueError as e:
        raise NotAccepted("answer is not JSON") from e
    if not isinstance(data, dict) or "errcode" not in data:
        raise NotAccepted("answer has no errcode")
    if data["errcode"] != 0:
        msg = str(data.get("errmsg", ""))[:100]
        raise NotAccepted(f"errcode {data['errcode']}: {msg}")


class WeComRobot:
    name = "wecom"

    def __init__(self, url: str, timeout: float = 2.0) -> None:
        self.url, self.timeout = url, timeout

    def send(self, notice: Notice) -> None:
        body = {"msgtype": "text", "text": {"content": notice.text()}}
        _robot_answer(_post(self.url, body, self.timeout))


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The 加签 value before URL encoding: base64(HMAC-SHA256(secret, "<timestamp>\\n<secret>"))."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """``url`` with ``timestamp`` and ``sign`` set (replacing any already there)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("timestamp", "sign")]
    query += [("timestamp", str(timestamp_ms)), ("sign", dingtalk_sign(secret, timestamp_ms))]
    return urlunsplit(parts._replace(query=urlencode(query)))


class DingTalkRobot:
    name = "dingtalk"

    def __init__(
        self, url: str, secret: str = "", timeout: float = 2.0, now: Callable[[], float] = time.time
    ) -> None:
        self.url, self.secret, self.timeout, self._now = url, secret, timeout, now

    def send(self, notice: Notice) -> None:
        url = self.url
        if self.secret:  # signed afresh for every try: DingTalk refuses a timestamp over an hour old
            url = signed_url(url, self.secret, int(self._now() * 1000))
        body = {"msgtype": "text", "text": {"content": notice.text()}}
        _robot_answer(_post(url, body, self.timeout))


class JsonWebhook:
    name = "webhook"

    def __init__(self, url: str, timeout: float = 2.0) -> None:
        self.url, self.timeout = url, timeout

    def send(self, notice: Notice) -> None:
        body = {
            "event": f"help_{notice.kind}",
            "ticket": notice.ticket,
            "terminal": notice.terminal_id,
            "terminal_name": notice.terminal_name,
            "place": notice.place,
            "step": notice.step,
            "text": notice.text(),
        }
        response = _post(self.url, body, self.timeout)
        if not 200 <= response.status_code < 300:
            raise NotAccepted(f"HTTP {response.status_code}")


def make_channel(kind: str, url: str, secret: str = "", timeout: float = 2.0) -> Any:
    """One channel by its name (the CLI's --channel)."""
    if kind == "wecom":
        return WeComRobot(url, timeout)
    if kind == "dingtalk":
        return DingTalkRobot(url, secret, timeout)
    if kind == "webhook":
        return JsonWebhook(url, timeout)
    raise ValueError(f"unknown channel {kind!r}")
