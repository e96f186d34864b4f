"""One real reference server (subprocess on 127.0.0.1) for the backend tests; faults are cleared
after every test so tests stay independent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from kiosk.domain.holder import Holder
from tests.support.refserver import RefServer, refserver_fixture

BUSINESS_ID = "450206197201010518"
ELDER_ID = "450206195803120088"
RARE_ID = "450206199005170038"
MINORITY_ID = "450206199508210046"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RefServer]:
    yield from refserver_fixture(tmp_path_factory)


@pytest.fixture(autouse=True)
def _clear_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "server" in request.fixturenames:
        request.getfixturevalue("server").clear_faults()


def card_holder(name: str, id_number: str) -> Holder:
    evidence: dict[str, Any] = {
        "kind": "id_card",
        "card_type": "resident",
        "read_at": datetime.now().astimezone(),
        "reader": {"kind": "simulated", "sam_id": "05.01-20260101-0001"},
    }
    return Holder(name=name, id_number=id_number, evidence=evidence)


@pytest.fixture
def business() -> Holder:
    return card_holder("莫海生", BUSINESS_ID)


@pytest.fixture
def rare() -> Holder:
    return card_holder("覃䶮", RARE_ID)
