"""Plain-Chinese printer messages for the citizen, one per printer state or failure reason.

A terminal may have two printers: the receipt printer (凭条打印机, in the terminal) and an A4
document printer (A4文件打印机, the 加注件: kiosk.issued.printing). A message about the A4 printer
names it and says what to do (A4_MESSAGES): told only that "the printer" is out of paper while the
receipt printer beside them works, a citizen cannot tell which, nor what help to ask for. On a
terminal with both, the receipt printer's messages name it too (RECEIPT_MESSAGES).
"""

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

#: The A4 document printer's (加注件): named, and what to do.
A4_MESSAGES: dict[PrinterState, str] = {
    PrinterState.READY: "A4文件打印机正常",
    PrinterState.NEAR_END: "A4文件打印机纸张即将用完",
    PrinterState.PAPER_OUT: "A4文件打印机缺纸，加注件没有打印。请联系工作人员添加A4纸后点“重新打印”",
    PrinterState.COVER_OPEN: "A4文件打印机盖未关好，加注件没有打印。请联系工作人员处理后点“重新打印”",
    PrinterState.OFFLINE: "A4文件打印机未连接，加注件没有打印。请联系工作人员或到窗口办理",
    PrinterState.UNKNOWN: "无法确认A4文件打印机状态",
    PrinterState.TIMEOUT: "A4文件打印机没有响应，加注件没有打印。请联系工作人员或到窗口办理",
    PrinterState.IO: "A4文件打印机打印失败，加注件没有打印。请联系工作人员或到窗口办理",
}

#: The receipt printer's, on a terminal that also has an A4 printer.
RECEIPT_MESSAGES: dict[PrinterState, str] = {
    PrinterState.READY: "凭条打印机正常",
    PrinterState.NEAR_END: "凭条打印机纸张即将用完",
    PrinterState.PAPER_OUT: "凭条打印机缺纸，请联系工作人员",
    PrinterState.COVER_OPEN: "凭条打印机盖未关好，请联系工作人员",
    PrinterState.OFFLINE: "凭条打印机未连接，请联系工作人员",
    PrinterState.UNKNOWN: "无法确认凭条打印机状态",
    PrinterState.TIMEOUT: "凭条打印机没有响应，请联系工作人员",
    PrinterState.IO: "凭条打印机打印失败，请联系工作人员",
}

#: States in which the terminal does not send a job at all.
BLOCKING = frozenset({PrinterState.PAPER_OUT, PrinterState.COVER_OPEN, PrinterState.OFFLINE})

PRINTING = "正在打印，请稍候"
DONE = "打印完成，请取走凭条"
DONE_A4 = "打印完成，请在打印机出纸口取走材料"
PHONE_ALTERNATIVE = "也可用手机扫描屏幕上的二维码保存本凭条信息"
RETRY = "重新打印"


def message_for(state: PrinterState | str, printer: str = "") -> str:
    """``printer``: "a4" for the A4 document printer, "receipt" for the receipt printer named (a
    terminal with both), "" for the receipt printer of a terminal that has only it."""
    table = {"a4": A4_MESSAGES, "receipt": RECEIPT_MESSAGES}.get(printer, MESSAGES)
    return table[PrinterState(state)]
