"""Read the configuration layers, merge them and validate the result with file-level blame.

Layers, later ones winning: the defaults shipped in the package; the terminal's file; the staff
settings file (what staff changed on the admin page, in the state directory); the secrets file;
``KIOSK__SECTION__KEY`` environment variables. Whatever a file or variable holds — bytes that are
not UTF-8, TOML nested a thousand levels deep, a directory, a FIFO, a gigabyte — loading ends in a
:class:`ConfigError` naming the file (or variable), the field where known and a plain reason, never
in another exception: the terminal refuses to start with a message a technician can act on.
"""

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

from kiosk.settings import ownership
from kiosk.settings.model import KioskConfig
from kiosk.settings.notify import SECRETS as NOTIFY_SECRETS

DEFAULT_SYSTEM_FILE = Path("/etc/kiosk/terminal.toml")
DEFAULT_SECRETS_FILE = Path("/etc/kiosk/secrets.toml")
STAFF_FILE_NAME = "staff.toml"  # in the state directory unless paths.staff_file says otherwise
ENV_PREFIX = "KIOSK__"
SECRET_FIELDS = {("backend", "terminal_secret"), ("admin", "pin_hash"), ("receipt", "code_key")}
SECRET_FIELDS |= {("notify", f) for f in NOTIFY_SECRETS}  # the help-call robots (kiosk.notify)
# A terminal's configuration is a few kilobytes, three tables deep: anything far beyond is not one,
# and reading or walking it must not cost memory or the parser's recursion.
MAX_FILE_BYTES = 1024 * 1024
MAX_ENV_BYTES = 64 * 1024
MAX_DEPTH = 12
FILE = "<file>"
NOT_FOUND = "file not found"


def printable(text: str) -> str:
    """``text`` safe to print: control characters and undecodable bytes (surrogates) escaped."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


@dataclass(frozen=True)
class ConfigProblem:
    source: str  # file path or environment variable
    field: str  # dotted path
    reason: str

    def __str__(self) -> str:
        return f"{printable(self.source)}: {printable(self.field)}: {printable(self.reason)}"


class ConfigError(Exception):
    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class _Refused(Exception):
    """One problem that ends the reading of one layer."""

    def __init__(self, reason: str, field: str = FILE) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


@dataclass
class _Layer:
    source: str
    data: dict[str, Any]
    kind: str = "file"  # default | terminal | staff | secrets | env


# ---------------------------------------------------------------------------------------- reading
def read_config_bytes(path: Path) -> tuple[bytes, os.stat_result]:
    """The file's bytes, at most MAX_FILE_BYTES; raises _Refused with a plain reason.

    Opened without blocking (a FIFO in its place must not hang the start) and checked to be a regular
    file before anything is read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise _Refused(NOT_FOUND) from None
    except NotADirectoryError:
        raise _Refused(NOT_FOUND + " (a part of its path is not a directory)") from None
    except OSError as exc:
        raise _Refused(f"cannot read: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise _Refused("is a directory, not a configuration file")
        if not stat.S_ISREG(st.st_mode):
            raise _Refused("not a regular file")
        chunks, size = [], 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(fd, MAX_FILE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise _Refused(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if size > MAX_FILE_BYTES:
        raise _Refused(f"larger than {MAX_FILE_BYTES // 1024} KiB: not a configuration file")
    return b"".join(chunks), st


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        raise _Refused(
            f"not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line}, byte {column} "
            "(save the file as UTF-8)"
        ) from None


def _too_deep(data: Any) -> str | None:
    """The dotted path where ``data`` nests deeper than MAX_DEPTH, or None. Iterative on purpose."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if len(path) > MAX_DEPTH:
            shown = ".".join(path[:MAX_DEPTH])
            return shown + ".…"
        if isinstance(node, Mapping):
            stack.extend((v, (*path, str(k))) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, (*path, str(i))) for i, v in enumerate(node))
    return None


def parse_toml(text: str) -> dict[str, Any]:
    """tomllib with its recursion and our depth bound turned into a plain reason."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _Refused(f"not valid TOML: {exc}") from None
    except RecursionError:
        raise _Refused(f"nested too deeply (more than {MAX_DEPTH} levels)") from None
    where = _too_deep(data)
    if where is not None:
        raise _Refused(f"nested too deeply (more than {MAX_DEPTH} levels)", where)
    return data


def read_toml_file(path: Path) -> tuple[dict[str, Any], os.stat_result]:
    data, st = read_config_bytes(path)
    return parse_toml(_decode(data)), st


def read_config_text(path: Path) -> str | None:
    """The file's text through the same bounded reader as loading; None when there is no such file.
    Raises ValueError with the plain reason (for the admin store, which edits these files)."""
    try:
        data, _st = read_config_bytes(path)
        return _decode(data)
    except _Refused as exc:
        if exc.reason == NOT_FOUND:
            return None
        raise ValueError(exc.reason) from None


def _default_layer() -> _Layer:
    ref = resources.files("config").joinpath("default.toml")
    return _Layer(str(ref), tomllib.loads(ref.read_text(encoding="utf-8")), "default")


def _env_value(key: str, raw: str) -> Any:
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        raise _Refused("not valid UTF-8 text", "<value>") from None
    if len(raw) > MAX_ENV_BYTES:
        raise _Refused(f"longer than {MAX_ENV_BYTES // 1024} KiB", "<value>")
    try:
        value: Any = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw  # not a TOML value: the text itself
    except RecursionError:
        raise _Refused(f"nested too deeply (more than {MAX_DEPTH} levels)", "<value>") from None
    if _too_deep(value) is not None:
        raise _Refused(f"nested too deeply (more than {MAX_DEPTH} levels)", "<value>")
    return value


def _env_layers(environ: Mapping[str, str], problems: list[ConfigProblem]) -> list[_Layer]:
    layers = []
    for key, raw in sorted(environ.items()):
        if not key.startswith(ENV_PREFIX):
            continue
        source = f"${key}"
        path = [p.lower() for p in key[len(ENV_PREFIX) :].split("__") if p]
        if not path:
            continue
        try:
            key.encode("utf-8")
        except UnicodeEncodeError:
            problems.append(ConfigProblem(source, "<name>", "variable name is not valid UTF-8 text"))
            continue
        if len(path) > MAX_DEPTH:
            problems.append(ConfigProblem(source, "<name>", f"more than {MAX_DEPTH} levels"))
            continue
        try:
            value = _env_value(key, raw)
        except _Refused as exc:
            problems.append(ConfigProblem(source, ".".join(path), exc.reason))
            continue
        node: dict[str, Any] = {}
        cursor = node
        for part in path[:-1]:
            cursor = cursor.setdefault(part, {})
        cursor[path[-1]] = value
        layers.append(_Layer(source, node, "env"))
    return layers


# ---------------------------------------------------------------------------------------- merging
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


def _leaves(data: Mapping[str, Any], prefix: str = "") -> list[str]:
    out = []
    for key, value in data.items():
        if isinstance(value, Mapping):
            out += _leaves(value, f"{prefix}{key}.")
        else:
            out.append(f"{prefix}{key}")
    return out


def _secret_leaks(layer: _Layer) -> list[ConfigProblem]:
    return [
        ConfigProblem(layer.source, ".".join(path), "secrets belong in the secrets file, not here")
        for path in sorted(SECRET_FIELDS)
        if _defines(layer.data, path)
    ]


def _not_staff_settings(layer: _Layer) -> list[ConfigProblem]:
    """The staff file is the one the sandboxed app may write: it may hold what staff can change on
    the admin page and nothing else (never the backend, trust anchors or paths)."""
    from kiosk.admin.fields import BY_PATH  # the admin page's list; imported late (admin imports us)

    return [
        ConfigProblem(layer.source, leaf, "not a setting staff may change: set it in the terminal's file")
        for leaf in _leaves(layer.data)
        if leaf not in BY_PATH or BY_PATH[leaf].kind == "readonly"
    ]


def _file_layer(
    path: Path, kind: str, problems: list[ConfigProblem], missing_ok: bool = False
) -> _Layer | None:
    try:
        data, st = read_toml_file(path)
    except _Refused as exc:
        if missing_ok and exc.reason == NOT_FOUND:
            return None  # no staff changes yet
        problems.append(ConfigProblem(str(path), exc.field, exc.reason))
        return None
    rule = {
        "secrets": ownership.secrets_problem,
        "staff": ownership.staff_problem,
    }.get(kind, ownership.config_problem)
    refused = rule(st)
    if refused:
        problems.append(ConfigProblem(str(path), FILE, refused))
        return None
    layer = _Layer(str(path), data, kind)
    if kind != "secrets":
        problems += _secret_leaks(layer)
    if kind == "staff":
        problems += _not_staff_settings(layer)
    return layer


def staff_file_for(paths: Any) -> Path | None:
    """Where staff changes are kept: ``paths.staff_file``, else ``<paths.state_dir>/staff.toml``,
    else nowhere (a developer's run without a state directory edits its --config file instead)."""
    get = paths.get if isinstance(paths, Mapping) else lambda name: getattr(paths, name, None)
    explicit, state = get("staff_file"), get("state_dir")
    if isinstance(explicit, str) and explicit:
        return Path(explicit)
    if isinstance(state, str) and state:
        return Path(state) / STAFF_FILE_NAME
    return None


def _present(path: Path) -> bool:
    """Whether a default file is there to be read. One that exists but cannot be reached (a user
    outside the kiosk group and /etc/kiosk 0750) counts, so that reading it says why it failed
    (Path.is_file raises PermissionError there)."""
    try:
        path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError:
        return True
    return True


class _Auto:
    """Marker: find the staff file from the configured paths."""


AUTO = _Auto()


def _load(
    config_file: Path | str | None,
    secrets_file: Path | str | None,
    environ: Mapping[str, str] | None,
    staff_file: Path | str | _Auto | None,
) -> tuple[KioskConfig, list[_Layer]]:
    env = os.environ if environ is None else environ
    problems: list[ConfigProblem] = []

    cfg_path = Path(config_file) if config_file else None
    if cfg_path is None and env.get("KIOSK_CONFIG"):
        cfg_path = Path(env["KIOSK_CONFIG"])
    if cfg_path is None and _present(DEFAULT_SYSTEM_FILE):
        cfg_path = DEFAULT_SYSTEM_FILE
    sec_path = Path(secrets_file) if secrets_file else None
    if sec_path is None and env.get("KIOSK_SECRETS"):
        sec_path = Path(env["KIOSK_SECRETS"])
    if sec_path is None and _present(DEFAULT_SECRETS_FILE):
        sec_path = DEFAULT_SECRETS_FILE

    terminal = _file_layer(cfg_path, "terminal", problems) if cfg_path else None
    secrets = _file_layer(sec_path, "secrets", problems) if sec_path else None
    env_layers = _env_layers(env, problems)
    head = [_default_layer(), *([terminal] if terminal else [])]
    tail = [*([secrets] if secrets else []), *env_layers]

    if isinstance(staff_file, _Auto):
        paths: dict[str, Any] = {}
        for layer in head + tail:
            section = layer.data.get("paths")
            if isinstance(section, Mapping):
                paths.update(section)
        staff_path = staff_file_for(paths)
    else:
        staff_path = Path(staff_file) if staff_file else None
    staff = _file_layer(staff_path, "staff", problems, missing_ok=True) if staff_path else None
    layers = head + ([staff] if staff else []) + tail

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
    return config, layers


def load_config(
    config_file: Path | str | None = None,
    secrets_file: Path | str | None = None,
    environ: Mapping[str, str] | None = None,
    staff_file: Path | str | _Auto | None = AUTO,
) -> KioskConfig:
    """Load and validate; raise :class:`ConfigError` listing every problem found.

    ``staff_file``: the staff settings layer; by default found from the configured paths (absent
    file: no staff changes yet), ``None`` for none.
    """
    return _load(config_file, secrets_file, environ, staff_file)[0]


@dataclass(frozen=True)
class ConfigSources:
    """Which files and variables were read, in order, and which one set each value."""

    layers: list[tuple[str, str]]  # (kind, source)
    values: dict[str, str]  # dotted field -> source of the value in force (not the defaults')


def load_config_sources(
    config_file: Path | str | None = None,
    secrets_file: Path | str | None = None,
    environ: Mapping[str, str] | None = None,
    staff_file: Path | str | _Auto | None = AUTO,
) -> tuple[KioskConfig, ConfigSources]:
    """Like :func:`load_config`, and says where each value came from (for ``kiosk config check``)."""
    config, layers = _load(config_file, secrets_file, environ, staff_file)
    values: dict[str, str] = {}
    for layer in layers[1:]:
        for leaf in _leaves(layer.data):
            values[leaf] = layer.source
    return config, ConfigSources([(layer.kind, layer.source) for layer in layers], values)


# ------------------------------------------------------------------------------ placeholders
# What deploy/etc/terminal.toml.example ships for a technician to replace. A terminal started with
# them would say it is "LJ-ZZ-CHANGE-ME", talk to a host that is not the province's platform and
# sign nothing: each is a problem for ``kiosk run`` and ``kiosk config check`` (the demo never
# reads the example, so it is not affected).
PLACEHOLDER_MARK = "CHANGE-ME"
EXAMPLE_DOMAINS = ("example.gov.cn", "example.com", "example.org", "example.net")


def _is_example_host(url: str) -> bool:
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in EXAMPLE_DOMAINS)


def placeholder_problems(
    config: Any, sources: Mapping[str, str] | None = None, need_secret: bool = True
) -> list[ConfigProblem]:
    """The example's placeholders still in ``config``, each with the file that set it and what to do.

    ``need_secret``: a missing backend terminal secret counts too (``kiosk run``: nothing it sends
    would be signed, and the platform refuses unsigned calls).
    """
    where = dict(sources or {})

    def problem(field: str, reason: str) -> ConfigProblem:
        return ConfigProblem(where.get(field, "configuration"), field, reason)

    found: list[ConfigProblem] = []
    if PLACEHOLDER_MARK in config.terminal.id:
        found.append(
            problem(
                "terminal.id",
                f"still the example's placeholder {config.terminal.id!r}: set this terminal's id",
            )
        )
    if _is_example_host(config.backend.url):
        found.append(
            problem(
                "backend.url",
                f"still the example's address {config.backend.url!r}: set the e-certificate platform's URL",
            )
        )
    card = config.devices.card_reader
    if PLACEHOLDER_MARK in (getattr(card, "reader_name_contains", "") or ""):
        found.append(
            problem(
                "devices.card_reader.reader_name_contains",
                "still the example's placeholder: set the reader's name (kiosk card readers lists them)",
            )
        )
    if need_secret and not config.backend.terminal_secret.get_secret_value():
        found.append(
            ConfigProblem(
                where.get("backend.terminal_secret", "secrets file"),
                "backend.terminal_secret",
                "not set: put the terminal secret issued by the platform into /etc/kiosk/secrets.toml",
            )
        )
    return found
