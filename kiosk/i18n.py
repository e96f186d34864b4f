"""One translation layer for every user-facing string (gettext-style ``_()`` and ``.po`` catalogues).

Strings are written in Simplified Chinese in the code (the msgid is the Chinese text); an English
catalogue (``kiosk/locale/en/LC_MESSAGES/kiosk.po``) translates them for foreign card holders and for
anyone who chooses English. The catalogue is compiled in memory at start-up, so there is no build step
and no binary file in the repository.
"""

from __future__ import annotations

import ast
from importlib import resources
from pathlib import Path

LANGUAGES = ("zh_CN", "en")
_catalogues: dict[str, dict[str, str]] = {}
_current = "zh_CN"


def _parse_po(text: str) -> dict[str, str]:
    """Read msgid/msgstr pairs of a .po file (single and multi-line strings; no plural forms)."""
    entries: dict[str, str] = {}
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    target: list[str] | None = None

    def flush() -> None:
        if msgid is not None and msgstr is not None:
            key, value = "".join(msgid), "".join(msgstr)
            if key and value:
                entries[key] = value

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("msgid "):
            flush()
            msgid, msgstr = [ast.literal_eval(line[6:])], None
            target = msgid
        elif line.startswith("msgstr "):
            msgstr = [ast.literal_eval(line[7:])]
            target = msgstr
        elif line.startswith('"') and target is not None:
            target.append(ast.literal_eval(line))
        elif not line or line.startswith("#"):
            continue
    flush()
    return entries


def load_catalogue(language: str, po_path: Path | None = None) -> dict[str, str]:
    if language == "zh_CN":
        return {}
    if po_path is None:
        ref = resources.files("kiosk").joinpath("locale", language, "LC_MESSAGES", "kiosk.po")
        text = ref.read_text(encoding="utf-8") if ref.is_file() else ""
    else:
        text = po_path.read_text(encoding="utf-8")
    return _parse_po(text)


def set_language(language: str) -> None:
    """Switch every later ``_()`` call to ``language`` (zh_CN or en)."""
    global _current
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language: {language}")
    if language not in _catalogues:
        _catalogues[language] = load_catalogue(language)
    _current = language


def current_language() -> str:
    return _current


def _(message: str) -> str:
    """Translate a Chinese source string into the current language."""
    if _current == "zh_CN":
        return message
    catalogue = _catalogues.get(_current)
    if catalogue is None:
        catalogue = _catalogues[_current] = load_catalogue(_current)
    return catalogue.get(message, message)
