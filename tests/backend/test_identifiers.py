"""Identifier arithmetic: the standards' own examples, and properties over generated values."""

from __future__ import annotations

import tomllib
from datetime import date
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.identifiers import (
    CertificateIdentifierError,
    CreditCodeError,
    IdentifierError,
    IdNumberError,
    credit_code_check,
    id_number_check,
    is_valid_certificate_identifier,
    is_valid_credit_code,
    make_certificate_identifier,
    mod37_36_check,
    parse_certificate_identifier,
    parse_id_number,
    validate_credit_code,
)
from refserver import identifiers as server_ids

REAL = [
    "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
    "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F",
]
MOD37 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"

payloads = st.text(alphabet=MOD37, min_size=1, max_size=60)
uscc17 = st.text(alphabet=USCC, min_size=17, max_size=17)


@pytest.mark.parametrize("identifier", REAL)
def test_real_identifiers_validate(identifier: str) -> None:
    parsed = parse_certificate_identifier(identifier)
    assert str(parsed) == identifier
    assert parsed.type_code.startswith("11100000000013338W")
    assert parsed.version == "001"


def test_parts_are_taken_from_both_ends() -> None:
    parsed = parse_certificate_identifier(REAL[0])
    assert (parsed.type_code, parsed.issuer_code, parsed.serial, parsed.version, parsed.check) == (
        "11100000000013338W011",
        "11430000006122244L",
        "20230000403",
        "001",
        "U",
    )


@pytest.mark.parametrize(
    "bad, reason",
    [
        (REAL[0][:-1] + "V", "校验位错误"),
        (REAL[0].replace("1.2.156.3005.2", "1.2.156.3005.9"), "格式错误"),
        ("1.2.156.3005.2.A.B", "格式错误"),
        (REAL[1].replace(".001.", ".01."), "版本号"),
        (REAL[1].lower(), "格式错误"),
        ("", "格式错误"),
    ],
)
def test_bad_identifiers_raise_typed_errors(bad: str, reason: str) -> None:
    with pytest.raises(CertificateIdentifierError) as info:
        parse_certificate_identifier(bad)
    assert isinstance(info.value, ValueError)
    assert reason in info.value.reason


@given(payloads)
def test_mod37_any_single_substitution_is_detected(payload: str) -> None:
    check = mod37_36_check(payload)
    for i, original in enumerate(payload[:8]):
        for replacement in "0AZ9":
            if replacement != original:
                changed = payload[:i] + replacement + payload[i + 1 :]
                assert mod37_36_check(changed) != check


@given(
    st.text(alphabet=MOD37, min_size=18, max_size=21),
    st.text(alphabet=MOD37, min_size=6, max_size=18),
    st.text(alphabet=MOD37, min_size=1, max_size=36),
    st.from_regex(r"\A[0-9]{3}\Z"),
)
def test_minted_identifiers_round_trip(type_code: str, issuer: str, serial: str, version: str) -> None:
    ident = make_certificate_identifier(type_code, issuer, serial, version)
    assert is_valid_certificate_identifier(ident)
    # the reference server's independent copy agrees with the kiosk's
    assert server_ids.certificate_identifier(type_code, issuer, serial, version) == ident


def test_credit_code_example_and_errors() -> None:
    assert validate_credit_code("91350100M000100Y43") == "91350100M000100Y43"
    with pytest.raises(CreditCodeError, match="校验位"):
        validate_credit_code("91350100M000100Y44")
    with pytest.raises(CreditCodeError, match="长度"):
        validate_credit_code("91350100M000100Y4")
    with pytest.raises(CreditCodeError, match="字符"):
        validate_credit_code("91350100M0001O0Y43")  # letter O is not in the alphabet


@given(uscc17)
def test_credit_code_check_round_trip_and_substitution(first17: str) -> None:
    code = first17 + credit_code_check(first17)
    assert is_valid_credit_code(code)
    assert server_ids.credit_code(first17) == code
    other = "1" if code[0] != "1" else "2"
    assert not is_valid_credit_code(other + code[1:])


def _identities() -> list[dict[str, str]]:
    text = resources.files("config").joinpath("demo_identities.toml").read_text(encoding="utf-8")
    return list(tomllib.loads(text)["identity"])


@pytest.mark.parametrize("person", _identities(), ids=lambda p: p["key"])
def test_demo_identity_numbers_validate(person: dict[str, str]) -> None:
    parsed = parse_id_number(person["id_number"])
    assert parsed.birth_date == date.fromisoformat(person["birth_date"])


def test_id_number_example_and_failures() -> None:
    assert parse_id_number("11010519491231002X").birth_date == date(1949, 12, 31)
    with pytest.raises(IdNumberError, match="校验位"):
        parse_id_number("110105194912310021")
    with pytest.raises(IdNumberError, match="格式"):
        parse_id_number("11010519491231002x")
    with pytest.raises(IdNumberError, match="不存在"):
        bad_date = "11010519490230001"
        parse_id_number(bad_date + id_number_check(bad_date))
    with pytest.raises(IdNumberError, match="不合理"):
        future = "11010520990101001"
        parse_id_number(future + id_number_check(future), today=date(2026, 1, 1))


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)), st.from_regex(r"\A[0-9]{9}\Z"))
def test_id_number_properties(birth: date, rest: str) -> None:
    first17 = rest[:6] + birth.strftime("%Y%m%d") + rest[6:]
    number = first17 + id_number_check(first17)
    parsed = parse_id_number(number, today=date(2026, 1, 1))
    assert parsed.birth_date == birth
    assert parsed.male == (int(number[16]) % 2 == 1)
    wrong = next(c for c in "0123456789X" if c != number[17])
    with pytest.raises(IdentifierError):
        parse_id_number(first17 + wrong, today=date(2026, 1, 1))
