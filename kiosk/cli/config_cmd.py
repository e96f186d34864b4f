"""``kiosk config check [FILE]``: validate and print every problem with file, field and reason.

On success it also lists the layers it read, in order (later wins), and which file or variable set
each value that is not the shipped default — so a technician who edits terminal.toml sees at once
when the staff settings file (the admin page's changes) overrides it. Secret values are never shown.
The example's placeholders (terminal id LJ-ZZ-CHANGE-ME, an example.gov.cn address, reader
CHANGE-ME) are problems: ``kiosk run`` refuses them. A terminal secret not set yet is said on stdout
(``kiosk run`` refuses to start without it; the secrets file is often written later).
Exit status: 0 valid, 1 problems found (each on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.settings import ConfigError
from kiosk.settings.loader import SECRET_FIELDS, load_config_sources, placeholder_problems, printable

LAYER_NAMES = {
    "default": "shipped defaults",
    "terminal": "terminal file",
    "staff": "staff settings (admin page)",
    "secrets": "secrets file",
    "env": "environment",
}


def _check(args: argparse.Namespace) -> int:
    try:
        config, sources = load_config_sources(args.file, args.secrets)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) found", file=sys.stderr)
        return 1
    placeholders = placeholder_problems(config, sources.values)
    unsigned = [p for p in placeholders if p.field == "backend.terminal_secret"]
    if len(placeholders) > len(unsigned):  # the unedited example: not a terminal's configuration
        for problem in placeholders:
            print(problem, file=sys.stderr)
        print(
            f"{len(placeholders)} problem(s) found: the example's placeholders are still in place; "
            "kiosk run refuses them",
            file=sys.stderr,
        )
        return 1
    print(f"configuration OK: terminal {printable(config.terminal.id)} ({printable(config.terminal.name)})")
    for problem in unsigned:  # may come later (the secrets file is written apart): said, not refused
        print(f"not ready for kiosk run: {problem}")
    print("layers, later wins:")
    for kind, source in sources.layers:
        print(f"  {LAYER_NAMES.get(kind, kind)}: {printable(source)}")
    if sources.values:
        print("values set over the defaults:")
        secret = {".".join(path) for path in SECRET_FIELDS}
        for field, source in sorted(sources.values.items()):
            value = "******" if field in secret else _value_of(config, field)
            print(f"  {field} = {value}    ({printable(source)})")
    return 0


def _value_of(config: object, field: str) -> str:
    node: object = config
    for part in field.split("."):
        if isinstance(node, list):
            return printable(repr(node))  # lists of tables (trust.acts_for): the whole list
        node = getattr(node, part, None)
    return printable(repr(node))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="configuration tools")
    cs = p.add_subparsers(dest="config_command", metavar="ACTION")
    check = cs.add_parser("check", help="validate a configuration file (default: the terminal's)")
    check.add_argument("file", nargs="?", type=Path)
    check.add_argument("--secrets", type=Path)
    check.set_defaults(handler=_check)
