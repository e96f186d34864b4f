"""``kiosk refserver ...``: run the reference e-certificate server (a separate program).

Everything after ``refserver`` is handed to ``python -m refserver`` in a subprocess, so the kiosk
never imports the server: ``kiosk refserver serve --port 8443 --seed``,
``kiosk refserver lz-token --db FILE --holder elder --png token.png``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys


def _run(args: argparse.Namespace) -> int:
    rest = list(args.refserver_args)
    if rest and rest[0] == "--":
        rest = rest[1:]
    try:
        return subprocess.call([sys.executable, "-m", "refserver", *rest])
    except KeyboardInterrupt:
        return 130


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    p = sub.add_parser(
        "refserver",
        help="run the reference e-certificate server (serve | seed | lz-token)",
        description="Runs `python -m refserver` with the given arguments.",
        add_help=False,
        prefix_chars="+",  # every option, --help included, belongs to refserver itself
    )
    p.add_argument("refserver_args", nargs=argparse.REMAINDER, help="arguments for refserver (try --help)")
    p.set_defaults(handler=_run)
