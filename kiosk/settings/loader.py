"""Read the configuration layers, merge them and validate the result with file-level blame."""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kiosk.settings.model import KioskConfig

DEFAULT_SYSTEM_FILE = Path("/etc/kiosk/terminal.toml")
DEFAULT_SECRETS_FILE = Path("/etc/kiosk/secrets.toml")
ENV_PREFIX = "KIOSK__"
SECRET_FIELDS = {("backend", "terminal_secret"), ("admin", "pin_hash"), ("receipt", "code_key")}


@dataclass(frozen=True)
class ConfigProblem:
    source: str  # file path or environment variable
    field: str  # dotted path
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.field}: {self.reason}"


class ConfigError(Exception):
    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class _Layer:
    source: str
    data: dict[str, Any]


def _read_toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def _default_layer() -> _Layer:
    ref = resources.files("config").joinpath("default.toml")
    return _Layer(str(ref), tomllib.loads(ref.read_text(encoding="utf-8")))


def _env_layer(environ: Mapping[str, str]) -> list[_Layer]:
    layers = []
    for key, raw in sorted(environ.items()):
        if not key.startswith(ENV_PREFIX):
            continue
        path = [p.lower() for p in key[len(ENV_PREFIX) :].split("__") if p]
        if not path:
            continue
        try:
            value: Any = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw
        node: dict[str, Any] = {}
        cursor = node
        for part in path[:-1]:
            cursor = cursor.setdefault(part, {})
        cursor[path[-1]] = value
        layers.append(_Layer(f"${key}", node))
    return layers


def _merge(into: dict[str, Any], new: Mapping[str, Any]) -> None:
    for key, value in new.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = dict(value) if isinstance(value, Mapping) else value


def _defines(data: Mapping[str, Any], loc: tuple[str | int, ...]) -> bool:
    node: Any = data
    for part in loc:
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            return False
    return True


def _blame(layers: list[_Layer], loc: tuple[str | int, ...]) -> str:
    for layer in reversed(layers):
        for n in range(len(loc), 0, -1):
            if _defines(layer.data, loc[:n]):
                return layer.source
    return layers[0].source if layers else "<config>"


def _secret_leaks(layer: _Layer) -> list[ConfigProblem]:
    return [
        ConfigProblem(layer.source, ".".join(path), "secrets belong in the secrets file, not here")
        for path in SECRET_FIELDS
        if _defines(layer.data, path)
    ]


def _check_secrets_permissions(path: Path) -> list[ConfigProblem]:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return [ConfigProblem(str(path), "<file>", "secrets file must not be readable by others (chmod 600)")]
    return []


def load_config(
    config_file: Path | str | None = None,
    secrets_file: Path | str | None = None,
    environ: Mapping[str, str] | None = None,
) -> KioskConfig:
    """Load and validate; raise :class:`ConfigError` listing every problem found."""
    env = os.environ if environ is None else environ
    problems: list[ConfigProblem] = []
    layers = [_default_layer()]

    cfg_path = Path(config_file) if config_file else None
    if cfg_path is None and env.get("KIOSK_CONFIG"):
        cfg_path = Path(env["KIOSK_CONFIG"])
    if cfg_path is None and DEFAULT_SYSTEM_FILE.is_file():
        cfg_path = DEFAULT_SYSTEM_FILE
    sec_path = Path(secrets_file) if secrets_file else None
    if sec_path is None and env.get("KIOSK_SECRETS"):
        sec_path = Path(env["KIOSK_SECRETS"])
    if sec_path is None and DEFAULT_SECRETS_FILE.is_file():
        sec_path = DEFAULT_SECRETS_FILE

    for path, is_secret in ((cfg_path, False), (sec_path, True)):
        if path is None:
            continue
        try:
            layer = _Layer(str(path), _read_toml(path))
        except FileNotFoundError:
            problems.append(ConfigProblem(str(path), "<file>", "file not found"))
            continue
        except tomllib.TOMLDecodeError as exc:
            problems.append(ConfigProblem(str(path), "<file>", f"not valid TOML: {exc}"))
            continue
        except OSError as exc:
            problems.append(ConfigProblem(str(path), "<file>", f"cannot read: {exc.strerror}"))
            continue
        if is_secret:
            problems += _check_secrets_permissions(path)
        else:
            problems += _secret_leaks(layer)
        layers.append(layer)

    layers += _env_layer(env)
    merged: dict[str, Any] = {}
    for layer in layers:
        _merge(merged, layer.data)
    try:
        config = KioskConfig.model_validate(merged)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            reason = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
            problems.append(ConfigProblem(_blame(layers, loc), ".".join(map(str, loc)) or "<root>", reason))
        raise ConfigError(problems) from None
    if problems:
        raise ConfigError(problems)
    return config
