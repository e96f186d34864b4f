"""English for the words that come with the certificates: types, field labels, issuers, dates.

WHY: the interface's own sentences are translated by the catalogue (kiosk.i18n), but what the
backend sends (certificate names, face-field labels, issuers, dates written 2027年1月5日) stayed
Chinese, so a foreign card holder who chose English could not read their own certificate. The
table (kiosk/locale/en/terms.toml) holds the catalogue's words; dates are written the English way
wherever they appear in a value. Names, numbers and addresses are the holder's data: shown as sent.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from functools import cache
from importlib import resources

from kiosk.i18n import _, current_language

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


@cache
def _table() -> tuple[dict[str, str], dict[str, str]]:
    ref = resources.files("kiosk").joinpath("locale", "en", "terms.toml")
    data = tomllib.loads(ref.read_text(encoding="utf-8")) if ref.is_file() else {}
    return dict(data.get("exact", {})), dict(data.get("prefix", {}))


@cache
def _short_forms() -> dict[str, str]:
    ref = resources.files("kiosk").joinpath("locale", "en", "terms.toml")
    data = tomllib.loads(ref.read_text(encoding="utf-8")) if ref.is_file() else {}
    return dict(data.get("short", {}))


def short_term(text: str) -> str | None:
    """A shorter English form of a long name (the table's ``[short]``), for a place with room for
    one line only (the header on a small screen); ``None`` in Chinese or when there is none.

    WHY: "Liujiang District Government Service Centre" took two lines of the elder mode's 30 dp
    beside the header's clock, and a third of a 800 px high screen went to the header."""
    if current_language() != "en" or not text:
        return None
    return _short_forms().get(text.strip())


def english_date(value: date) -> str:
    """5 Jan 2027: no order of day and month to guess, no Chinese characters."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def written_date(value: date) -> str:
    """A date as the citizen reads it: 2027年1月5日 (no zero padding, as on official papers), in
    English 5 Jan 2027; the screen and the receipts share it, so the two never disagree."""
    if current_language() == "en":
        return english_date(value)
    return _("{y}年{m}月{d}日").format(y=value.year, m=value.month, d=value.day)


def _date_match(match: re.Match[str]) -> str:
    try:
        return english_date(date(int(match[1]), int(match[2]), int(match[3])))
    except ValueError:
        return match[0]


def term(text: str) -> str:
    """``text`` in the citizen's language: unchanged in Chinese; in English the table's word, a known
    prefix (自助终端 01 → Self-service terminal 01), dates written in English, else as sent."""
    if current_language() != "en" or not text:
        return text
    exact, prefixes = _table()
    stripped = text.strip()
    if stripped in exact:
        return exact[stripped]
    for prefix, english in prefixes.items():
        if stripped.startswith(prefix):
            return english + stripped[len(prefix) :]
    shown = _DATE.sub(_date_match, text)
    if shown != text:  # a period such as 2018年6月1日—长期
        for word in ("长期",):
            shown = shown.replace(word, exact.get(word, word))
    return shown
