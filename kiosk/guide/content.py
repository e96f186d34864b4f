"""Loading content files (TOML) with plain-Chinese errors that name the file and the entry.

Staff edit the catalogue and the disclosure in ``config/`` by hand; a typo must be reported as
"config/matters.toml: 事项 #3 “婚姻登记” → 材料 #2: 缺少字段 accepts", not as a pydantic traceback,
so that whoever edited the file can fix it without reading code. Shared by kiosk.guide and
kiosk.disclosure.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

# Chinese names of list sections, for the entry path in messages.
SECTION_NAMES = {
    "matter": "事项",
    "material": "材料",
    "step": "流程",
    "certificate_type": "证照类型",
    "category": "支出科目",
    "item": "明细",
    "duty": "职责",
}

_ERROR_TEXT = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不认识的字段（请检查拼写）",
    "string_too_short": "不能为空",
    "too_short": "不能为空",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a content file: where (file, entry, field) and what."""

    file: str
    entry: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.entry}: {self.message}" if self.entry else f"{self.file}: {self.message}"


class ContentError(ValueError):
    """A content file that cannot be used; ``problems`` lists every finding."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def _label(node: Any) -> str:
    if isinstance(node, Mapping):
        for key in ("name", "title", "code", "id"):
            value = node.get(key)
            if isinstance(value, str) and value:
                return f"“{value}”"
    return ""


def describe_location(data: Any, loc: Sequence[int | str]) -> tuple[str, str]:
    """Turn a pydantic location into ('事项 #2 “婚姻登记” → 材料 #1 “身份证”', 'accepts')."""
    parts: list[str] = []
    node: Any = data
    section = ""
    field = ""
    for step in loc:
        if isinstance(step, int) and isinstance(node, list):
            node = node[step] if 0 <= step < len(node) else None
            if section in SECTION_NAMES:
                label = _label(node)
                parts.append(f"{SECTION_NAMES[section]} #{step + 1}" + (f" {label}" if label else ""))
                field = ""
            else:
                field = f"{field}[{step + 1}]"
            continue
        key = str(step)
        if isinstance(node, Mapping) and isinstance(node.get(key), list) and key in SECTION_NAMES:
            section, field = key, ""
        else:
            field = f"{field}.{key}" if field else key
            section = ""
        node = node.get(key) if isinstance(node, Mapping) else None
    return " → ".join(parts), field


def problems_from(error: ValidationError, data: Any, file: str) -> list[Problem]:
    out: list[Problem] = []
    for e in error.errors():
        entry, field = describe_location(data, e["loc"])
        text = _ERROR_TEXT.get(e["type"], e["msg"].removeprefix("Value error, "))
        out.append(Problem(file, entry, f"{field}: {text}" if field else text))
    return out


def read_toml(path: Path | None, default_name: str) -> tuple[dict[str, Any], str]:
    """The parsed file and the name to show in messages (the packaged default when path is None)."""
    try:
        if path is None:
            text = resources.files("config").joinpath(default_name).read_text(encoding="utf-8")
            name = f"config/{default_name}"
        else:
            text = Path(path).read_text(encoding="utf-8")
            name = str(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError([Problem(str(path or default_name), "", f"无法读取文件（{exc}）")]) from exc
    try:
        return tomllib.loads(text), name
    except tomllib.TOMLDecodeError as exc:
        raise ContentError([Problem(name, "", f"TOML 格式错误：{exc}")]) from exc


def validate(model: type[M], data: dict[str, Any], file: str, context: Any = None) -> M:
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise ContentError(problems_from(exc, data, file)) from exc
