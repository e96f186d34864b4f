"""The help desk: turns a citizen's 呼叫工作人员 into a call that reaches staff, or an honest no.

The screen may say 已通知工作人员 only once a channel accepted the call (``HelpCall.phase`` is
"accepted"); while the desk tries it is "calling", and when every try of every channel failed, or no
channel is configured, it is "fallback" and the citizen is shown the configured fallback text. Tries
are bounded (``[notify] tries``, back-off doubling from ``backoff_seconds``) so a citizen waits
seconds, not minutes. Calls stay open until staff mark them handled on the admin page; the channels
that took the call then get an 已处理 follow-up. Every step is audited (the audit listener also
feeds the ``kiosk_help_calls_open`` gauge from the ``open`` field).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from kiosk.notify.channels import DingTalkRobot, JsonWebhook, WeComRobot
from kiosk.notify.port import Channel, NotAccepted, Notice

log = logging.getLogger(__name__)

MAX_OPEN = 50  # open calls kept; the oldest is dropped (and audited) beyond it
Record = Callable[..., None]  # AuditLog.record(event, **data)
Sleep = Callable[[float], Awaitable[Any]]


@dataclass
class HelpCall:
    ticket: str
    step: str
    opened: float = field(default_factory=time.time)  # wall clock, shown to staff as HH:MM
    phase: str = "calling"  # "calling" → "accepted" | "fallback"
    accepted_by: list[str] = field(default_factory=list)
    tries: int = 0
    session: str | None = None  # the random session id (repeat taps), never sent to a channel


def channels_from(notify: Any) -> list[Channel]:
    """The configured channels (``[notify]`` section), in a fixed order."""
    out: list[Channel] = []
    t = notify.timeout_seconds
    if url := notify.wecom_url.get_secret_value():
        out.append(WeComRobot(url, t))
    if url := notify.dingtalk_url.get_secret_value():
        out.append(DingTalkRobot(url, notify.dingtalk_secret.get_secret_value(), t))
    if url := notify.webhook_url.get_secret_value():
        out.append(JsonWebhook(url, t))
    return out


async def deliver(channel: Channel, notice: Notice) -> str | None:
    """Send in a worker thread; None when accepted, else the reason."""
    try:
        await asyncio.to_thread(channel.send, notice)
        return None
    except NotAccepted as e:
        return str(e)
    except Exception as e:  # a bug in an adapter must not leave the citizen on "calling" forever
        log.exception("help channel %s failed", channel.name)
        return f"error: {type(e).__name__}"


class HelpDesk:
    def __init__(
        self,
        config: Any,  # KioskConfig: terminal and notify sections
        record: Record,
        channels: list[Channel] | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.config = config
        self.record = record
        self.channels = channels_from(config.notify) if channels is None else channels
        self.calls: list[HelpCall] = []  # open calls, oldest first
        self._sleep = sleep

    def reconfigure(self, config: Any) -> None:
        self.config = config
        self.channels = channels_from(config.notify)

    def notice(self, kind: str, call: HelpCall) -> Notice:
        t = self.config.terminal
        return Notice(kind, call.ticket, t.id, t.name, t.location or t.centre_name, call.step)

    def pending(self, session: str | None) -> HelpCall | None:
        """The call this session already made that is being tried or was taken, not yet handled.

        WHY: a worried citizen taps 呼叫工作人员 again and again; each tap must not post another
        message to the staff group (robots also refuse more than about 20 a minute, which would turn
        a taken call into a refused one). A call nobody took may be tried again by tapping again.
        """
        for call in reversed(self.calls):
            if call.session == session and call.phase in ("calling", "accepted"):
                return call
        return None

    def open(self, ticket: str, step: str, session: str | None = None) -> HelpCall:
        """Register a call (phase "calling"); :meth:`run` then tries to reach someone."""
        call = HelpCall(ticket, step, session=session)
        self.calls.append(call)
        if len(self.calls) > MAX_OPEN:  # staff who never close calls must not grow memory for ever
            dropped = self.calls.pop(0)
            self.record("help_dropped", ticket=dropped.ticket, open=len(self.calls))
        return call

    async def run(self, call: HelpCall, changed: Callable[[], None] = lambda: None) -> HelpCall:
        notify = self.config.notify
        reasons: dict[str, str] = {}
        for attempt in range(notify.tries if self.channels else 0):
            if attempt:
                await self._sleep(notify.backoff_seconds * 2 ** (attempt - 1))
            call.tries = attempt + 1
            results = await asyncio.gather(*(deliver(ch, self.notice("call", call)) for ch in self.channels))
            for channel, reason in zip(self.channels, results, strict=True):
                if reason is None:
                    call.accepted_by.append(channel.name)
                else:
                    reasons[channel.name] = reason
            if call.accepted_by:
                break
        call.phase = "accepted" if call.accepted_by else "fallback"
        if call.accepted_by:
            self.record(
                "help_notified",
                ticket=call.ticket,
                channels=call.accepted_by,
                tries=call.tries,
                open=len(self.calls),
            )
        else:
            self.record(
                "help_not_delivered",
                ticket=call.ticket,
                tries=call.tries,
                reasons=reasons or {"-": "no channel configured"},
                open=len(self.calls),
            )
        changed()
        return call

    async def handled(self, ticket: str) -> bool:
        """Staff took care of ``ticket``: close it, audit it, tell the channels that had the call."""
        call = next((c for c in self.calls if c.ticket == ticket), None)
        if call is None:
            return False
        self.calls.remove(call)
        told = []
        for channel in self.channels:
            if (
                channel.name in call.accepted_by
                and await deliver(channel, self.notice("handled", call)) is None
            ):
                told.append(channel.name)
        self.record("help_handled", who="staff", ticket=ticket, told=told, open=len(self.calls))
        return True
