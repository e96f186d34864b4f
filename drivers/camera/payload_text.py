"""Strict payload-bytes → text, following the QR standard's ECI rules.

WHY not trust the decoder's own text: OpenCV raises on non-UTF-8 payloads and zxing-cpp guesses a
charset for codes without an ECI designator (it will happily read GBK bytes as Chinese, or binary as
Latin-1). The terminal acts on these texts, so the rules are explicit: an ECI designator decides the
charset; without one, UTF-8 (strictly), or Shift_JIS / GB 18030 (GB 2312, GBK) where zxing-cpp
itself judged the bytes to be text in that charset (old Japanese and Chinese generators wrote those
without ECI); anything else is binary and yields no text.
"""

from __future__ import annotations

import re

# ECI assignment number → Python codec (AIM ITS/04-023 / ISO/IEC 18004 Annex).
ECI_CODECS: dict[int, str | None] = {
    0: "cp437",
    1: "latin-1",
    2: "cp437",
    3: "latin-1",
    4: "iso8859-2",
    5: "iso8859-3",
    6: "iso8859-4",
    7: "iso8859-5",
    8: "iso8859-6",
    9: "iso8859-7",
    10: "iso8859-8",
    11: "iso8859-9",
    12: "iso8859-10",
    13: "iso8859-11",
    15: "iso8859-13",
    16: "iso8859-14",
    17: "iso8859-15",
    18: "iso8859-16",
    20: "shift_jis",
    21: "cp1250",
    22: "cp1251",
    23: "cp1252",
    24: "cp1256",
    25: "utf-16-be",
    26: "utf-8",
    27: "ascii",
    28: "big5",
    29: "gb18030",  # GB 2312: GB 18030 is a strict superset
    30: "euc-kr",
    31: "gbk",
    32: "gb18030",
    33: "utf-16-le",
    34: "utf-32-be",
    35: "utf-32-le",
    170: "ascii",
    899: None,  # binary by declaration
}

_ECI_MARK = re.compile(rb"\\(\d{6})|\\\\")


def parse_eci_segments(bytes_eci: bytes) -> list[tuple[int | None, bytes]]:
    """Split zxing-cpp's ``HexECI`` content of a code with ECI (symbology id ``]Q2``/``]Q4``/``]Q6``
    + data with ``\\dddddd`` designators).

    Returns (eci number or None for "no designator yet", segment bytes). A doubled backslash is
    one literal backslash (the AIM ECI protocol's escape, in effect only in ECI mode).
    """
    data = bytes_eci[3:] if bytes_eci.startswith(b"]") else bytes_eci
    segments: list[tuple[int | None, bytes]] = []
    current: int | None = None
    buf = bytearray()
    pos = 0
    for match in _ECI_MARK.finditer(data):
        buf += data[pos : match.start()]
        pos = match.end()
        if match.group(1) is None:
            buf += b"\\"
            continue
        if buf:
            segments.append((current, bytes(buf)))
            buf = bytearray()
        current = int(match.group(1))
    buf += data[pos:]
    if buf or not segments:
        segments.append((current, bytes(buf)))
    return segments


def decode_eci_segments(segments: list[tuple[int | None, bytes]]) -> tuple[str, str] | None:
    """Text and charset label of ECI-declared content, or None when a segment is not text."""
    parts: list[str] = []
    names: list[str] = []
    for eci, chunk in segments:
        codec = "utf-8" if eci is None else ECI_CODECS.get(eci)
        if codec is None:
            return None
        try:
            parts.append(chunk.decode(codec))
        except (UnicodeDecodeError, LookupError):
            return None
        if codec not in names:
            names.append(codec)
    return "".join(parts), "+".join(names)


GUESSED_CHARSETS = ("shift_jis", "gb18030")


def decode_plain(
    raw: bytes, zxing_text: str | None, zxing_says_binary: bool = False
) -> tuple[str, str] | None:
    """Text and charset of content without an ECI designator, or None (binary / unknown charset).

    ``zxing_text`` is zxing-cpp's own transcoding (``TextMode.Plain``); it is trusted only when it
    re-encodes to exactly ``raw`` in one of ``GUESSED_CHARSETS`` — i.e. zxing-cpp detected that
    charset, and nothing was lost or substituted on the way.
    """
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if not zxing_text or zxing_says_binary or "\ufffd" in zxing_text:
        return None
    for charset in GUESSED_CHARSETS:
        try:
            if zxing_text.encode(charset) == raw:
                return zxing_text, charset
        except UnicodeEncodeError:
            continue
    return None
