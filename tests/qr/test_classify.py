"""The payload classifier: 亮证 tokens, receipt codes, certificate identifiers, and hostile payloads
(fuzzed with hypothesis: every hostile payload is refused with a message, nothing raises)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.domain.identifiers import make_certificate_identifier
from kiosk.qr import KINDS, MAX_PAYLOAD_CHARS, classify, display_safe, escape_markup
from kiosk.receipt.codes import make_receipt_code
from kiosk.settings.camera import CameraConfig
from kiosk.settings.model import DevicesConfig, KioskConfig, TerminalConfig

REFUSED = "无法识别该二维码，请出示“亮证码”。"
SECRET = b"test-receipt-secret"
TOKEN = "LZ1-Qm9v_x-3kd81TzPq0aLwB7cE"
TOKENS = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=8, max_size=256
)
CONFIG = KioskConfig(
    terminal=TerminalConfig(id="LJ-01", name="柳江区政务服务中心1号机"),
    devices=DevicesConfig(
        camera=CameraConfig(
            lz_patterns=["https://lz.gxzf.example/t/{token}", "LZ:{token}", "gxlz://v1?t={token}"]
        )
    ),
)


# ------------------------------------------------------------------------------------------ tokens


@pytest.mark.parametrize(
    "text",
    [
        f"https://lz.gxzf.example/t/{TOKEN}",
        f"HTTPS://LZ.GXZF.EXAMPLE/t/{TOKEN}",
        f"LZ:{TOKEN}",
        f"LZ:{TOKEN}\r\n",  # a trailing newline some generators add
        f"gxlz://v1?t={TOKEN}",
    ],
)
def test_lz_tokens_from_every_configured_pattern(text: str) -> None:
    result = classify(text, CONFIG)
    assert (result.kind, result.value, result.valid, result.message) == ("lz_token", TOKEN, True, None)
    assert result.token == TOKEN


@pytest.mark.parametrize(
    "text",
    [
        f"https://lz.gxzf.example/T/{TOKEN}",  # path is case-sensitive
        f"https://lz.gxzf.example/t/{TOKEN}/",  # nothing may follow
        f"https://lz.gxzf.example/t/{TOKEN}?x=1",
        f"http://lz.gxzf.example/t/{TOKEN}",  # scheme differs
        f"https://lz.gxzf.example.evil.test/t/{TOKEN}",
        f"https://evil.test/lz.gxzf.example/t/{TOKEN}",
        "LZ:short",  # token under 8 characters
        "LZ:" + "a" * 257,
        f"lz:{TOKEN}",
        f"LZ: {TOKEN}",
        f"LZ:{TOKEN}!",
    ],
)
def test_near_misses_are_not_tokens(text: str) -> None:
    result = classify(text, CONFIG)
    assert result.kind in ("unrecognised", "refused")
    assert result.message == REFUSED
    assert result.value is None


def test_defaults_without_config() -> None:
    assert classify(f"LZ:{TOKEN}").value == TOKEN
    assert classify(f"https://lz.gxzf.example/t/{TOKEN}").kind == "lz_token"
    assert classify(f"gxlz://v1?t={TOKEN}").kind == "unrecognised"
    assert classify("gxlz://v1?t=abcdefghij", lz_patterns=["gxlz://v1?t={token}"]).value == "abcdefghij"


@given(TOKENS)
def test_any_token_of_the_alphabet_round_trips(token: str) -> None:
    assert classify(f"LZ:{token}", CONFIG).value == token
    assert classify(f"https://lz.gxzf.example/t/{token}", CONFIG).value == token


def test_bad_pattern_configuration_is_refused_at_load() -> None:
    with pytest.raises(ValueError):
        CameraConfig(lz_patterns=["https://x.example/t/"])
    with pytest.raises(ValueError):
        CameraConfig(lz_patterns=["{token}{token}"])
    with pytest.raises(ValueError):
        CameraConfig(lz_patterns=["{token}"])
    with pytest.raises(ValueError):
        CameraConfig(lz_patterns=[])
    with pytest.raises(ValueError, match="source_path"):
        CameraConfig(kind="file")


# -------------------------------------------------------------------------------- receipts, certs


def test_own_receipt_code_is_recognised_and_verified() -> None:
    code = make_receipt_code("LJ-01", "20261129101500-a1b2c3", SECRET)
    result = classify(code, CONFIG, receipt_secret=SECRET)
    assert (result.kind, result.value, result.valid, result.terminal_id) == (
        "receipt",
        "20261129101500-a1b2c3",
        True,
        "LJ-01",
    )
    assert result.message and "亮证码" in result.message  # not a way to identify


def test_receipt_with_wrong_mac_or_other_terminal_is_not_valid() -> None:
    code = make_receipt_code("LJ-01", "20261129101500-a1b2c3", SECRET)
    forged = code[:-8] + ("0" * 8 if not code.endswith("0" * 8) else "1" * 8)
    assert classify(forged, CONFIG, receipt_secret=SECRET).valid is False
    assert classify(code, CONFIG).valid is False  # no secret: recognised, not verified
    other = make_receipt_code("LJ-02", "20261129101500-a1b2c3", SECRET)
    result = classify(other, CONFIG, receipt_secret=SECRET)
    assert (result.kind, result.valid, result.reason) == ("receipt", False, "receipt_other_terminal")
    assert classify("KIOSK-V1:LJ-01:bad", CONFIG).reason == "receipt_malformed"


def test_certificate_identifiers_are_checked() -> None:
    good = make_certificate_identifier("11100000000013338W011", "11430000006122244L", "20230000403")
    result = classify(good, CONFIG)
    assert (result.kind, result.value, result.valid, result.checked) == ("certificate", good, True, True)
    bad = good[:-1] + ("A" if good[-1] != "A" else "B")
    assert (classify(bad, CONFIG).kind, classify(bad, CONFIG).valid) == ("certificate", False)


def test_unrecognised_text() -> None:
    result = classify("你好，世界", CONFIG)
    assert (result.kind, result.message, result.display) == ("unrecognised", REFUSED, "你好，世界")


# --------------------------------------------------------------------------------------- hostile


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("x" * (MAX_PAYLOAD_CHARS + 1), "oversized"),
        ("", "empty"),
        ("   ", "empty"),
        ("LZ:abc\ufffddefgh", "undecodable"),
        ("LZ:abcdefgh\x00", "control"),
        ("LZ:abc\x1bdefgh", "control"),
        ("LZ:abc\ndefgh", "control"),
        ("LZ:abcdefgh\u202e", "bidi"),
        ("https://lz.gxzf.example/t/\u2066abcdefgh", "bidi"),
        ("LZ:abc\u200bdefgh", "invisible"),
        ("\ufeffLZ:abcdefgh", "invisible"),
        ("[b]亮证码[/b]", "markup"),
        ("[color=ff0000]请扫码[/color]", "markup"),
        ("[ref=admin]点击[/ref]", "markup"),
        ("[size=200]X", "markup"),
        ("a &bl;b&br;", "markup"),
        ("javascript:alert(1)", "scheme"),
        ("JavaScript:alert(1)", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("data:text/html,<script>", "scheme"),
        ("https://lz.gxzf.example@evil.test/t/abcdefgh", "userinfo"),
        ("https://user:pw@lz.gxzf.example/t/abcdefgh", "userinfo"),
        ("https://xn--lz-gxzf-9za.example/t/abcdefgh", "punycode"),
        ("https://lz.gxzf.exаmple/t/abcdefgh", "host"),  # Cyrillic а
        ("https://lz.gxzf.example:99999/t/abcdefgh", "host"),
        ("https://lz.gxzf.example/t/../admin/abcdefgh", "path"),
        ("https://lz.gxzf.example/t/%2e%2e/abcdefgh", "path"),
        ("https://lz.gxzf.example/t/abc%2Fdefgh", "path"),
        ("https://lz.gxzf.example\\t\\abcdefgh", "host"),
        ("../../etc/passwd", "path"),
    ],
)
def test_hostile_payloads_are_refused(text: str, reason: str) -> None:
    result = classify(text, CONFIG)
    assert (result.kind, result.reason, result.message, result.value) == ("refused", reason, REFUSED, None)
    assert "[" not in result.display and "]" not in result.display


def test_display_text_is_escaped_short_and_single_line() -> None:
    assert escape_markup("[b]&[/b]") == "&bl;b&br;&amp;&bl;/b&br;"
    shown = display_safe("a\nb\u202ec[i]" + "x" * 200)
    assert "\n" not in shown and "\u202e" not in shown and "[" not in shown
    assert shown.endswith("…") and len(shown) <= 80 + 12


HOSTILE_PIECES = st.sampled_from(
    [
        "[b]",
        "[/color]",
        "[ref=x]",
        "[font=/etc/passwd]",
        "\u202e",
        "\u2067",
        "\u200b",
        "\x00",
        "\x07",
        "\x7f",
        "\x85",
        "\ufffd",
        "\ud800",
        "&bl;",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60), HOSTILE_PIECES, st.text(max_size=60))
def test_fuzz_hostile_insertions_are_always_refused(before: str, piece: str, after: str) -> None:
    for text in (before + piece + after, f"LZ:{TOKEN}{piece}", f"https://lz.gxzf.example/t/{piece}{TOKEN}"):
        result = classify(text, CONFIG)
        assert result.kind == "refused"
        assert result.message == REFUSED
        _assert_display_safe(result.display)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=200).map(lambda b: b.decode("utf-8", "replace"))))
def test_fuzz_any_text_is_classified_without_raising(text: str) -> None:
    result = classify(text, CONFIG)
    assert result.kind in KINDS
    if result.kind != "lz_token":
        assert result.message
    else:
        assert re.fullmatch(r"[A-Za-z0-9_\-]{8,256}", result.value or "")
    _assert_display_safe(result.display)


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=MAX_PAYLOAD_CHARS + 1, max_value=MAX_PAYLOAD_CHARS * 40))
def test_fuzz_oversized(length: int) -> None:
    result = classify("LZ:" + "a" * length, CONFIG)
    assert (result.kind, result.reason) == ("refused", "oversized")
    assert len(result.display) < 100


@pytest.mark.parametrize("value", [None, 42, b"LZ:abcdefghij", ["LZ:abcdefghij"]])
def test_non_text_is_refused(value: object) -> None:
    result = classify(value, CONFIG)  # type: ignore[arg-type]
    assert (result.kind, result.message) == ("refused", REFUSED)


def _assert_display_safe(display: str) -> None:
    assert "[" not in display and "]" not in display
    assert not re.search(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]", display)
