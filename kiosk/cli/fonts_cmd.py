"""``kiosk fonts install``: extract the Simplified Chinese faces and make their flat copies (run by
the set-up: the copies take about a minute of CPU, kiosk.font_flatten)."""

from __future__ import annotations

import argparse
import sys

from kiosk.font_flatten import flatten_missing
from kiosk.fonts import FontMissingError, font_path


def _install(args: argparse.Namespace) -> int:
    try:
        if not args.no_flat:
            flatten_missing()
        paths = [font_path("regular"), font_path("bold")]
    except (FontMissingError, OSError) as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        for p in paths:
            print(p)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("fonts", help="font set-up (Simplified Chinese faces)")
    fs = p.add_subparsers(dest="fonts_command", metavar="ACTION")
    inst = fs.add_parser("install", help="extract the SC faces from Noto CJK into the cache")
    inst.add_argument("--quiet", action="store_true")
    inst.add_argument("--no-flat", action="store_true", help="extract only, no flat copies")
    inst.set_defaults(handler=_install)
