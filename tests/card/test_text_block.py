"""Golden tests for the 256-byte text block, from the layouts and code tables in domain.md."""

from __future__ import annotations

from datetime import date

import pytest

from drivers.card import (
    CardIdentity,
    IdNumberChecksumError,
    MalformedTextBlockError,
    encode_text_block,
    parse_text_block,
)
from drivers.card.codes import NATION_NAMES, gb11643_check_char, gb11643_is_valid
from tests.card.blocks import FOREIGN_2017, FOREIGN_2023, HMT, RESIDENT, block


def test_gb11643_example_from_the_standard() -> None:
    assert gb11643_is_valid("11010519491231002X")
    assert gb11643_check_char("11010519491231002") == "X"
    assert not gb11643_is_valid("110105194912310021")
    assert not gb11643_is_valid("11010519491231002x")  # lower-case x is not the check character
    assert not gb11643_is_valid("1101051949123100")


def test_nation_table_spellings() -> None:
    assert NATION_NAMES["08"] == "壮"
    assert NATION_NAMES["32"] == "仫佬"
    assert NATION_NAMES["36"] == "毛南"  # not 毛难
    assert NATION_NAMES["46"] == "德昂"  # not 崩龙
    assert NATION_NAMES["20"] == "傈僳"
    assert NATION_NAMES["56"] == "基诺"
    assert NATION_NAMES["98"] == "外国血统中国籍人士"
    assert len(NATION_NAMES) == 58


def test_resident_card() -> None:
    ident = parse_text_block(block(RESIDENT))
    assert ident == CardIdentity(
        card_type="resident",
        name="韦桂兰",
        sex="女",
        nation="壮",
        birth_date=date(1958, 3, 12),
        address="广西壮族自治区柳州市柳江区拉堡镇柳堡路88号",
        id_number="450206195803120088",
        authority="柳州市公安局柳江分局",
        valid_from=date(2018, 6, 1),
        valid_to=None,  # 长期
    )


def test_resident_card_with_nul_marker_and_expired_validity() -> None:
    fields = {**RESIDENT, 204: "20200601"}
    raw = bytearray(block(fields))
    raw[248:250] = b"\x00\x00"
    ident = parse_text_block(bytes(raw))
    assert ident.card_type == "resident"
    assert ident.valid_to == date(2020, 6, 1)  # expired: still an identity


def test_rare_character_and_middle_dot_names() -> None:
    assert parse_text_block(block({**RESIDENT, 0: "覃䶮"})).name == "覃䶮"
    assert parse_text_block(block({**RESIDENT, 0: "阿依古丽·买买提", 32: "05"})).nation == "维吾尔"
    # a character outside the BMP (surrogate pair in UTF-16)
    assert parse_text_block(block({**RESIDENT, 0: "王𠀾"})).name == "王𠀾"


def test_hmt_residence_permit() -> None:
    ident = parse_text_block(block(HMT, "J"))
    assert ident.card_type == "hmt_permit"
    assert ident.nation is None
    assert ident.pass_number == "H12345678"
    assert ident.issue_count == "01"
    assert ident.id_number == "810000198002140056"
    assert ident.valid_to == date(2026, 12, 31)


def test_foreign_2017() -> None:
    ident = parse_text_block(block(FOREIGN_2017, "I"))
    assert ident.card_type == "foreign_2017"
    assert ident.name == "史珍妮"
    assert ident.name_en == "SMITH, JANE ELIZABETH"
    assert ident.sex == "女"
    assert ident.id_number == "USA110085060312"
    assert ident.nationality == "USA"
    assert ident.birth_date == date(1985, 6, 3)
    assert ident.valid_from == date(2017, 3, 1)


def test_foreign_2017_without_chinese_name_uses_english_name() -> None:
    ident = parse_text_block(block({**FOREIGN_2017, 158: ""}, "I"))
    assert ident.name == "SMITH, JANE ELIZABETH"


def test_foreign_2023_with_long_english_name_split_over_two_fields() -> None:
    long_name = "VANDERBILT-MONTGOMERY, ALEXANDRA CHRISTINA MARIE"[:46]
    fields = {**FOREIGN_2023, 52: long_name[:35], 220: long_name[35:]}
    ident = parse_text_block(block(fields, "Y"))
    assert ident.card_type == "foreign_2023"
    assert ident.name == "约翰逊"
    assert ident.name_en == long_name
    assert ident.nationality == "GBR"
    assert ident.id_number == "94582619850706001X"
    assert ident.authority == "国家移民管理局"


def test_foreign_2023_short_name() -> None:
    ident = parse_text_block(block(FOREIGN_2023, "Y"))
    assert ident.name_en == "JOHNSON, DAVID"
    assert ident.issue_count == "00"


@pytest.mark.parametrize(
    ("fields", "marker", "reason"),
    [
        ({**RESIDENT, 30: "5"}, " ", "sex"),
        ({**RESIDENT, 32: "99"}, " ", "nation"),
        ({**RESIDENT, 36: "19580230"}, " ", "calendar"),
        ({**RESIDENT, 36: "1958031A"}, " ", "YYYYMMDD"),
        ({**RESIDENT, 204: "永久"}, " ", "YYYYMMDD"),
        ({**RESIDENT, 0: ""}, " ", "name"),
        ({**RESIDENT, 122: "45020619580312008"}, " ", "17 digits"),
        (RESIDENT, "Q", "marker"),
        ({**FOREIGN_2023, 242: "gb1"}, "Y", "nationality"),
    ],
)
def test_malformed_fields_are_typed_errors(fields: dict[int, str], marker: str, reason: str) -> None:
    with pytest.raises(MalformedTextBlockError) as info:
        parse_text_block(block(fields, marker))
    assert reason in info.value.reason
    assert isinstance(info.value, ValueError)


def test_wrong_check_character_is_a_checksum_error() -> None:
    with pytest.raises(IdNumberChecksumError) as info:
        parse_text_block(block({**RESIDENT, 122: "450206195803120089"}))
    assert info.value.code == "checksum"


def test_wrong_size_and_bad_utf16() -> None:
    with pytest.raises(MalformedTextBlockError, match="255 bytes"):
        parse_text_block(block(RESIDENT)[:255])
    raw = bytearray(block(RESIDENT))
    raw[0:2] = b"\x00\xd8"  # lone high surrogate
    raw[2:4] = b"A\x00"
    with pytest.raises(MalformedTextBlockError, match="UTF-16LE"):
        parse_text_block(bytes(raw))
    raw = bytearray(block(RESIDENT))
    raw[2:4] = b"\x07\x00"  # control character inside the name
    with pytest.raises(MalformedTextBlockError, match="control"):
        parse_text_block(bytes(raw))


@pytest.mark.parametrize(
    ("fields", "marker"), [(RESIDENT, " "), (HMT, "J"), (FOREIGN_2017, "I"), (FOREIGN_2023, "Y")]
)
def test_encoder_reproduces_the_hand_built_bytes(fields: dict[int, str], marker: str) -> None:
    raw = block(fields, marker)
    ident = parse_text_block(raw)
    if marker == "I":  # reserved/extra fields the identity does not keep
        assert parse_text_block(encode_text_block(ident)) == ident
    else:
        assert encode_text_block(ident) == raw


def test_encoder_refuses_what_does_not_fit(demo_identities: list[CardIdentity]) -> None:
    from dataclasses import replace

    with pytest.raises(ValueError, match="does not fit"):
        encode_text_block(replace(demo_identities[0], name="韦" * 16))
    with pytest.raises(ValueError, match="no code"):
        encode_text_block(replace(demo_identities[0], nation="火星"))
