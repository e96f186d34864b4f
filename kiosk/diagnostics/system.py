"""Checks of the terminal itself: configuration, disk space, fonts."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from kiosk.diagnostics.model import CheckResult

# Characters whose Simplified Chinese forms differ from Japanese ones (令 门 骨), and a rare
# character (䶮, CJK Extension A) that appears in real names: the font must have all of them.
REQUIRED_GLYPHS = "令门骨䶮"


def check_config(config_file: Path | None, secrets_file: Path | None) -> CheckResult:
    from kiosk.settings import ConfigError, load_config

    try:
        load_config(config_file, secrets_file)
    except ConfigError as exc:
        first = exc.problems[0]
        return CheckResult(
            "config",
            "配置文件",
            "failure",
            f"{len(exc.problems)} 处错误：{first}",
            f"按提示修正 {first.source} 中的 {first.field}，再运行 kiosk config check",
            {"problems": [str(p) for p in exc.problems]},
        )
    source = str(config_file) if config_file else "默认配置"
    return CheckResult("config", "配置文件", "ok", f"配置有效（{source}）")


def _existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_disk(state_dir: Path, min_free_bytes: int) -> CheckResult:
    where = _existing(Path(state_dir))
    usage = shutil.disk_usage(where)
    free_mb = usage.free / 1024 / 1024
    details = {"path": str(where), "free_bytes": usage.free, "total_bytes": usage.total}
    value = f"{where}：剩余 {free_mb:,.0f} MB / 共 {usage.total / 1024 / 1024:,.0f} MB"
    hint = f"磁盘空间不足：清理 {where} 下的旧日志，或扩容存储"
    if usage.free < min_free_bytes:
        return CheckResult("disk", "磁盘空间", "failure", value, hint, details)
    if usage.free < 2 * min_free_bytes or usage.free < usage.total * 0.05:
        return CheckResult("disk", "磁盘空间", "warning", value, hint, details)
    return CheckResult("disk", "磁盘空间", "ok", value, "", details)


def _missing_glyphs(path: Path) -> str:
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True, fontNumber=0) as font:
        cmap: dict[int, Any] = font.getBestCmap() or {}
    return "".join(ch for ch in REQUIRED_GLYPHS if ord(ch) not in cmap)


def check_font(override: str) -> CheckResult:
    from kiosk.fonts import FontMissingError, font_path

    paths = {}
    try:
        for weight in ("regular", "bold"):
            paths[weight] = font_path(weight, override=override or None)
    except FontMissingError as exc:
        hint = (
            "字体文件不存在：修正 display.font_path 或留空使用系统字体"
            if override
            else "缺少中文字体：安装 fonts-noto-cjk（apt install fonts-noto-cjk）"
        )
        return CheckResult("font", "中文字体", "failure", str(exc), hint)
    details = {k: str(v) for k, v in paths.items()}
    for weight, path in paths.items():
        try:
            missing = _missing_glyphs(path)
        except Exception as exc:
            return CheckResult(
                "font",
                "中文字体",
                "failure",
                f"{path} 无法读取：{exc}",
                "字体文件损坏：重新安装字体",
                details,
            )
        if missing:
            return CheckResult(
                "font",
                "中文字体",
                "failure",
                f"{path.name}（{weight}）缺少字形：{missing}",
                "字体缺少简体/生僻字字形：改用 Noto Sans CJK SC（fonts-noto-cjk）",
                details,
            )
    return CheckResult(
        "font", "中文字体", "ok", f"{paths['regular'].name}：{REQUIRED_GLYPHS} 字形齐全", "", details
    )
