"""The settings staff may change on the screen, with the editor each one gets.

No system keyboard on a kiosk: booleans are toggles, numbers are +/- steppers, enums a short list
of choices. Free text (terminal name, backend URL) is shown read-only here and changed with
``kiosk config`` by a technician. Bounds are not repeated here: the pydantic model refuses a value
out of range with its reason, the same check as at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True)
class EditableField:
    path: str  # dotted, e.g. "timeouts.idle_seconds"
    label: str
    kind: str  # bool | int | float | choice | readonly
    group: str
    step: float = 1
    choices: tuple[Any, ...] = ()
    choice_labels: tuple[str, ...] = ()

    def label_for(self, value: Any) -> str:
        if self.kind == "bool":
            return "开" if value else "关"
        if self.kind == "choice" and value in self.choices and self.choice_labels:
            return self.choice_labels[self.choices.index(value)]
        if self.kind == "float":
            return f"{value:.1f}"
        return str(value)


FIELDS: tuple[EditableField, ...] = (
    EditableField("terminal.id", "终端编号", "readonly", "终端信息"),
    EditableField("terminal.name", "终端名称", "readonly", "终端信息"),
    EditableField("terminal.location", "安放位置", "readonly", "终端信息"),
    EditableField("backend.url", "后台地址", "readonly", "终端信息"),
    EditableField("services.mianzheng", "免证办", "bool", "服务开关"),
    EditableField("services.guide", "办事指南", "bool", "服务开关"),
    EditableField("services.disclosure", "政务公开", "bool", "服务开关"),
    EditableField("services.print_receipt", "打印凭条", "bool", "服务开关"),
    EditableField("services.rating", "好差评", "bool", "服务开关"),
    EditableField("services.card_identify", "身份证识别", "bool", "服务开关"),
    EditableField("services.qr_identify", "亮证码识别", "bool", "服务开关"),
    EditableField("timeouts.idle_seconds", "无操作超时（秒）", "int", "超时", step=10),
    EditableField("timeouts.elder_idle_seconds", "长辈模式超时（秒）", "int", "超时", step=10),
    EditableField("timeouts.warning_seconds", "超时提醒（秒）", "int", "超时", step=5),
    EditableField("timeouts.goodbye_seconds", "结束页停留（秒）", "int", "超时", step=5),
    EditableField("admin.inactivity_seconds", "管理模式自动退出（秒）", "int", "超时", step=30),
    EditableField(
        "display.language",
        "默认语言",
        "choice",
        "显示与语音",
        choices=("zh_CN", "en"),
        choice_labels=("中文", "English"),
    ),
    EditableField("display.elder_mode_default", "默认长辈模式", "bool", "显示与语音"),
    EditableField("display.fullscreen", "全屏", "bool", "显示与语音"),
    EditableField("voice.enabled", "语音提示", "bool", "显示与语音"),
    EditableField("voice.volume", "音量", "float", "显示与语音", step=0.1),
    EditableField(
        "devices.card_reader.kind",
        "读卡器类型",
        "choice",
        "设备",
        choices=("simulated", "pcsc", "serial_sam"),
        choice_labels=("模拟", "PC/SC", "串口 SAM"),
    ),
    EditableField(
        "devices.camera.kind",
        "摄像头类型",
        "choice",
        "设备",
        choices=("simulated", "opencv", "file"),
        choice_labels=("模拟", "摄像头", "文件"),
    ),
    EditableField(
        "devices.printer.kind",
        "打印机类型",
        "choice",
        "设备",
        choices=("simulated", "network", "usb", "serial", "cups", "file"),
        choice_labels=("模拟", "网络", "USB", "串口", "CUPS", "文件"),
    ),
    EditableField("devices.printer.paper_mm", "纸宽（毫米）", "choice", "设备", choices=(58, 80)),
)
BY_PATH = {f.path: f for f in FIELDS}


def get_value(config: BaseModel, path: str) -> Any:
    node: Any = config
    for part in path.split("."):
        node = getattr(node, part)
    return node


def next_value(field: EditableField, current: Any, direction: int = 1) -> Any:
    """The value a tap on the editor proposes (toggle, step, next choice)."""
    if field.kind == "bool":
        return not current
    if field.kind == "int":
        return int(current + direction * field.step)
    if field.kind == "float":
        return round(float(current) + direction * field.step, 2)
    if field.kind == "choice":
        i = field.choices.index(current) if current in field.choices else -1
        return field.choices[(i + direction) % len(field.choices)]
    raise ValueError(f"{field.path} is read-only")
