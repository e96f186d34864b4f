"""Staff changes are written as valid TOML that keeps the comments people wrote (issue 19 item 12).

The hand-written writer this replaced wrote U+007F unescaped and integers of 2^63 and more, which
every TOML parser refuses (tomllib accepts the big integer, but no 64-bit parser does), and it dropped
every comment of the file it rewrote.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kiosk.admin.fields import FIELDS
from kiosk.admin.store import ConfigChangeRefused, ConfigStore
from kiosk.admin.toml_edit import INT_MAX, INT_MIN, Unrepresentable, set_value
from tests.support.ui import make_config

COMMENTED = """\
# 柳江区政务服务中心 一楼 07 号终端 — 技术人员：覆盖默认值，改动请登记
[terminal]
id = "LJ-ZZ-07"   # 资产编号
name = "自助终端 07"

# 超时：老年人多，放宽一些
[timeouts]
idle_seconds = 90  # 秒
goodbye_seconds = 10

[devices.printer]
kind = "usb"  # 80 mm 热敏
"""


def test_a_commented_file_keeps_its_comments_and_the_value_changes(tmp_path: Path) -> None:
    path = tmp_path / "terminal.toml"
    path.write_text(COMMENTED, encoding="utf-8")
    store = ConfigStore(path)
    store.save("timeouts.idle_seconds", 120)
    store.save("devices.printer.paper_mm", 58)
    store.save("voice.enabled", False)
    text = path.read_text(encoding="utf-8")
    for comment in (
        "# 柳江区政务服务中心 一楼 07 号终端",
        "# 资产编号",
        "# 超时：老年人多",
        "# 秒",
        "# 80 mm 热敏",
    ):
        assert comment in text
    assert "idle_seconds = 120  # 秒" in text  # the value changed in place, its comment kept
    data = tomllib.loads(text)
    assert data["timeouts"] == {"idle_seconds": 120, "goodbye_seconds": 10}
    assert data["devices"]["printer"] == {"kind": "usb", "paper_mm": 58}
    assert data["voice"] == {"enabled": False}
    previous = tomllib.loads((tmp_path / "terminal.toml.bak").read_text(encoding="utf-8"))
    assert "voice" not in previous and previous["timeouts"]["idle_seconds"] == 120


def test_control_characters_are_escaped() -> None:
    text = set_value("", "terminal.location", 'a\x7fb\x00c\x1b[2J"\\\n')
    assert "\x7f" not in text and "\x00" not in text and "\x1b" not in text
    assert tomllib.loads(text)["terminal"]["location"] == 'a\x7fb\x00c\x1b[2J"\\\n'


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 10**30])
def test_integers_toml_cannot_hold_are_refused_before_writing(tmp_path: Path, value: int) -> None:
    path = tmp_path / "terminal.toml"
    path.write_text(COMMENTED, encoding="utf-8")
    with pytest.raises(ConfigChangeRefused) as err:
        ConfigStore(path).save("timeouts.idle_seconds", value)
    assert "超出可保存的范围" in err.value.reason
    assert path.read_text(encoding="utf-8") == COMMENTED  # nothing written
    with pytest.raises(ConfigChangeRefused) as err:  # and on the screen's path, before validation
        ConfigStore(path).propose(make_config(), "timeouts.idle_seconds", value)
    assert "超出可保存的范围" in err.value.reason
    assert set_value("", "a.b", INT_MAX) and set_value("", "a.b", INT_MIN)  # the limits themselves fit


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
EDITABLE = [f for f in FIELDS if f.kind != "readonly"]


def _values_for(kind: str, choices: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    anything = st.one_of(st.booleans(), st.integers(), st.floats(), st.text(max_size=20))
    kind_values = {
        "bool": st.booleans(),
        "int": st.one_of(st.integers(0, 1000), st.integers()),
        "float": st.one_of(st.floats(0, 1), st.floats()),
        "choice": st.sampled_from(choices) if choices else anything,
    }[kind]
    return st.integers(0, 3).flatmap(lambda n: kind_values if n else anything)  # mostly the field's own


@PROPERTY
@given(st.data())
def test_any_value_the_admin_fields_allow_round_trips(data: st.DataObject) -> None:
    field = data.draw(st.sampled_from(EDITABLE))
    value = data.draw(_values_for(field.kind, field.choices))
    store = ConfigStore(WORK / "terminal.toml")
    store.config_file.write_text(COMMENTED, encoding="utf-8")
    try:
        store.propose(CURRENT, field.path, value)
    except ConfigChangeRefused as exc:
        assert exc.reason  # refused with a reason: nothing to write
        event("refused")
        return
    event("saved")
    store.save(field.path, value)
    node: Any = tomllib.loads(store.config_file.read_text(encoding="utf-8"))
    for part in field.path.split("."):
        node = node[part]
    assert node == value and type(node) is type(value)


ANY_TEXT = st.text(st.characters(blacklist_categories=()), max_size=12)  # lone surrogates too
KEY = st.text(min_size=1, max_size=6).filter(lambda key: "." not in key)


@PROPERTY
@given(
    st.lists(KEY, min_size=1, max_size=4),
    st.one_of(
        st.booleans(), st.integers(), st.floats(allow_nan=False), ANY_TEXT, st.lists(ANY_TEXT, max_size=3)
    ),
)
def test_any_path_and_value_is_valid_toml_or_refused(parts: list[str], value: Any) -> None:
    try:
        text = set_value(COMMENTED, ".".join(parts), value)
    except Unrepresentable:
        items = value if isinstance(value, list) else [value]
        too_big = isinstance(value, int) and not INT_MIN <= value <= INT_MAX
        lone_surrogate = any(isinstance(i, str) and any(0xD800 <= ord(c) <= 0xDFFF for c in i) for i in items)
        assert too_big or lone_surrogate
        return
    node: Any = tomllib.loads(text)
    for part in parts:
        node = node[part]
    assert node == value or (isinstance(value, float) and math.isclose(node, value))
    assert "# 资产编号" in text


WORK = Path(__import__("tempfile").mkdtemp(prefix="kiosk-toml-edit-"))
CURRENT = make_config()
