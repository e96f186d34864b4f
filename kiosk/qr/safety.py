"""Refusing hostile QR payloads, and making any payload safe to show.

WHY so strict: a QR code is attacker-controlled input that a citizen can hold up to a public
terminal. The terminal only ever needs short ASCII tokens, receipt codes and identifiers, so
anything outside that shape is refused before it is matched: oversized or undecodable payloads,
control, format and invisible characters, line separators, bidi overrides (text that displays
differently from what it is),
Kivy markup (``[color]``, ``[ref]``… would restyle or add tap targets if rendered as markup),
dangerous URL schemes, userinfo (``https://real.example@evil.example/``), non-ASCII or punycode
hosts (look-alike domains), and path tricks (``..``, encoded slashes, backslashes).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

MAX_PAYLOAD_CHARS = 1024
DISPLAY_CHARS = 80

DANGEROUS_SCHEMES = frozenset(
    {
        "javascript",
        "vbscript",
        "file",
        "data",
        "blob",
        "about",
        "content",
        "intent",
        "jar",
        "chrome",
        "ms-settings",
    }
)
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_INVISIBLE = frozenset("\u00ad\u034f\u115f\u1160\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff")
_NOT_SHOWN = frozenset({"Cc", "Cs", "Co", "Cn", "Cf", "Zl", "Zp"})  # shown as U+FFFD by display_safe
_MARKUP_TAG = re.compile(
    r"\[/?(?:b|i|u|s|sub|sup|color|font|font_context|font_family|font_features|size|ref|anchor|"
    r"text_language)(?:=[^\]]*)?\]",
    re.IGNORECASE,
)
_MARKUP_ENTITY = re.compile(r"&(?:bl|br|amp);")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]{0,31}):")
_PATH_TRICK = re.compile(r"(?:^|[/\\])\.\.?(?:[/\\]|$)|%2e|%2f|%5c|%00|\\", re.IGNORECASE)


def hostile_reason(text: str) -> str | None:
    """A short reason code when ``text`` must be refused unread, else None.

    Codes: ``oversized``, ``empty``, ``undecodable``, ``control``, ``bidi``, ``invisible``,
    ``markup``, ``scheme``, ``userinfo``, ``host``, ``punycode``, ``path``.
    """
    if len(text) > MAX_PAYLOAD_CHARS:
        return "oversized"
    if not text.strip():
        return "empty"
    if "\ufffd" in text:
        return "undecodable"  # the scanner's stand-in for bytes that were not text
    for ch in text:
        if ch in _BIDI:
            return "bidi"
        if ch in _INVISIBLE:
            return "invisible"
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cs", "Co", "Cn") and ch not in "\r\n\t":
            return "control"
        if cat in ("Zl", "Zp"):
            return "control"  # U+2028 / U+2029 break the line like \n (and strip() drops them)
        if cat == "Cf":
            return "invisible"  # every other format character: tag characters, deprecated shaping…
    core = text.strip()
    if any(ch in core for ch in "\r\n\t"):
        return "control"  # inside the payload (a trailing newline alone is tolerated)
    if _MARKUP_TAG.search(text) or _MARKUP_ENTITY.search(text):
        return "markup"
    return _url_reason(core)


def _url_reason(text: str) -> str | None:
    match = _SCHEME.match(text)
    if not match:
        return "path" if _PATH_TRICK.search(text) and "/" in text else None
    scheme = match.group(1).lower()
    if scheme in DANGEROUS_SCHEMES:
        return "scheme"
    if scheme not in ("http", "https"):
        return None  # LZ:…, KIOSK-V1:…, tel:… are judged by the matchers
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        return "host"
    if "@" in parts.netloc:
        return "userinfo"
    if not host or not host.isascii() or not re.fullmatch(r"[a-z0-9.\-]+", host):
        return "host"
    if any(label.startswith("xn--") for label in host.split(".")):
        return "punycode"
    if _PATH_TRICK.search(parts.path) or _PATH_TRICK.search(parts.query):
        return "path"
    return None


def escape_markup(text: str) -> str:
    """Escape Kivy markup the way ``kivy.utils.escape_markup`` does (``&`` first), without Kivy."""
    return text.replace("&", "&amp;").replace("[", "&bl;").replace("]", "&br;")


def display_safe(text: str, limit: int = DISPLAY_CHARS) -> str:
    """A short, single-line, markup-escaped rendering of any payload for screens and diagnostics.

    Control, bidi and invisible characters become ``�`` so that what is shown is what was read;
    long payloads are cut with ``…``. Still set ``markup=False`` on the label: this is defence in
    depth, not a licence to render payloads as markup.
    """
    cleaned = []
    for ch in text[: limit + 1]:
        if ch in _BIDI or ch in _INVISIBLE or unicodedata.category(ch) in _NOT_SHOWN:
            cleaned.append("\ufffd")
        else:
            cleaned.append(ch)
    shown = "".join(cleaned)
    if len(text) > limit:
        shown = shown[:limit] + "…"
    return escape_markup(shown)
