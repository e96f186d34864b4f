"""The content bundle line of the diagnostics: which bundle the terminal has (kiosk.bundles)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.diagnostics.model import CheckResult

TITLE = "内容包（办事指南/政务公开）"


def check_bundle(config: Any, state_dir: Path) -> CheckResult:
    """The applied bundle's version as the state directory records it (kept files, not the network)."""
    from kiosk.bundles.store import BundleStore

    settings = config.bundles
    pointer = BundleStore(state_dir).pointer()
    details = {
        "enabled": settings.enabled,
        "group": settings.group,
        "version": pointer.current or 0,
        "previous": pointer.previous or 0,
        "highest": pointer.highest,
    }
    if not settings.enabled:
        return CheckResult("bundle", TITLE, "ok", "未启用：使用终端自带的内容文件", "", details)
    if pointer.damaged:
        value = f"分组 {settings.group}：内容包记录文件损坏，使用终端自带的内容文件"
        hint = "运行 kiosk bundle status 查看；下次发布新版本内容包后恢复"
        return CheckResult("bundle", TITLE, "warning", value, hint, details)
    if pointer.current is None:
        value = f"分组 {settings.group}：尚未应用内容包，使用终端自带的内容文件"
        return CheckResult("bundle", TITLE, "ok", value, "", details)
    previous = f"，上一版 v{pointer.previous}" if pointer.previous is not None else ""
    value = f"分组 {settings.group}：内容包 v{pointer.current}{previous}"
    return CheckResult("bundle", TITLE, "ok", value, "", details)
