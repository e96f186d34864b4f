"""免证 matching against the REAL reference server with the real client: for every demo holder, the
materials marked 免证 are exactly those backed by a certificate that is valid today.

The expectation is computed independently of the terminal's verification, from the seed's own
statuses and dates (refserver/seed.py); the "rare" holder's expired driving licence and revoked
marriage certificate, and the "minority" holder's expired identity card, must not count.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from kiosk.guide import MaterialState, default_catalogue, readiness, session_readiness
from refserver.seed import STATUS_VALID, TYPE_CODES, certificates_for, load_identities
from tests.guide.helpers import fetch
from tests.support.refserver import RefServer

IDENTITIES = {p["key"]: p for p in load_identities()}


def valid_types_from_seed(p: dict[str, Any], today: date) -> set[str]:
    return {
        TYPE_CODES[c.kind]
        for c in certificates_for(p)
        if c.status == STATUS_VALID and c.valid_from <= today and (c.valid_to is None or c.valid_to >= today)
    }


@pytest.mark.parametrize("key", sorted(IDENTITIES))
async def test_free_materials_are_exactly_those_with_a_valid_certificate(server: RefServer, key: str) -> None:
    p = IDENTITIES[key]
    today = date.today()
    certs, records = await fetch(server, p)
    assert certs, f"no certificates for {key}"
    valid = valid_types_from_seed(p, today)
    catalogue = default_catalogue()
    covered_anywhere = 0
    for matter in catalogue.matters:
        ready = readiness(catalogue, matter, certs, records, today)
        got = {c.material.name for c in ready.checks if c.state is MaterialState.COVERED}
        expected = {m.name for m in matter.materials if set(m.accepts) & valid}
        assert got == expected, f"{key} / {matter.name}"
        assert not [c for c in ready.checks if c.state is MaterialState.PENDING]
        covered_anywhere += len(got)
        for check in ready.covered:  # the covering certificate really is one of the accepted types
            assert any(
                r.record.summary.name == check.certificate
                and r.record.summary.type_code in check.material.accepts
                for r in records.values()
            )
    assert covered_anywhere > 0


async def test_expired_and_revoked_certificates_do_not_count(server: RefServer) -> None:
    today = date.today()
    catalogue = default_catalogue()
    certs, records = await fetch(server, IDENTITIES["rare"])
    names = {r.record.summary.name: r for r in records.values()}
    assert not names["结婚证"].verification.ok and not names["机动车驾驶证"].verification.ok
    marriage = TYPE_CODES["结婚证"]
    licence = TYPE_CODES["机动车驾驶证"]
    seen = {marriage: False, licence: False}
    for matter in catalogue.matters:
        for check in readiness(catalogue, matter, certs, records, today).checks:
            for code in seen:
                if code in check.material.accepts and len(check.material.accepts) == 1:
                    seen[code] = True
                    assert check.state is MaterialState.BRING
                    assert ("已注销" if code == marriage else "已过期") in check.note
    assert all(seen.values()), "the catalogue has materials for both certificates"
    # the identity card of the "minority" holder carries the platform's expired status
    certs, records = await fetch(server, IDENTITIES["minority"])
    estate = catalogue.get("pension-enrol")
    assert estate is not None
    states = {c.material.name: c.state for c in readiness(catalogue, estate, certs, records, today).checks}
    assert states == {
        "居民身份证": MaterialState.BRING,
        "居民户口簿": MaterialState.COVERED,
        "城乡居民基本养老保险参保登记表": MaterialState.BRING,
    }


async def test_unverified_yet_is_pending_and_nobody_identified_brings_everything(server: RefServer) -> None:
    today = date.today()
    catalogue = default_catalogue()
    certs, records = await fetch(server, IDENTITIES["elder"])
    matter = catalogue.get("estate-transfer")
    assert matter is not None
    estate_id = next(c.identifier for c in certs if c.type_code == TYPE_CODES["不动产权证书"])
    partial = {k: v for k, v in records.items() if k != estate_id}
    states = {c.material.name: c.state for c in readiness(catalogue, matter, certs, partial, today).checks}
    assert states["不动产权属证书"] is MaterialState.PENDING
    assert states["买卖双方身份证明"] is MaterialState.COVERED
    # the terminal re-checks dates: rare's identity card (valid to 2036-09-20) stops counting after it
    certs, records = await fetch(server, IDENTITIES["rare"])
    now = {c.material.name for c in readiness(catalogue, matter, certs, records, today).covered}
    later = {c.material.name for c in readiness(catalogue, matter, certs, records, date(2036, 9, 21)).covered}
    assert now == {"买卖双方身份证明", "不动产权属证书"}
    assert later == {"不动产权属证书"}
    nobody = session_readiness(catalogue, matter, None, today)
    assert not nobody.identified and all(c.state is MaterialState.BRING for c in nobody.checks)


async def test_readiness_carries_no_personal_data(server: RefServer) -> None:
    """What the guide shows and prints about a material names certificate types, never the person."""
    catalogue = default_catalogue()
    for p in IDENTITIES.values():
        certs, records = await fetch(server, p)
        for matter in catalogue.matters:
            ready = readiness(catalogue, matter, certs, records, date.today())
            words = " ".join(f"{c.certificate} {c.note}" for c in ready.checks)
            for c in certs:
                assert c.number not in words and c.identifier not in words
            assert p["name"] not in words and p["id_number"] not in words
