"""Load the fictitious demo people (config/demo_identities.toml's format) into CardIdentity values.

The kiosk passes the file's path or content in: drivers never import config/ or kiosk/.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from drivers.card.codes import NATION_NAMES, SEX_NAMES
from drivers.card.errors import DemoIdentityError
from drivers.card.identity import CARD_TYPES, CardIdentity


def _text(entry: dict[str, Any], key: str, index: int, *, required: bool = False) -> str | None:
    value = entry.get(key)
    if value is None or value == "":
        if required:
            raise DemoIdentityError(f"identity #{index}: {key} is required")
        return None
    if not isinstance(value, str):
        raise DemoIdentityError(f"identity #{index}: {key} must be a string")
    return value


def _date(entry: dict[str, Any], key: str, index: int) -> date | None:
    text = _text(entry, key, index)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DemoIdentityError(f"identity #{index}: {key} is not an ISO date ({text!r})") from None


def _coded(entry: dict[str, Any], key: str, table: dict[str, str], index: int) -> str | None:
    code = _text(entry, key, index)
    if code is None:
        return None
    if code in table.values():
        return code  # already a name
    if code not in table:
        raise DemoIdentityError(f"identity #{index}: unknown {key} code {code!r}")
    return table[code]


def load_demo_identities(source: str | bytes | Path) -> list[CardIdentity]:
    """Parse demo identities from a path, TOML text or TOML bytes.

    A ``str`` that names an existing file is read as a path; any other ``str`` is TOML text.
    Raises :class:`DemoIdentityError` with the entry number and field on anything invalid.
    """
    if isinstance(source, Path) or (
        isinstance(source, str) and "\n" not in source and Path(source).is_file()
    ):
        try:
            raw = Path(source).read_bytes()
        except OSError as exc:
            raise DemoIdentityError(f"cannot read demo identities: {exc}") from None
    elif isinstance(source, bytes):
        raw = source
    else:
        raw = source.encode("utf-8")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DemoIdentityError(f"demo identities are not valid TOML: {exc}") from None
    entries = data.get("identity", [])
    if not isinstance(entries, list):
        raise DemoIdentityError("`identity` must be an array of tables ([[identity]])")
    out: list[CardIdentity] = []
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise DemoIdentityError(f"identity #{i}: not a table")
        card_type = _text(entry, "card_type", i) or "resident"
        if card_type not in CARD_TYPES:
            raise DemoIdentityError(f"identity #{i}: unknown card_type {card_type!r}")
        out.append(
            CardIdentity(
                card_type=card_type,
                name=_text(entry, "name", i, required=True) or "",
                id_number=_text(entry, "id_number", i, required=True) or "",
                name_en=_text(entry, "name_en", i),
                sex=_coded(entry, "sex", SEX_NAMES, i),
                nation=_coded(entry, "nation", NATION_NAMES, i),
                birth_date=_date(entry, "birth_date", i),
                address=_text(entry, "address", i),
                authority=_text(entry, "authority", i),
                valid_from=_date(entry, "valid_from", i),
                valid_to=_date(entry, "valid_to", i),
                pass_number=_text(entry, "pass_number", i),
                issue_count=_text(entry, "issue_count", i),
                nationality=_text(entry, "nationality", i),
            )
        )
    return out
