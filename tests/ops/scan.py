"""Search files for the demo holders' names and ID numbers (UTF-8, UTF-16 LE/BE, GBK).

Used after soak runs, fault runs and SIGKILL tests: every file the terminal wrote must be free of
personal data. The needles come from config/demo_identities.toml, the fictitious people that the
simulated card reader and the reference server share.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path


def demo_personal_strings() -> list[str]:
    text = resources.files("config").joinpath("demo_identities.toml").read_text(encoding="utf-8")
    out: list[str] = []
    for entry in tomllib.loads(text)["identity"]:
        for key in ("name", "name_en", "id_number"):
            value = entry.get(key)
            if value:
                out.append(str(value))
    return out


def needles(strings: Iterable[str] | None = None) -> list[tuple[str, bytes]]:
    out: list[tuple[str, bytes]] = []
    for text in strings if strings is not None else demo_personal_strings():
        for encoding in ("utf-8", "utf-16-le", "utf-16-be", "gbk"):
            try:
                out.append((f"{text} ({encoding})", text.encode(encoding)))
            except UnicodeEncodeError:
                continue
    return out


@dataclass(frozen=True)
class Hit:
    path: Path
    needle: str


def scan_files(roots: Iterable[Path], skip: Iterable[Path] = ()) -> tuple[int, list[Hit]]:
    """(files searched, hits) under ``roots``, not descending into ``skip`` (e.g. the server's data)."""
    skipped = [p.resolve() for p in skip]
    hits: list[Hit] = []
    count = 0
    pats = needles()
    for root in roots:
        if not root.exists():
            continue
        for path in [root] if root.is_file() else sorted(root.rglob("*")):
            if not path.is_file() or any(path.resolve().is_relative_to(s) for s in skipped):
                continue
            try:
                data = path.read_bytes()
            except OSError:
                continue
            count += 1
            hits.extend(Hit(path, label) for label, pat in pats if pat in data)
    return count, hits
