"""Validated, atomic changes to the terminal's configuration files.

A change is checked twice before anything is written: against the running configuration (the
same pydantic models as at start-up), and by loading the would-be override file with the real
loader (defaults + file + secrets) from a temporary copy. Only then is the file replaced atomically
(kiosk.admin.atomic), keeping the previous version as ``terminal.toml.bak``.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kiosk.admin.atomic import atomic_write
from kiosk.admin.fields import BY_PATH
from kiosk.admin.toml_write import dumps
from kiosk.settings import ConfigError, KioskConfig, load_config

_REASONS = {
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "必须大于 {gt}",
    "less_than_equal": "不能大于 {le}",
    "less_than": "必须小于 {lt}",
    "literal_error": "只能是 {expected}",
    "string_too_short": "太短",
    "string_too_long": "太长",
    "bool_parsing": "只能是开或关",
    "int_parsing": "必须是整数",
}


class ConfigChangeRefused(ValueError):
    """The change was not saved; ``reason`` is plain Chinese for the staff member."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def _label(path: str) -> str:
    field = BY_PATH.get(path)
    return field.label if field else path


def _reason(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        template = _REASONS.get(err["type"])
        ctx = err.get("ctx") or {}
        if template:
            try:
                parts.append(template.format(**ctx))
                continue
            except (KeyError, IndexError):
                pass
        msg = str(err["msg"]).removeprefix("Value error, ")
        if "warning_seconds must be shorter" in msg:
            msg = "超时提醒必须短于无操作超时"
        parts.append(msg)
    return "；".join(parts) or "值无效"


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[parts[-1]] = value


def _read_toml(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}


class ConfigStore:
    """The terminal override file (and the secrets file for the PIN hash)."""

    def __init__(self, config_file: Path, secrets_file: Path | None = None) -> None:
        self.config_file = Path(config_file)
        self.secrets_file = Path(secrets_file) if secrets_file else None

    def propose(self, current: KioskConfig, path: str, value: Any) -> KioskConfig:
        """The running configuration with one field changed, validated; raises ConfigChangeRefused."""
        if path not in BY_PATH or BY_PATH[path].kind == "readonly":
            raise ConfigChangeRefused(path, "此项不能在屏幕上修改")
        data = current.model_dump()
        _set(data, path, value)
        try:
            return KioskConfig.model_validate(data)
        except ValidationError as exc:
            raise ConfigChangeRefused(
                path, f"“{_label(path)}”设为 {value} 未被接受：{_reason(exc)}"
            ) from None

    def save(self, path: str, value: Any) -> None:
        """Write ``path = value`` into the override file, after the real loader accepted it."""
        try:
            data = _read_toml(self.config_file)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigChangeRefused(path, f"配置文件无法读取：{exc}") from None
        _set(data, path, value)
        text = dumps(data).encode()
        self._check_loads(path, text)
        try:
            atomic_write(self.config_file, text, mode=0o644)
        except OSError as exc:
            raise ConfigChangeRefused(path, f"配置文件无法写入：{exc.strerror or exc}") from None

    def _check_loads(self, path: str, text: bytes) -> None:
        fd, tmp = tempfile.mkstemp(suffix=".toml", prefix="kiosk-check-")
        try:
            os.write(fd, text)
            os.close(fd)
            secrets = self.secrets_file if self.secrets_file and self.secrets_file.exists() else None
            load_config(tmp, secrets, environ={})
        except ConfigError as exc:
            reasons = "；".join(f"{p.field}: {p.reason}" for p in exc.problems)
            raise ConfigChangeRefused(path, f"保存后的配置无法通过检查：{reasons}") from None
        finally:
            Path(tmp).unlink(missing_ok=True)

    def set_secret(self, path: str, value: str) -> None:
        """Write a secret (the PIN hash) into the secrets file, mode 600, keeping the previous one."""
        if self.secrets_file is None:
            raise ConfigChangeRefused(path, "未指定密钥文件 (secrets file)")
        data = _read_toml(self.secrets_file)
        _set(data, path, value)
        atomic_write(self.secrets_file, dumps(data).encode(), mode=0o600)
        backup = self.secrets_file.with_name(self.secrets_file.name + ".bak")
        if backup.exists():
            backup.chmod(0o600)
