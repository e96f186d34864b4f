"""Social security card records: TLV, GBK names, BCD dates (domain.md §1.4)."""

from __future__ import annotations

from datetime import date

import pytest

from drivers.card import IdNumberChecksumError, SsseRecordError
from drivers.card.ssse import SELECT_SSSE, identity_from_records, parse_tlv


def test_select_command_is_the_one_in_domain_md() -> None:
    expected = "00 A4 04 00 0F 73 78 31 2E 73 68 2E C9 E7 BB E1 B1 A3 D5 CF"
    assert bytes(SELECT_SSSE) == bytes.fromhex(expected)


EF05 = bytes.fromhex("01 10") + b"450206D156000005" + bytes.fromhex("05 04 20 19 06 01 06 04 20 29 06 01")
EF05 += bytes.fromhex("07 09") + b"A01234567"
EF06 = (
    bytes.fromhex("08 12")
    + b"450206195803120088"
    + bytes.fromhex("09 1E")
    + "韦桂兰".encode("gbk").ljust(30, b"\0")
)
EF06 += bytes.fromhex("0A 01 32 0B 01 08 0C 03 45 02 06 0D 04 19 58 03 12")


def test_golden_records() -> None:
    ef05 = parse_tlv(EF05)
    assert ef05[0x07] == b"A01234567"
    ident = identity_from_records(ef05, parse_tlv(EF06))
    assert ident.card_type == "social_security"
    assert ident.name == "韦桂兰"
    assert ident.id_number == "450206195803120088"
    assert ident.sex == "女"
    assert ident.nation == "壮"
    assert ident.birth_date == date(1958, 3, 12)
    assert ident.valid_from == date(2019, 6, 1)
    assert ident.valid_to == date(2029, 6, 1)


def test_binary_sex_and_padding_are_accepted() -> None:
    ef06 = parse_tlv(EF06.replace(bytes.fromhex("0A 01 32"), bytes.fromhex("0A 01 01")) + b"\xff\xff\xff")
    assert identity_from_records({}, ef06).sex == "男"


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (bytes.fromhex("08 12 34"), "runs past"),
        (bytes.fromhex("08"), "truncated"),
    ],
)
def test_truncated_tlv(data: bytes, match: str) -> None:
    with pytest.raises(SsseRecordError, match=match):
        parse_tlv(data)


def test_bad_values() -> None:
    ef06 = parse_tlv(EF06)
    with pytest.raises(SsseRecordError, match="BCD"):
        identity_from_records({}, {**ef06, 0x0D: bytes.fromhex("19 5A 03 12")})
    with pytest.raises(SsseRecordError, match="calendar"):
        identity_from_records({}, {**ef06, 0x0D: bytes.fromhex("19 58 13 12")})
    with pytest.raises(IdNumberChecksumError):
        identity_from_records({}, {**ef06, 0x08: b"450206195803120089"})
    with pytest.raises(SsseRecordError, match="missing"):
        identity_from_records({}, {0x09: ef06[0x09]})
    with pytest.raises(SsseRecordError, match="GBK"):
        identity_from_records({}, {**ef06, 0x09: b"\x81\x20"})
