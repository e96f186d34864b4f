"""``kiosk audit verify [FILE]``: check the hash chain of the audit log (留痕)."""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.audit import verify_chain
from kiosk.cli.common import add_config_args, config_or_exit, state_dir


def _verify(args: argparse.Namespace) -> int:
    path = args.file or state_dir(config_or_exit(args)) / "audit.jsonl"
    report = verify_chain(path)
    if report.ok:
        print(f"audit chain OK: {report.entries} entries in {path}")
        return 0
    where = f" at line {report.line}" if report.line else ""
    print(f"audit chain BROKEN{where}: {report.problem} ({report.entries} entries verified before it)")
    return 1


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="audit log (留痕) tools")
    acts = p.add_subparsers(dest="audit_command", metavar="ACTION")
    verify = acts.add_parser("verify", help="verify the hash chain")
    verify.add_argument("file", nargs="?", type=Path)
    add_config_args(verify)
    verify.set_defaults(handler=_verify)
