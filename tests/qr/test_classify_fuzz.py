"""QR payload fuzzing (abuse suite, bounded to a few seconds): hostile payloads — huge, control and
format characters, bidi overrides, bytes that are not UTF-8, URL-like tricks — each get a named
verdict, never an exception and never the classifier's own ``internal`` fallback; and a payload is
only ever an 亮证 token when it IS one of the configured templates with a token in it."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.qr import KINDS, MAX_PAYLOAD_CHARS, QrPayload, classify

PATTERNS = ["https://lz.gxzf.example/t/{token}", "LZ:{token}", "gxlz://kiosk/v1?t={token}"]
TOKEN = "LZ1-Qm9v_x-3kd81TzPq0aLwB7cE"
FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOT_SHOWN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def verdict(text: str) -> QrPayload:
    result = classify(text, lz_patterns=PATTERNS, terminal_id="LJ-01")
    assert result.kind in KINDS
    assert result.reason != "internal", f"the classifier raised on {text!r}"
    if result.kind == "lz_token":
        assert is_a_configured_token(text, result.value or "")
    else:
        assert (result.message and result.value is None) or result.kind in ("receipt", "certificate")
    shown = result.display
    assert "[" not in shown and "]" not in shown and not NOT_SHOWN.search(shown)
    assert not any(unicodedata.category(c) in ("Cf", "Cs", "Co", "Cn") for c in shown)
    assert len(shown) <= 80 * 5 + 1  # escaped entities at most 5 characters each, and the ellipsis
    return result


def is_a_configured_token(text: str, token: str) -> bool:
    """The stripped payload is a template with the token, scheme and host differing in ASCII case."""
    core = text.strip()
    if not core.isascii() or not re.fullmatch(r"[A-Za-z0-9_\-]{8,256}", token):
        return False
    for template in PATTERNS:
        expected = template.replace("{token}", token)
        head = re.match(r"^[a-z]+://[^/?#]*", expected)
        if (
            head
            and core[: head.end()].lower() == expected[: head.end()]
            and core[head.end() :] == expected[head.end() :]
        ):
            return True
        if core == expected:
            return True
    return False


# ----------------------------------------------------------------------------------- URL tricks

SCHEMES = st.sampled_from(
    ["https", "HTTPS", "hTtPs", "http", "gxlz", "GXLZ", "LZ", "lz", "javascript", "JaVaScRiPt",
     " javascript", "java\tscript", "ｈｔｔｐｓ", "data", "file", "intent", "tel", "vbscript", ""]
)  # fmt: skip
SEPARATORS = st.sampled_from(["://", ":", ":/", ":\\\\", "//", ":///", "：//"])
USERINFO = st.sampled_from(["", "", "user@", "lz.gxzf.example@", "a:b@", "%40@", "lz.gxzf.example%40"])
HOSTS = st.sampled_from(
    ["lz.gxzf.example", "LZ.GXZF.EXAMPLE", "lz.gxzf.example.", "lz.gxzf.example.evil.test",
     "xn--lz-gxzf-9za.example", "lz.gxzf.exаmple", "lz。gxzf。example", "127.0.0.1", "[::1]",
     "\u212aiosk", "kiosk", "KIOSK", "kiosk\u0307", "", "lz.gxzf.example\\"]
)  # fmt: skip
PORTS = st.sampled_from(["", "", ":443", ":99999", ":abc", ":-1", ":0"])
PATHS = st.sampled_from(
    ["/t/", "/T/", "/t//", "/t/../", "/t/%2e%2e/", "/t/%2F", "\\t\\", "/v1?t=", "?t=", "/t/./", "/t/%00"]
)
TOKENS = st.one_of(
    st.just(TOKEN), st.text(alphabet="ABCXYZabcxyz0189-_", min_size=0, max_size=300), st.text(max_size=20)
)
SUFFIXES = st.sampled_from(
    ["", "", "/", "?x=1", "#frag", "\r\n", " ", "\u202e", "%00", "\u2028", "\U000e0041"]
)


@FUZZ
@given(SCHEMES, SEPARATORS, USERINFO, HOSTS, PORTS, PATHS, TOKENS, SUFFIXES)
def test_url_like_tricks(
    scheme: str, sep: str, userinfo: str, host: str, port: str, path: str, token: str, suffix: str
) -> None:
    verdict(scheme + sep + userinfo + host + port + path + token + suffix)


def test_known_tricks_are_named() -> None:
    assert verdict("gxlz://\u212aiosk/v1?t=" + TOKEN).kind == "unrecognised"  # Kelvin sign, not K
    assert verdict("GXLZ://KIOSK/v1?t=" + TOKEN).value == TOKEN  # ASCII case of the head is fine
    assert verdict(f"LZ:{TOKEN}\u2028").reason == "control"  # a line separator is not a newline to strip
    assert verdict(f"LZ:{TOKEN}\U000e0041").reason == "invisible"  # tag characters hide text
    assert verdict(f"LZ:{TOKEN[:5]}\u206a{TOKEN[5:]}").reason == "invisible"


# ------------------------------------------------------------------------- characters and bytes

FORMAT_OR_CONTROL = st.characters(categories=["Cc", "Cf", "Cs", "Co", "Zl", "Zp"]).filter(
    lambda c: c not in "\r\n\t"
)


@FUZZ
@given(st.text(max_size=100), FORMAT_OR_CONTROL, st.text(max_size=100))
def test_any_control_format_or_separator_character_is_refused(before: str, ch: str, after: str) -> None:
    for text in (before + ch + after, f"LZ:{TOKEN}{ch}", f"{ch}LZ:{TOKEN}"):
        result = verdict(text)
        assert result.kind == "refused", (text, result)
        # "empty": the character alone, which str.strip() treats as white space (U+001C…, U+2028)
        assert result.reason in ("control", "invisible", "bidi", "undecodable", "empty")


@FUZZ
@given(st.binary(min_size=1, max_size=400), st.sampled_from(["replace", "surrogateescape", "latin-1"]))
def test_bytes_that_are_not_utf8(raw: bytes, how: str) -> None:
    """What a decoder may hand over for binary QR content: U+FFFD stand-ins, lone surrogates
    (surrogateescape), or Latin-1 mojibake."""
    text = raw.decode("latin-1") if how == "latin-1" else raw.decode("utf-8", how)
    result = verdict(text)
    if "\ufffd" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        assert result.kind == "refused"


@settings(max_examples=30, deadline=None)
@given(st.integers(MAX_PAYLOAD_CHARS - 2, MAX_PAYLOAD_CHARS * 1000), st.sampled_from("a[%\u202e中.@/"))
def test_huge_payloads(length: int, filler: str) -> None:
    result = verdict("https://lz.gxzf.example/t/" + filler * length)
    if len("https://lz.gxzf.example/t/") + length > MAX_PAYLOAD_CHARS:
        assert (result.kind, result.reason) == ("refused", "oversized")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="[]&;/\\%.@:?#=" + "abl", min_size=900, max_size=MAX_PAYLOAD_CHARS))
def test_long_payloads_of_markup_and_url_punctuation(text: str) -> None:
    """Near the size limit and made of the characters the refusal rules look for (regex load)."""
    verdict(text)
