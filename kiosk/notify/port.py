"""What the help-call logic needs from a channel that reaches staff (a robot in a group chat…).

A channel either accepts a message (the robot answered errcode 0, the webhook a 2xx) or raises
:class:`NotAccepted` with a reason a technician can act on. WHY a yes/no port: the citizen's screen
may say 已通知工作人员 only after a yes, so every adapter must turn its service's answer into one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class NotAccepted(Exception):
    """The channel did not take the message (refused, unreachable, timed out, answered nonsense)."""


class Channel(Protocol):
    name: str  # "wecom", "dingtalk", "webhook": in the audit log and the CLI's output

    def send(self, notice: Notice) -> None:
        """Deliver ``notice`` or raise :class:`NotAccepted`. Blocking: run it off the UI loop."""
        ...


@dataclass(frozen=True)
class Notice:
    """One message to staff. Carries the terminal and the session's step, never a person.

    ``kind`` is "call" (a citizen is waiting), "handled" (staff took care of it) or "test".
    """

    kind: str
    ticket: str
    terminal_id: str
    terminal_name: str
    place: str
    step: str = ""

    def title(self) -> str:
        return {"call": "【呼叫工作人员】", "handled": "【已处理】", "test": "【测试消息】"}.get(
            self.kind, ""
        )

    def text(self) -> str:
        where = f"{self.terminal_name}（{self.terminal_id}）"
        lines = [self.title() + f" 编号 {self.ticket}", f"终端：{where}"]
        if self.place:
            lines.append(f"位置：{self.place}")
        if self.kind == "call":
            lines.append(f"办理步骤：{self.step or '-'}")
            lines.append("群众在终端前等候，请尽快前往。")
        elif self.kind == "handled":
            lines.append("工作人员已在终端上标记为已处理。")
        else:
            lines.append("这是一条测试消息，收到即表示通道可用。")
        return "\n".join(lines)
