"""Identifier arithmetic: the standards' own examples, and properties over generated values."""

from __future__ import annotations

import tomllib
from datetime import date
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc
from stdnum.iso7064 import mod_11_2, mod_37_36

from kiosk.domain.identifiers import (
    CertificateIdentifierError,
    CreditCodeError,
    IdentifierError,
    IdNumberError,
    credit_code_check,
    id_number_check,
    is_known_region,
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
# real administrative divisions (and the national code) for positions 3-8 of a USCC
REGIONS = ["100000", "450206", "450200", "450000", "350100", "110105", "440300", "430000", "220000"]
uscc17 = st.builds(
    lambda head, region, tail: head + region + tail,
    st.text(alphabet=USCC, min_size=2, max_size=2),
    st.sampled_from(REGIONS),
    st.text(alphabet=USCC, min_size=9, max_size=9),
)


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


def test_credit_code_region_must_exist() -> None:
    """Positions 3-8 are the registering administrative division: a made-up one is refused even
    with a correct check character (it was ignored before, so ~99 % of random codes passed)."""
    for first17 in ("91999999MA5K00001", "91450299MA5K00001", "91000000MA5K00001"):
        code = first17 + credit_code_check(first17)
        assert stdnum_uscc.is_valid(code)  # the check character alone is right
        with pytest.raises(CreditCodeError, match="行政区划码"):
            validate_credit_code(code)
    for region in REGIONS:
        assert is_known_region(region)
    assert not is_known_region("45020") and not is_known_region("４５０２０６")


def test_credit_codes_with_a_letter_authority_are_accepted() -> None:
    """农业 (N) and 其他 (Y) registration authorities: stdnum's validate wants digits there."""
    for first17 in ("N2450206MA5K00001", "Y1450200MB0000001"):
        code = first17 + credit_code_check(first17)
        assert is_valid_credit_code(code)


@settings(max_examples=500)
@given(
    st.text(alphabet="0123456789", min_size=8, max_size=8), st.text(alphabet=USCC, min_size=10, max_size=10)
)
def test_credit_code_agrees_with_stdnum(head: str, tail: str) -> None:
    """Random codes (digits where stdnum wants them): ours accepts exactly what stdnum accepts and
    whose region exists; with the right check character too, so that the region check is reached."""
    for code in (head + tail, head + tail[:9] + stdnum_uscc.calc_check_digit(head + tail[:9])):
        assert is_valid_credit_code(code) == (stdnum_uscc.is_valid(code) and is_known_region(code[2:8]))


@given(payloads)
def test_mod37_agrees_with_stdnum(payload: str) -> None:
    check = mod37_36_check(payload)
    assert mod_37_36.is_valid(payload + check)
    wrong = next(c for c in MOD37 if c != check)
    assert not mod_37_36.is_valid(payload + wrong)


@given(st.from_regex(r"\A[0-9]{17}\Z"), st.sampled_from("0123456789X"))
def test_id_check_digit_agrees_with_stdnum(first17: str, check: str) -> None:
    assert (id_number_check(first17) == check) == mod_11_2.is_valid(first17 + check)


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
