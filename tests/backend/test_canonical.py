"""Canonical JSON: what the issuer signs must be reproducible from what the terminal received."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.backend.canonical import canonical_json
from refserver.signing import canonical_json as server_canonical_json

scalars = st.none() | st.booleans() | st.integers(min_value=-(2**53), max_value=2**53) | st.text(max_size=20)
values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=25,
)


@given(values)
def test_round_trip_is_stable(obj: Any) -> None:
    text = canonical_json(obj)
    assert json.loads(text.decode("utf-8")) == obj
    # parsing and re-serialising gives the same bytes: the terminal can re-derive what was signed
    assert canonical_json(json.loads(text)) == text
    assert server_canonical_json(obj) == text


@given(st.dictionaries(st.text(max_size=8), st.integers(), min_size=2, max_size=8))
def test_key_order_does_not_matter(obj: dict[str, int]) -> None:
    reversed_obj = dict(reversed(list(obj.items())))
    assert canonical_json(reversed_obj) == canonical_json(obj)


def test_no_whitespace_and_raw_utf8() -> None:
    text = canonical_json({"b": [1, 2], "a": "覃䶮·买买提"})
    assert text == '{"a":"覃䶮·买买提","b":[1,2]}'.encode()


def test_floats_are_refused() -> None:
    with pytest.raises(ValueError):
        canonical_json({"a": 1.5})
