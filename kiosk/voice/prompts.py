"""The spoken prompts: one short fixed instruction per step, in Mandarin and in English.

WHY fixed texts: the prompt is chosen from the session's *state* (step, print phase, idle
warning), never formatted with session data, so a name or ID number can never be read aloud
in a public hall. ``tests/experience`` checks that every prompt is free of anything personal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Prompt:
    key: str
    zh: str
    en: str
    chime: bool = False  # a tone before the words, to be noticed in a busy hall (kiosk.voice.cache)

    def text(self, language: str) -> str:
        return self.en if language == "en" else self.zh


PROMPTS: dict[str, Prompt] = {
    p.key: p
    for p in (
        Prompt(
            "identify",
            "请将身份证平放在读卡区，或打开手机亮证码对准摄像头。",
            "Please place your ID card on the reader, or show your QR code to the camera.",
        ),
        Prompt(
            "consent",
            "请阅读授权说明，同意后点击同意并查询。",
            "Please read the consent notice, then tap Agree and search.",
        ),
        Prompt(
            "certificates",
            "请点击证照查看详情，或点击打印。",
            "Tap a certificate to see its details, or tap Print.",
        ),
        Prompt(
            "detail",
            "这是证照详情，您可以打印凭条。",
            "These are the certificate details. You can print a receipt.",
        ),
        Prompt("print", "正在打印，请稍候。", "Printing, please wait."),
        Prompt(
            "print_done", "打印完成，请从出纸口取走凭条。", "Printing finished. Please take your receipt."
        ),
        Prompt(
            "print_failed",
            "打印没有成功，请按屏幕提示操作，或呼叫工作人员。",
            "Printing failed. Please follow the screen, or call staff.",
        ),
        Prompt("rate", "请您对本次服务进行评价。", "Please rate this service."),
        Prompt("rate_reason", "请选择不满意的原因。", "Please choose what was wrong."),
        Prompt(
            "goodbye",
            "办理结束，请取走您的身份证和凭条，谢谢。",
            "All done. Please take your ID card and receipt. Thank you.",
        ),
        Prompt(
            "error",
            "操作没有完成，请按屏幕提示操作，或呼叫工作人员。",
            "Something went wrong. Please follow the screen, or call staff.",
        ),
        Prompt(
            "idle_warning",
            "您还在吗？如需继续，请点击继续使用。",
            "Are you still there? Tap Continue to keep going.",
        ),
        Prompt("elder_on", "已为您打开长辈模式。", "Large text mode is on."),
        Prompt(
            "attract",
            "欢迎使用免证办自助终端。请将身份证平放在读卡区，或出示亮证码，也可以点击开始办理。",
            "Welcome. Place your ID card on the reader, show your QR code, or tap Start.",
        ),
        Prompt(
            "card_left",
            "请取走您的身份证。",
            "Please take your ID card from the reader.",
            chime=True,
        ),
        Prompt(
            "guide",
            "这是办事指南。请点击事项查看所需材料，或在上方搜索。",
            "This is the service guide. Tap a matter to see what you need, or search above.",
        ),
        Prompt(
            "disclosure",
            "这是政务公开，可查看中心职责和预算。",
            "This page shows the centre's duties and budget.",
        ),
    )
}


# pages over the session that have a prompt of their own (the staff pages have none)
VIEW_PROMPTS = ("guide", "disclosure")


def prompt_for(machine: Any, card_left: bool = False) -> str | None:
    """Which prompt the session's current state calls for (None: stay silent).

    Reads only the step, the print phase, the idle warning, the page shown over the session and
    whether a card was left in the reader (``card_left``, kiosk.controller): nothing a citizen typed
    or a card delivered.
    """
    if getattr(machine, "warning_remaining", None) is not None:
        return "idle_warning"
    view = getattr(machine, "view", None)
    if view is not None:
        return view if view in VIEW_PROMPTS else None
    step = getattr(getattr(machine, "step", None), "value", None)
    if step is None:
        return None
    if step == "attract":
        return "card_left" if card_left else "attract"
    if step == "print":
        data = getattr(machine, "data", None)
        phase = getattr(getattr(data, "printing", None), "phase", "")
        if phase == "done":
            return "print_done"
        if phase == "failed":
            return "print_failed"
        return "print"
    return step if step in PROMPTS else None
