"""SM2 through OpenSSL (kiosk.crypto.sm2) gives the verdicts of the pure-Python path it replaces.

Both paths are run on: signatures made by two other implementations (OpenSSL's command line with
the default user id, and the sm-crypto JavaScript library; tests/backend/data/make_sm2_vectors.py
made them), the reference server's demo records, and malformed keys and signatures.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from gmssl import sm2 as gmssl_sm2
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.crypto import sm2
from refserver.demo_issuer_key import DEMO_PRIVATE_KEY_HEX, DEMO_PUBLIC_KEY_HEX
from refserver.seed import load_identities, seed
from refserver.signing import Issuer, canonical_json
from refserver.store import Store

VECTORS = json.loads((Path(__file__).parent / "data" / "sm2_vectors.json").read_text(encoding="utf-8"))
BARE = DEMO_PUBLIC_KEY_HEX[2:]


@pytest.fixture(params=[sm2.NATIVE, sm2.PURE_PYTHON])
def path(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each test with this fixture runs on the native path and on the pure-Python fallback."""
    if request.param == sm2.PURE_PYTHON:
        sm2.use_pure_python("test")
    try:
        assert sm2.backend() == request.param
        yield request.param
    finally:
        sm2.reset()


def gmssl_verify(public_hex: str, signature: str, message: bytes) -> bool:
    """What the terminal ran before (gmssl, pure Python), called directly."""
    return bool(
        gmssl_sm2.CryptSM2(private_key=None, public_key=public_hex[-128:]).verify_with_sm3(signature, message)
    )


def test_this_terminal_checks_signatures_natively() -> None:
    """Debian's libssl3 (which Python itself needs) is OpenSSL 3 with SM2: the native path is used."""
    sm2.reset()
    assert sm2.backend() == sm2.NATIVE, sm2.why_not_native()
    assert sm2.why_not_native() == ""


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=lambda v: v["by"])
def test_signatures_by_other_implementations(vector: dict[str, Any], path: str) -> None:
    message = bytes.fromhex(VECTORS["messages"][vector["message"]] + vector["append"])
    assert sm2.verify(vector["public"], vector["signature"], message) is vector["valid"]


def test_the_vectors_cover_both_implementations_and_both_verdicts() -> None:
    kinds = {(v["by"].split()[0].rstrip(","), v["valid"]) for v in VECTORS["vectors"]}
    assert kinds == {("openssl", True), ("openssl", False), ("sm-crypto", True), ("sm-crypto", False)}


@pytest.fixture(scope="module")
def reference_records(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    """The reference server's demo records, as it seeds them (signed by refserver.signing)."""
    store = Store(tmp_path_factory.mktemp("refserver") / "demo.db")
    try:
        seed(store)
        records = [r for p in load_identities() for r in store.records_for(p["id_number"])]
    finally:
        store.close()
    assert len(records) >= 10
    return records


def test_reference_records_signed_by_the_server_verify_as_before(
    reference_records: list[Any], path: str
) -> None:
    for stored in reference_records:
        message = canonical_json(stored.record)
        assert gmssl_verify(DEMO_PUBLIC_KEY_HEX, stored.signature, message)  # the old verifier agrees
        assert sm2.verify(DEMO_PUBLIC_KEY_HEX, stored.signature, message)
        tampered = copy.deepcopy(stored.record)
        tampered["holder_name"] += "某"
        assert not sm2.verify(DEMO_PUBLIC_KEY_HEX, stored.signature, canonical_json(tampered))


def test_reference_records_signed_by_gmssl_verify(reference_records: list[Any], path: str) -> None:
    signer = gmssl_sm2.CryptSM2(private_key=DEMO_PRIVATE_KEY_HEX, public_key=BARE)
    for stored in reference_records[:8]:
        message = canonical_json(stored.record)
        signature = signer.sign_with_sm3(message, "1f" * 32)
        assert sm2.verify(DEMO_PUBLIC_KEY_HEX, signature, message)
        assert not sm2.verify(DEMO_PUBLIC_KEY_HEX, signature, message + b" ")


def test_signing_on_either_path_verifies_on_the_other(path: str) -> None:
    record = {"name": "结婚证", "holder_name": "覃䶮", "status": "10"}
    signature = Issuer().sign(record)
    assert gmssl_verify(DEMO_PUBLIC_KEY_HEX, signature, canonical_json(record))
    sm2.reset()  # back to native
    assert sm2.verify(DEMO_PUBLIC_KEY_HEX, signature, canonical_json(record))
    assert Issuer().sign(record) != signature  # a fresh nonce every time


# n, the order of the curve: r and s must lie in [1, n-1]
N_HEX = f"{sm2.N:064x}"
MALFORMED_SIGNATURES = [
    "",
    "zz" * 64,
    "00" * 64,
    "ab" * 10,
    "ab" * 65,
    " " + "ab" * 63 + " ",
    "00" * 32 + "11" * 32,  # r = 0
    "11" * 32 + "00" * 32,  # s = 0
    N_HEX + "11" * 32,  # r = n
    "11" * 32 + N_HEX,  # s = n
    "ff" * 64,  # both above n
    None,
    12345,
    b"\x01" * 64,
]
MALFORMED_KEYS = [
    "",
    "04" + "00" * 64,  # not on the curve
    DEMO_PUBLIC_KEY_HEX[:-2] + "00",  # not on the curve
    "05" + BARE,
    BARE[:-2],
    "zz" * 64,
    f"{sm2.P:064x}" * 2,  # coordinates out of the field
    None,
    7,
    bytes.fromhex(BARE),
]


@pytest.mark.parametrize("signature", MALFORMED_SIGNATURES, ids=repr)
def test_malformed_signatures_are_false_not_errors(signature: Any, path: str) -> None:
    assert sm2.verify(DEMO_PUBLIC_KEY_HEX, signature, b"message") is False


@pytest.mark.parametrize("key", MALFORMED_KEYS, ids=repr)
def test_malformed_keys_are_false_not_errors(key: Any, path: str) -> None:
    signature = Issuer().sign({"a": 1})
    assert sm2.verify(key, signature, canonical_json({"a": 1})) is False


def test_a_message_that_is_not_bytes_is_false(path: str) -> None:
    signature = Issuer().sign({"a": 1})
    assert sm2.verify(DEMO_PUBLIC_KEY_HEX, signature, '{"a":1}') is False  # type: ignore[arg-type]
    assert sm2.verify(DEMO_PUBLIC_KEY_HEX, signature, bytearray(b'{"a":1}')) is True


def test_keys_in_either_form_and_case(path: str) -> None:
    record = {"a": "测试"}
    signature = Issuer().sign(record)
    for key in (DEMO_PUBLIC_KEY_HEX, BARE, DEMO_PUBLIC_KEY_HEX.upper(), f" {DEMO_PUBLIC_KEY_HEX}\n"):
        assert sm2.verify(key, signature, canonical_json(record))
    assert sm2.verify(DEMO_PUBLIC_KEY_HEX, signature.upper(), canonical_json(record))


@settings(max_examples=300, deadline=None)
@given(key=st.text(max_size=140), signature=st.text(max_size=140), message=st.binary(max_size=64))
def test_any_text_is_a_verdict_never_an_exception(key: str, signature: str, message: bytes) -> None:
    for forced in (False, True):
        if forced:
            sm2.use_pure_python("test")
        try:
            assert sm2.verify(key, signature, message) is False
            assert sm2.verify(DEMO_PUBLIC_KEY_HEX, signature, message) is False
        finally:
            sm2.reset()


def test_hex_that_nearly_parses_is_false() -> None:
    """Signatures with r, s in range but wrong: the native path refuses them like gmssl does."""
    message = b"x"
    for r, s in ((1, 1), (sm2.N - 1, sm2.N - 1), (2**255, 3)):
        signature = f"{r:064x}{s:064x}"
        assert (
            sm2.verify(DEMO_PUBLIC_KEY_HEX, signature, message)
            is gmssl_verify(DEMO_PUBLIC_KEY_HEX, signature, message)
            is False
        )


def test_without_libcrypto_the_fallback_is_used_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sm2, "_candidates", lambda: ["/nonexistent/libcrypto.so.3"])
    sm2.reset()
    try:
        assert sm2.backend() == sm2.PURE_PYTHON
        assert "/nonexistent/libcrypto.so.3" in sm2.why_not_native()
        record = {"a": 1}
        assert sm2.verify(DEMO_PUBLIC_KEY_HEX, Issuer().sign(record), canonical_json(record))
    finally:
        monkeypatch.undo()
        sm2.reset()


def test_a_library_that_cannot_be_used_is_passed_over_for_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Python built against another OpenSSL (or none) still finds the system's libcrypto.so.3."""
    system = sm2._candidates()
    monkeypatch.setattr(sm2, "_candidates", lambda: ["/nonexistent/libcrypto.so.1.1", *system])
    sm2.reset()
    try:
        assert sm2.backend() == sm2.NATIVE and sm2.why_not_native() == ""
    finally:
        monkeypatch.undo()
        sm2.reset()


def test_a_library_that_fails_the_self_test_is_not_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    """The known answer (a gmssl signature) must verify and a forgery must not, before any record
    is checked natively: a libcrypto that said yes to everything would be caught here."""
    monkeypatch.setattr(sm2._OpenSSL, "verify", lambda self, pkey, sig, message: True)
    sm2.reset()
    try:
        assert sm2.backend() == sm2.PURE_PYTHON
        assert "self-test" in sm2.why_not_native()
    finally:
        monkeypatch.undo()
        sm2.reset()


def test_verify_record_uses_the_native_path_with_the_same_reasons() -> None:
    from kiosk.backend.verify import REASON_SIGNATURE, to_record, verify_record
    from kiosk.domain.certificate import CertificateSummary, CertStatus
    from kiosk.domain.identifiers import make_certificate_identifier

    raw = {
        "identifier": make_certificate_identifier(
            "11100000000000002Q001", "11450206MB0000003T", "2016020001"
        ),
        "key_id": "demo",
        "status": "10",
    }
    summary = CertificateSummary(
        identifier=raw["identifier"],
        type_code="11100000000000002Q001",
        name="结婚证",
        number="J1",
        holder_name="覃䶮",
        holder_code="450206199005170038",
        holder_type="111",
        issuer="柳州市柳江区民政局",
        issuer_code="11450206MB0000003T",
        status="10",
        issue_date=date(2016, 2, 14),
        valid_from=date(2016, 2, 14),
        valid_to=None,
    )
    keys = {"demo": DEMO_PUBLIC_KEY_HEX}
    good = Issuer().sign(raw)
    assert sm2.backend() == sm2.NATIVE
    assert verify_record(to_record(raw, summary, "demo", good), keys, date(2026, 1, 1)).ok
    forged = verify_record(to_record({**raw, "status": "21"}, summary, "demo", good), keys, date(2026, 1, 1))
    assert forged.status is CertStatus.UNVERIFIED and forged.reason == REASON_SIGNATURE


@pytest.fixture(scope="module")
def hostile() -> Iterator[Any]:
    from tests.backend.hostile_server import HostileServer

    with HostileServer() as server:
        yield server


async def test_diagnostics_say_which_sm2_checks_the_records(hostile: Any) -> None:
    """kiosk diag (and the admin page's diagnostics) name the SM2 in use: native, or the slow
    pure-Python fallback, which is a warning with its remedy even when the backend is fine."""
    import time

    from kiosk.diagnostics.backend import SM2_HINT, check_backend
    from tests.backend.hostile_server import health_json, respond
    from tests.support.ui import make_config

    config = make_config({"backend": {"url": hostile.url, "retries": 0}})
    hostile.behave(respond(200, health_json(str(int(time.time())))))
    result, _ = await check_backend(config, time.time)
    assert result.status == "ok" and result.value.endswith("；SM2: 原生 OpenSSL")
    assert result.details["sm2"] == "openssl"

    sm2.use_pure_python("test: the fallback")
    try:
        result, _ = await check_backend(config, time.time)
        assert result.status == "warning" and result.value.endswith("；SM2: 纯 Python 后备（慢）")
        assert result.remedies == [SM2_HINT] and result.details["sm2_why"] == "test: the fallback"
        hostile.behave(respond(503, b"{}"))
        failed, _ = await check_backend(config, time.time)
        assert failed.status == "failure" and "SM2: 纯 Python 后备（慢）" in failed.value
        assert SM2_HINT not in failed.remedies  # the backend's own fault comes first, alone
    finally:
        sm2.reset()
