"""``kiosk guide check [FILE...]``: validate the guide's content files (matters, disclosure);
``kiosk guide search QUERY``: what the guide finds for a search (pinyin initials, pinyin, Chinese).

Staff run ``check`` after editing config/matters.toml or config/disclosure.toml: every problem is
printed with the file and the entry, and the exit status is 1 if any file is refused.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.guide.content import ContentError, read_toml


def _check_one(path: Path | None, kind: str) -> int:
    from kiosk.disclosure.model import DEFAULT_FILE as DISCLOSURE_FILE
    from kiosk.disclosure.model import load_disclosure
    from kiosk.guide.catalogue import DEFAULT_FILE as MATTERS_FILE
    from kiosk.guide.catalogue import load_catalogue

    try:
        if kind == "auto" and path is not None:
            data, _name = read_toml(path, MATTERS_FILE)
            kind = "disclosure" if "budget" in data else "matters"
        if kind == "disclosure":
            d = load_disclosure(path)
            print(
                f"OK {path or 'config/' + DISCLOSURE_FILE}: {d.centre} {d.year}年预算 "
                f"{d.budget.total:g}{d.unit}，{len(d.budget.category)} 个支出科目"
            )
        else:
            c = load_catalogue(path)
            print(
                f"OK {path or 'config/' + MATTERS_FILE}: {len(c.matters)} 个事项，"
                f"{len(c.certificate_type)} 种证照类型"
            )
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    return 0


def _check(args: argparse.Namespace) -> int:
    if not args.files:
        return max(_check_one(None, "matters"), _check_one(None, "disclosure"))
    return max(_check_one(path, "auto") for path in args.files)


def _search(args: argparse.Namespace) -> int:
    from kiosk.guide.catalogue import load_catalogue
    from kiosk.guide.search import MatterIndex

    try:
        index = MatterIndex(load_catalogue(args.file))
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    found = index.search(args.query)
    for m in found:
        print(f"{m.id}\t{m.name}")
    return 0 if found else 1


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("guide", help="办事指南 / 政务公开 content tools")
    gs = p.add_subparsers(dest="guide_command", metavar="ACTION")
    check = gs.add_parser(
        "check", help="validate matters.toml / disclosure.toml (default: the packaged ones)"
    )
    check.add_argument("files", nargs="*", type=Path)
    check.set_defaults(handler=_check)
    search = gs.add_parser("search", help="search the matter catalogue (e.g. bdc, gongjijin, 结婚)")
    search.add_argument("query")
    search.add_argument("--file", type=Path, default=None)
    search.set_defaults(handler=_search)
