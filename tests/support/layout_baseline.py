"""The layout audit's baseline: the problems known and not yet fixed (tests/ui/layout_audit_known.txt).

WHY: the audit (kiosk.app.layout_audit) still finds problems that need page-by-page work; a test
that fails until all of them are fixed would stop everything else from landing, and a test that
is switched off would let new ones in. So the test compares what it finds with this list: a
problem not on the list fails the test (a new defect), and so does an entry that no longer occurs
(a fixed defect must leave the list). The list can only shrink. Every entry is an open defect of
issue 22, not an accepted design.

An entry is ``size | mode | page | kind | text``; each field is a glob (``*``, ``detail*``), the
text is the widget's text with digits as ``#`` (the clock, counters) and whitespace squeezed, its
first 40 characters. A finding is known when an entry matches all five fields.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

KNOWN_FILE = Path(__file__).resolve().parents[1] / "ui" / "layout_audit_known.txt"
TEXT_CHARS = 40
MODES = ("zh_CN-normal", "zh_CN-elder", "en-normal", "en-elder")
SIZES = ("1080x1920", "1920x1080", "1280x800")
PAGES_FOR_ANY = 4  # a problem on this many pages of one mode is listed once, for every page
TEXTS_FOR_ANY = 5  # this many texts with one problem on one page: listed once, for every text
HEADER = """\
# Layout audit baseline (tests/ui/test_layout_audit.py, tests/support/layout_baseline.py).
#
# EVERY ENTRY HERE IS AN OPEN DEFECT OF ISSUE 22, NOT AN ACCEPTED DESIGN. It is listed only so
# that the audit can run in CI while the pages are fixed: the test fails on any problem not
# listed here, and on any entry that no longer occurs (fixed: delete the line). The list may
# only shrink; adding a line needs a reviewer's consent in the commit.
#
# size | mode | page | kind | widget text (globs; digits as #; first 40 characters)
# The audit's full findings of a run: artifacts/ui/layout-audit/findings-WxH.txt; the list the
# run would need: artifacts/ui/layout-audit/known-proposed-WxH.txt.
"""


@dataclass(frozen=True)
class Entry:
    size: str
    mode: str
    page: str
    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.size} | {self.mode} | {self.page} | {self.kind} | {self.text}"

    def matches(self, other: Entry) -> bool:
        return all(
            fnmatchcase(value, pattern)
            for value, pattern in (
                (other.size, self.size),
                (other.mode, self.mode),
                (other.page, self.page),
                (other.kind, self.kind),
                (other.text, self.text),
            )
        )


def normal_text(text: str) -> str:
    squeezed = " ".join(text.split())
    return re.sub(r"\d", "#", squeezed)[:TEXT_CHARS].replace("|", "/").strip()


def fingerprint(finding: Any) -> Entry:
    """A finding's entry: its state name is ``WxH-language-mode-page`` (tests/support/layout_walk)."""
    size, language, mode, page = str(finding.state).split("-", 3)
    return Entry(size, f"{language}-{mode}", page, finding.kind, normal_text(finding.text))


def parse(text: str) -> list[Entry]:
    entries = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = [p.strip() for p in line.split(" | ", 4)]
        if len(parts) != 5:
            raise ValueError(f"{KNOWN_FILE.name}:{n}: not 'size | mode | page | kind | text': {line!r}")
        entries.append(Entry(*parts))
    return entries


def load(path: Path = KNOWN_FILE) -> list[Entry]:
    return parse(path.read_text(encoding="utf-8")) if path.is_file() else []


def compare(found: list[Entry], known: list[Entry], size: str) -> tuple[list[Entry], list[Entry]]:
    """(found and not known, known for this size and not found)."""
    mine = [k for k in known if fnmatchcase(size, k.size)]
    new = [f for f in found if not any(k.matches(f) for k in mine)]
    gone = [k for k in mine if not any(k.matches(f) for f in found)]
    return new, gone


def _page_glob(page: str) -> str:
    return re.sub(r"\d+$", "[0-9]*", page)


def collapse(found: list[Entry]) -> list[Entry]:
    """The fewest readable entries that match these findings: numbered pages as one glob (detail1..9
    → detail[0-9]*), a page with many texts with one problem once for every text (a page whose
    layout is wrong as a whole), a problem on many pages of a mode once for every page, the same
    problem in every mode or at every size once."""
    texts: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
    for e in set(found):
        texts[(e.size, e.mode, _page_glob(e.page), e.kind)].add(e.text)
    step0 = set()
    for (size, mode, page, kind), ts in texts.items():
        for text in ["*"] if len(ts) >= TEXTS_FOR_ANY else ts:
            step0.add(Entry(size, mode, page, kind, text))
    pages: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
    for e in step0:
        pages[(e.size, e.mode, e.kind, e.text)].add(e.page)
    step1 = set()
    for (size, mode, kind, text), ps in pages.items():
        # a page's every text ("*") stays that page's: both at once would hide any new problem
        for page in ["*"] if len(ps) >= PAGES_FOR_ANY and text != "*" else ps:
            step1.add(Entry(size, mode, page, kind, text))
    modes: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
    for e in step1:
        modes[(e.size, e.page, e.kind, e.text)].add(e.mode)
    step2 = set()
    for (size, page, kind, text), ms in modes.items():
        for mode in _mode_globs(ms):
            step2.add(Entry(size, mode, page, kind, text))
    sizes: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
    for e in step2:
        sizes[(e.mode, e.page, e.kind, e.text)].add(e.size)
    step3 = set()
    for (mode, page, kind, text), ss in sizes.items():
        for size in ["*"] if len(ss) == len(SIZES) else ss:
            step3.add(Entry(size, mode, page, kind, text))
    return sorted(step3, key=lambda e: (e.kind, e.text, e.size, e.mode, e.page))


def _mode_globs(modes: set[str]) -> list[str]:
    if len(modes) == len(MODES):
        return ["*"]
    out = set(modes)
    for language in ("zh_CN", "en"):
        pair = {f"{language}-normal", f"{language}-elder"}
        if pair <= out:
            out = (out - pair) | {f"{language}-*"}
    return sorted(out)


def render(entries: list[Entry]) -> str:
    return HEADER + "".join(f"{e}\n" for e in entries)


def main(argv: list[str]) -> int:
    """``python -m tests.support.layout_baseline artifacts/ui/layout-audit/found-*.txt``: the list
    those runs need, on stdout (review it against the committed list: it may only shrink)."""
    found = [e for name in argv for e in parse(Path(name).read_text(encoding="utf-8"))]
    print(render(collapse(found)), end="")
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
