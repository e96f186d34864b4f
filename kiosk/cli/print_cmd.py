"""``kiosk print``: test page, sample receipt preview, printer status — the code the terminal uses.

``kiosk print render --out r.png`` writes the sample 免证办 receipt (FICTITIOUS data marked 测试数据)
exactly as the printer would print it: the same renderer, the same threshold, the same width.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from kiosk.fonts import FontMissingError
from kiosk.settings import ConfigError, KioskConfig, load_config


def _load_config(args: argparse.Namespace) -> KioskConfig | None:
    try:
        return load_config(args.config)
    except ConfigError as exc:
        print(f"kiosk: 配置错误 (configuration error):\n{exc}", file=sys.stderr)
        return None


def _render(args: argparse.Namespace) -> int:
    from kiosk.receipt.render import render
    from kiosk.receipt.samples import sample_certificate_receipt

    width = {58: 384, 80: 576}[args.paper]
    try:
        image = render(sample_certificate_receipt(), width)
    except FontMissingError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 1
    out = Path(args.out)
    try:
        image.save(out, format="PNG")
    except (OSError, ValueError) as exc:
        print(f"kiosk: 无法写入 {out}: {exc}", file=sys.stderr)
        return 1
    print(f"{out} ({image.width}x{image.height}, {args.paper} mm, 测试数据)")
    return 0


def _status(args: argparse.Namespace) -> int:
    from kiosk.receipt.job import printer_state
    from kiosk.wiring.printer import build_printer

    loaded = _load_config(args)
    if loaded is None:
        return 2
    printer = build_printer(loaded.devices.printer)
    status = printer.status()
    state, message = printer_state(printer)
    print(f"printer: {printer!r}")
    print(f"online={status.online} cover_open={status.cover_open} paper={status.paper}")
    print(f"state: {state.value} — {message}")
    return 0 if state.value in ("ready", "near_end") else 1


def _test(args: argparse.Namespace) -> int:
    from kiosk.receipt.contents import diagnostic_page_receipt
    from kiosk.receipt.job import PrintJob
    from kiosk.wiring.printer import build_printer

    loaded = _load_config(args)
    if loaded is None:
        return 2
    config, terminal = loaded.devices.printer, loaded.terminal
    printer = build_printer(config)
    width = printer.paper_width_dots
    receipt = diagnostic_page_receipt(terminal.name, terminal.id, width, datetime.now(), config.kind)
    outcome = PrintJob.prepare(receipt, printer.paper_width_dots).run(printer)
    print(f"printer: {printer!r}")
    print(f"{outcome.state.value}: {outcome.message}" + (f"（{outcome.warning}）" if outcome.warning else ""))
    return 0 if outcome.ok else 1


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("print", help="receipt printer: test page, sample receipt, status")
    ps = p.add_subparsers(dest="print_command", metavar="ACTION")

    test = ps.add_parser("test", help="print the test page on the configured printer")
    test.add_argument("--config", help="terminal config file (default: $KIOSK_CONFIG or /etc/kiosk)")
    test.set_defaults(handler=_test)

    render = ps.add_parser("render", help="write the sample receipt (测试数据) as the printer would print it")
    render.add_argument("--out", required=True, help="PNG file to write")
    render.add_argument("--paper", type=int, choices=(58, 80), default=80, help="paper width in mm")
    render.set_defaults(handler=_render)

    status = ps.add_parser("status", help="query the configured printer (online, cover, paper)")
    status.add_argument("--config", help="terminal config file (default: $KIOSK_CONFIG or /etc/kiosk)")
    status.set_defaults(handler=_status)
