"""Validated, atomic changes to the terminal's configuration files.

Where staff changes go: the staff settings file in the state directory (``paths.staff_file``,
default ``<state_dir>/staff.toml``) — the one place the sandboxed app may write (the unit makes /etc
read-only), layered by the loader over the terminal's file. A developer's run without a state
directory edits its ``--config`` file instead (``layered_over`` None).

A change is checked twice before anything is written: against the running configuration (the
same pydantic models as at start-up), and by loading the would-be file with the real loader
(defaults + terminal file + staff file + secrets) from a temporary copy. Only then is the file
replaced atomically (kiosk.admin.atomic), keeping the previous version as ``<name>.bak``. Files are
edited with tomlkit (kiosk.admin.toml_edit), so the comments staff or technicians wrote survive.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kiosk.admin import toml_edit
from kiosk.admin.atomic import atomic_write, backup_path
from kiosk.admin.fields import BY_PATH
from kiosk.i18n import _, current_language
from kiosk.settings import ConfigError, KioskConfig, load_config, ownership
from kiosk.settings.loader import read_config_text

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
    """The change was not saved; ``reason`` is plain Chinese for the staff member (and the audit
    log), ``shown`` the same in the page's language (staff may choose English)."""

    def __init__(self, field: str, reason: str, shown: str | None = None) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
        self.shown = shown if shown is not None else _(reason)


def _refused(path: str, template: str, **values: Any) -> ConfigChangeRefused:
    """The refusal in Chinese (``reason``) and translated (``shown``); a value given as a callable
    takes the translation function (a field's name, pydantic's reasons)."""
    chinese = {k: v(_same) if callable(v) else v for k, v in values.items()}
    local = {k: v(_) if callable(v) else v for k, v in values.items()}
    return ConfigChangeRefused(path, template.format(**chinese), _(template).format(**local))


def _same(text: str) -> str:
    return text


def _label(path: str, tr: Callable[[str], str] = _same) -> str:
    field = BY_PATH.get(path)
    return tr(field.label) if field else path


def _reason(exc: ValidationError, tr: Callable[[str], str] = _same) -> str:
    parts = []
    for err in exc.errors():
        template = _REASONS.get(err["type"])
        ctx = err.get("ctx") or {}
        if template:
            try:
                parts.append(tr(template).format(**ctx))
                continue
            except (KeyError, IndexError):
                pass
        msg = str(err["msg"]).removeprefix("Value error, ")
        if "warning_seconds must be shorter" in msg:
            msg = tr("超时提醒必须短于无操作超时")
        parts.append(msg)
    return ("；" if tr is _same or current_language() == "zh_CN" else "; ").join(parts) or tr("值无效")


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[parts[-1]] = value


def _read_text(path: Path | None) -> str:
    """The file's text through the loader's own bounded reader ("" when there is none yet)."""
    return (read_config_text(path) if path is not None else None) or ""


class ConfigStore:
    """One configuration file that changes are written to (and the secrets file for the PIN hash).

    ``layered_over``: the terminal's file that ``config_file`` (the staff file) is layered over.
    """

    def __init__(
        self, config_file: Path, secrets_file: Path | None = None, *, layered_over: Path | None = None
    ) -> None:
        self.config_file = Path(config_file)
        self.secrets_file = Path(secrets_file) if secrets_file else None
        self.layered_over = Path(layered_over) if layered_over else None
        self.staff = layered_over is not None

    def propose(self, current: KioskConfig, path: str, value: Any) -> KioskConfig:
        """The running configuration with one field changed, validated; raises ConfigChangeRefused."""
        if path not in BY_PATH or BY_PATH[path].kind == "readonly":
            raise _refused(path, "此项不能在屏幕上修改")
        self._representable(path, value)
        data = current.model_dump()
        _set(data, path, value)
        try:
            return KioskConfig.model_validate(data)
        except ValidationError as exc:
            raise _refused(
                path,
                "“{label}”设为 {value} 未被接受：{reason}",
                label=partial(_label, path),
                value=value,
                reason=partial(_reason, exc),
            ) from None

    @staticmethod
    def _representable(path: str, value: Any) -> None:
        try:
            toml_edit.check_representable(value)
        except toml_edit.Unrepresentable as exc:
            raise _refused(
                path,
                "“{label}”设为 {value} 未被接受：{reason}",
                label=partial(_label, path),
                value=repr(value),
                reason=exc,
            ) from None

    def save(self, path: str, value: Any) -> None:
        """Write ``path = value`` into the file, comments kept, after the real loader accepted it."""
        self._representable(path, value)
        try:
            text = toml_edit.set_value(_read_text(self.config_file), path, value)
        except ValueError as exc:  # not readable, not UTF-8, not TOML
            raise _refused(path, "配置文件无法读取：{reason}", reason=exc) from None
        data = text.encode("utf-8")
        self._check_loads(path, data)
        mode = ownership.STAFF_FILE_MODE if self.staff else ownership.TERMINAL_FILE_MODE
        try:
            atomic_write(self.config_file, data, mode=mode, like_existing=True)
        except OSError as exc:
            raise _refused(path, "配置文件无法写入：{reason}", reason=exc.strerror or exc) from None

    def _check_loads(self, path: str, text: bytes) -> None:
        fd, tmp = tempfile.mkstemp(suffix=".toml", prefix="kiosk-check-")
        try:
            os.write(fd, text)
            os.close(fd)
            secrets = self.secrets_file if self.secrets_file and self.secrets_file.exists() else None
            if self.staff:
                base = self.layered_over if self.layered_over and self.layered_over.exists() else None
                load_config(base, secrets, environ={}, staff_file=tmp)
            else:
                load_config(tmp, secrets, environ={}, staff_file=None)
        except ConfigError as exc:
            reasons = "；".join(f"{p.field}: {p.reason}" for p in exc.problems)
            raise _refused(path, "保存后的配置无法通过检查：{reasons}", reasons=reasons) from None
        finally:
            Path(tmp).unlink(missing_ok=True)

    def set_secret(self, path: str, value: str) -> None:
        """Write a secret (the PIN hash) into the secrets file, comments kept, atomically.

        An existing file keeps its owner, group and mode (root:kiosk 0640 on a terminal, whoever runs
        this); a new one follows the ownership rule: root:kiosk 0640 where the kiosk group exists,
        else the running user's own, 0600. The previous version is kept as ``.bak``, readable by its
        owner only.
        """
        if self.secrets_file is None:
            raise _refused(path, "未指定密钥文件 (secrets file)")
        try:
            text = toml_edit.set_value(_read_text(self.secrets_file), path, value)
        except ValueError as exc:  # not readable, not UTF-8, not TOML: change nothing
            raise _refused(path, "密钥文件无法读取，未修改：{reason}", reason=exc) from None
        gid = ownership.kiosk_gid()
        if gid is not None and os.geteuid() == ownership.OWNER_UID:
            mode, owner = ownership.SECRETS_FILE_MODE, (ownership.OWNER_UID, gid)
        else:
            mode, owner = ownership.PRIVATE_FILE_MODE, None
        atomic_write(self.secrets_file, text.encode("utf-8"), mode=mode, owner=owner, like_existing=True)
        backup = backup_path(self.secrets_file)
        if backup.exists():
            backup.chmod(0o600)
