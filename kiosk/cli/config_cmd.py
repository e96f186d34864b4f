"""``kiosk config check [FILE]``: validate and print every problem with file, field and reason."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.settings import ConfigError, load_config


def _check(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.file, args.secrets)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) found", file=sys.stderr)
        return 1
    print(f"configuration OK: terminal {config.terminal.id} ({config.terminal.name})")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="configuration tools")
    cs = p.add_subparsers(dest="config_command", metavar="ACTION")
    check = cs.add_parser("check", help="validate a configuration file (default: the terminal's)")
    check.add_argument("file", nargs="?", type=Path)
    check.add_argument("--secrets", type=Path)
    check.set_defaults(handler=_check)
