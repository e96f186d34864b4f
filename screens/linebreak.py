"""Chinese line breaking (禁则, kinsoku) for the labels: where a wrapped line may end and begin.

WHY: Kivy wraps text with no spaces by cutting it at the last character that fits, anywhere. The
citizens saw lines that began with "，" "、" "）", an opening quote at the end of a line, a lone
"头" or "码。" on a last line, and a date split "2027年1 / 月5日". The rules of GB/T 15834 and
common Chinese typesetting practice, kept small:

- no line begins with closing punctuation (，。、；：！？）》」』】…— and their ASCII kin);
- no line ends with opening punctuation (（《「『【“‘);
- numbers, Latin words and dates (2027年1月5日, 60 秒, 7.4%) are not split;
- the last line of a paragraph is never a single character (with its punctuation): one more
  piece is taken down from the line above;
- English text breaks only at spaces (and after a hyphen).

No Kivy here: the screens pass a ``fits`` function that measures with the label's own font, so
the rule is tested without a window (tests/ui/test_linebreak.py).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

# may not begin a line
NO_START = frozenset("，。、；：！？）》」』】〕〉］｝”’…—～·・％‰,.;:!?)]}%’”/-")
# may not end a line
NO_END = frozenset("（《「『【〔〈［｛“‘([{")

# pieces kept whole: dates, numbers with their unit, Latin words (with . , : / - + % inside)
_KEEP = re.compile(
    r"\d{2,4}\s?年\s?\d{1,2}\s?月\s?\d{1,2}\s?日"  # 2027年1月5日
    r"|\d{2,4}\s?年\s?\d{1,2}\s?月"  # 2027年1月
    r"|\d{1,2}\s?月\s?\d{1,2}\s?日"  # 1月5日
    r"|[+\-−]?\d[\d.,:/％%]*\s?(?:[年月日时分秒个项页份元次号张件岁天周]|万元|亿元)?"  # 60 秒, 7.4%
    r"|[A-Za-z][A-Za-z0-9'’.:/+\-_@#&]*"  # a Latin word (H-0012, example.gov.cn)
)


def pieces(text: str) -> list[str]:
    """The text cut into atoms: kept-whole runs, runs of spaces, and single characters."""
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == " ":
            j = i
            while j < len(text) and text[j] == " ":
                j += 1
            out.append(text[i:j])
            i = j
            continue
        match = _KEEP.match(text, i)
        if match and match.end() > i:
            out.append(match.group())
            i = match.end()
        else:
            out.append(text[i])
            i += 1
    return out


def _may_break(before: str, after: str) -> bool:
    """Whether a line may end after ``before`` and the next begin with ``after``."""
    if after.startswith(" ") or after[0] in NO_START:
        return False  # break after the spaces, not before them; never before a closing mark
    if before.endswith(" "):
        return True
    if before[-1] in NO_END:
        return False
    if before.endswith("-") and before[-2:-1].isalpha():
        return True  # after a hyphen in a Latin word
    latin_before = before[-1].isascii() and before[-1].isalnum()
    latin_after = after[0].isascii() and after[0].isalnum()
    return not (latin_before and latin_after)  # two Latin pieces touching: one word


def segments(text: str) -> list[str]:
    """The text as unbreakable segments: a line may end only between two of them."""
    out: list[str] = []
    for atom in pieces(text):
        if out and not _may_break(out[-1], atom):
            out[-1] += atom
        else:
            out.append(atom)
    return out


def _visible(line: str) -> int:
    """Characters on a line that are not punctuation or spaces."""
    return sum(1 for ch in line if not ch.isspace() and ch not in NO_START and ch not in NO_END)


def break_paragraph(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Lines of one paragraph (no newline in it), each fitting by ``fits``, breaking by the rules.

    A segment longer than a whole line (a long number, a URL) is cut where it must, as Kivy would.
    """
    lines: list[list[str]] = [[]]
    for seg in segments(text):
        current = lines[-1]
        if not current or fits("".join([*current, seg]).rstrip()):
            if current or seg.strip():
                current.append(seg)
            continue
        if fits(seg.strip()):
            lines.append([seg.lstrip()] if seg.strip() else [])
            continue
        # one segment too long for a line: cut it by characters
        for ch in seg:
            current = lines[-1]
            if not current or fits("".join(current) + ch):
                current.append(ch)
            else:
                lines.append([ch])
    lines = [line for line in lines if "".join(line).strip()]
    # no lone character on the last line: take one more segment down from the line above
    if len(lines) >= 2 and _visible("".join(lines[-1])) <= 1 and len(lines[-2]) >= 2:
        moved = [lines[-2][-1], *lines[-1]]
        if fits("".join(moved).strip()):
            lines[-2], lines[-1] = lines[-2][:-1], moved
    return ["".join(line).strip() for line in lines]


def break_text(text: str, fits: Callable[[str], bool]) -> str:
    """The text with its line breaks chosen by the rules (paragraph newlines kept)."""
    return "\n".join(
        "\n".join(break_paragraph(paragraph, fits)) if paragraph.strip() else paragraph
        for paragraph in text.split("\n")
    )


_DATE = re.compile(r"\d{2,4}\s?年\s?\d{1,2}\s?月\s?\d{1,2}\s?日|\d{1,2}\s?月\s?\d{1,2}\s?日")


def breaking_faults(lines: list[str]) -> list[str]:
    """What is wrong with how a text was broken into these lines (empty: nothing).

    Used by the layout audit on the lines Kivy actually drew.
    """
    faults: list[str] = []
    shown = [line.strip() for line in lines if line.strip()]
    for i, line in enumerate(shown):
        if i > 0 and line[0] in NO_START:
            faults.append(f"line {i + 1} begins with {line[0]!r}")
        if i < len(shown) - 1 and line[-1] in NO_END:
            faults.append(f"line {i + 1} ends with {line[-1]!r}")
    if len(shown) >= 2 and _visible(shown[-1]) <= 1 and not shown[-1].isascii():
        faults.append(f"a lone character on the last line: {shown[-1]!r}")
    for a, b in itertools.pairwise(shown):
        joined = a + b
        for match in _DATE.finditer(joined):
            if match.start() < len(a) < match.end():
                faults.append(f"a date split across lines: {a[-6:]!r} / {b[:6]!r}")
        if a[-1].isdigit() and b[0].isdigit():
            faults.append(f"a number split across lines: {a[-6:]!r} / {b[:6]!r}")
    return faults
