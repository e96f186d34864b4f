"""What changed between two configurations: for the audit log and for "needs a restart".

Secret values (SecretStr) are never shown: a changed secret appears as ``已更改`` on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, SecretStr

# Fields whose change takes effect only after the terminal restarts (devices are opened at start,
# the window is created once, the backend client holds its connection pool and terminal id).
RESTART_PREFIXES = (
    "devices.",
    "backend.",
    "paths.",
    "terminal.id",
    "terminal.name",
    "terminal.centre_name",
    "display.width",
    "display.height",
    "display.fullscreen",
    "display.font_path",
)
HIDDEN = "******"


@dataclass(frozen=True)
class Change:
    field: str
    old: Any
    new: Any

    def as_audit(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            _flatten(getattr(value, name), f"{prefix}{name}.", out)
    elif isinstance(value, SecretStr):
        out[prefix[:-1]] = ("secret", value.get_secret_value())
    else:
        out[prefix[:-1]] = value


def flatten(config: BaseModel) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _flatten(config, "", out)
    return out


def diff_configs(old: BaseModel, new: BaseModel) -> list[Change]:
    a, b = flatten(old), flatten(new)
    changes = []
    for key in sorted(a.keys() | b.keys()):
        if a.get(key) == b.get(key):
            continue
        if isinstance(a.get(key), tuple) or isinstance(b.get(key), tuple):
            changes.append(Change(key, HIDDEN, HIDDEN))
        else:
            changes.append(Change(key, a.get(key), b.get(key)))
    return changes


def restart_required(old: BaseModel, new: BaseModel) -> list[str]:
    return [c.field for c in diff_configs(old, new) if c.field.startswith(RESTART_PREFIXES)]
