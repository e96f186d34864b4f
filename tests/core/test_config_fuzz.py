"""Abuse suite: the configuration loader against random files and ``KIOSK__*`` variables.

The named outcome for every input: ``load_config`` returns a validated configuration or raises
:class:`ConfigError` whose problems each name a source and a reason — never another exception (a
traceback stops a terminal with nothing a technician can act on). Bounded: each property runs a
fixed number of examples, so the file stays well under a minute.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.settings import ConfigError, KioskConfig, load_config

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
WORK = Path(tempfile.mkdtemp(prefix="kiosk-config-fuzz-"))
SECTIONS = ("terminal", "display", "timeouts", "admin", "paths", "devices", "trust", "backend", "zz")


def _outcome(**kwargs: Any) -> None:
    try:
        config = load_config(environ=kwargs.pop("environ", {}), staff_file=None, **kwargs)
    except ConfigError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.source and problem.reason
            str(problem).encode("utf-8")  # printable on any terminal: no lone surrogates left
        return
    assert isinstance(config, KioskConfig)


def _file(name: str, data: bytes, mode: int = 0o600) -> Path:
    path = WORK / name
    path.write_bytes(data)
    os.chmod(path, mode)
    return path


scalars = st.one_of(
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=40),
    st.sampled_from(["simulated", "usb", "pcsc", "zh_CN", "", "LJ-01"]),
)
keys = st.one_of(
    st.sampled_from(SECTIONS), st.sampled_from(["id", "name", "kind", "width"]), st.text(max_size=8)
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=30,
)
documents = st.dictionaries(st.sampled_from(SECTIONS), st.dictionaries(keys, values, max_size=5), max_size=5)


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_as_the_terminal_file(data: bytes) -> None:
    _outcome(config_file=_file("bytes.toml", data, 0o644))


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_as_the_secrets_file(data: bytes) -> None:
    _outcome(secrets_file=_file("secrets.toml", data))


@FUZZ
@given(st.text(max_size=400))
def test_random_unicode_as_the_terminal_file(text: str) -> None:
    _outcome(config_file=_file("text.toml", text.encode("utf-8", "surrogatepass"), 0o644))


@FUZZ
@given(documents)
def test_random_nested_toml(doc: dict[str, Any]) -> None:
    try:
        text = tomlkit.dumps(doc)
    except Exception:
        text = ""
    _outcome(config_file=_file("nested.toml", text.encode("utf-8", "surrogatepass"), 0o644))


NESTINGS = {
    "arrays": lambda n: "x = " + "[" * n + "]" * n,
    "inline tables": lambda n: "x = " + "{a=" * n + "1" + "}" * n,
    "table header": lambda n: "[" + "a." * n + "a]",
    "dotted key": lambda n: "a." * n + "a = 1",
    "arrays of tables": lambda n: "[[" + "t." * n + "t]]",
}


@FUZZ
@given(st.integers(1, 3000), st.sampled_from(sorted(NESTINGS)), st.sampled_from(["config", "secrets"]))
def test_deep_nesting_in_a_file(depth: int, shape: str, which: str) -> None:
    path = _file("deep.toml", NESTINGS[shape](depth).encode())
    _outcome(**{f"{which}_file": path})


env_names = st.lists(
    st.one_of(
        st.sampled_from(SECTIONS),
        st.sampled_from(["ID", "NAME", "KIND", "IDLE_SECONDS"]),
        st.text(max_size=6),
    ),
    min_size=0,
    max_size=20,
)
env_values = st.one_of(
    st.text(max_size=60),
    st.binary(max_size=60).map(lambda b: b.decode("utf-8", "surrogateescape")),  # what os.environ holds
    st.integers(1, 2000).map(lambda n: "[" * n + "]" * n),
    st.integers(1, 2000).map(lambda n: "{a=" * n + "1" + "}" * n),
)


@FUZZ
@given(st.dictionaries(env_names.map(lambda parts: "KIOSK__" + "__".join(parts)), env_values, max_size=4))
def test_random_environment_variables(environ: dict[str, str]) -> None:
    _outcome(environ=environ)
