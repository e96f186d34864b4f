"""``kiosk diag``: technician diagnostics of every device, the backend and the terminal.

Runs the same checks as the on-screen diagnostics page on adapters built by the app's own wiring.
``--demo`` (alias ``--simulated``) uses demo mode's simulated devices and the embedded reference
server, so every check can be seen without hardware. Exit status: 0 no failure, 1 a check failed,
2 the configuration could not be loaded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from kiosk.cli.common import add_config_args

MARKS = {"ok": "✔", "warning": "!", "failure": "✘"}


def _load(args: argparse.Namespace) -> Any:
    from kiosk.settings import ConfigError, load_config

    try:
        return load_config(args.config, args.secrets)
    except ConfigError:
        return None  # the config check reports the problems; run the rest on the defaults


def _default_config() -> Any:
    from kiosk.settings import load_config

    return load_config(None, None, environ={})


def _print_text(report: Any) -> None:
    from kiosk.diagnostics.model import LABELS

    print(f"自助终端诊断 {report.terminal_id}  {report.created_at}  总体：{LABELS[report.status]}")
    for c in report.checks:
        print(f" {MARKS[c.status]} {c.title:<10} {LABELS[c.status]}  {c.value}")
        for remedy in c.remedies:
            print(f"      处理：{remedy}")


async def _run(args: argparse.Namespace) -> Any:
    from kiosk.diagnostics import DiagOptions, run_diagnostics
    from kiosk.wiring.devices import build_devices, demo_identities_file

    options = DiagOptions(
        test_page=args.test_page,
        config_file=args.config,
        secrets_file=args.secrets,
        simulated=args.demo,
    )
    if args.min_free_mb is not None:
        options.min_free_bytes = int(args.min_free_mb * 1024 * 1024)
    if args.demo:
        from kiosk.demo import demo_config
        from kiosk.settings.model import DevicesConfig
        from kiosk.wiring.backend import start_embedded_refserver

        base = _load(args) or _default_config()
        base = base.model_copy(update={"devices": DevicesConfig()})  # every device simulated
        with tempfile.TemporaryDirectory(prefix="kiosk-diag-") as work:
            options.state_dir = Path(work)
            with start_embedded_refserver(Path(work)) as server:
                config = demo_config(base, server)
                with demo_identities_file() as ids:
                    devices = build_devices(config, ids)
                return await run_diagnostics(config, devices, options)
    config = _load(args) or _default_config()
    return await run_diagnostics(config, build_devices(config), options)


def _diag(args: argparse.Namespace) -> int:
    report = asyncio.run(_run(args))
    if args.report:
        from kiosk.diagnostics.html_report import render_html

        Path(args.report).write_text(render_html(report), encoding="utf-8")
    if args.json:
        json.dump(report.to_dict(), sys.stdout, ensure_ascii=False, indent=2, default=str)
        print()
    else:
        _print_text(report)
        if args.report:
            print(f"报告已写入 {args.report}")
    return 1 if report.status == "failure" else 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("diag", help="technician diagnostics: devices, backend, clock, disk, font, config")
    add_config_args(p)
    p.add_argument("--json", action="store_true", help="print a machine-readable report")
    p.add_argument("--report", metavar="FILE.html", help="write a self-contained HTML report")
    p.add_argument(
        "--demo",
        "--simulated",
        dest="demo",
        action="store_true",
        help="simulated devices and the embedded server",
    )
    p.add_argument("--test-page", action="store_true", help="also print the printer's test page")
    p.add_argument(
        "--min-free-mb", type=float, help="disk space below which the disk check fails (default 200)"
    )
    p.set_defaults(handler=_diag)
