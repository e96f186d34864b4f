"""Plain-Chinese printer messages for the citizen, one per printer state or failure reason."""

from __future__ import annotations

from enum import StrEnum


class PrinterState(StrEnum):
    READY = "ready"
    NEAR_END = "near_end"  # a warning: it still prints
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    UNKNOWN = "unknown"  # the printer did not answer: we try, and say so if it fails
    TIMEOUT = "timeout"
    IO = "io"


MESSAGES: dict[PrinterState, str] = {
    PrinterState.READY: "打印机正常",
    PrinterState.NEAR_END: "打印机纸张即将用完",
    PrinterState.PAPER_OUT: "打印机缺纸，请联系工作人员",
    PrinterState.COVER_OPEN: "打印机盖未关好，请联系工作人员",
    PrinterState.OFFLINE: "打印机未连接，请联系工作人员",
    PrinterState.UNKNOWN: "无法确认打印机状态",
    PrinterState.TIMEOUT: "打印机没有响应，请联系工作人员",
    PrinterState.IO: "打印失败，请联系工作人员",
}

#: States in which the terminal does not send a job at all.
BLOCKING = frozenset({PrinterState.PAPER_OUT, PrinterState.COVER_OPEN, PrinterState.OFFLINE})

PRINTING = "正在打印，请稍候"
DONE = "打印完成，请取走凭条"
DONE_A4 = "打印完成，请在打印机出纸口取走材料"
PHONE_ALTERNATIVE = "也可用手机扫描屏幕上的二维码保存本凭条信息"
RETRY = "重新打印"


def message_for(state: PrinterState | str) -> str:
    return MESSAGES[PrinterState(state)]
