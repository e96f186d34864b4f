"""``kiosk install`` (system files for a Debian terminal, or an upgrade that keeps its configuration)
and ``kiosk unavailable`` (the fallback page, e.g. ``--png FILE`` to look at it)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _install(args: argparse.Namespace) -> int:
    from kiosk.ops.install import InstallError, install

    try:
        report = install(
            Path(args.root),
            source=Path(args.source) if args.source else None,
            printer_usb=args.printer_usb,
            camera_usb=args.camera_usb,
            reader_usb=args.reader_usb or None,
            touch_usb=args.touch_usb or None,
            allow_usb=tuple(args.allow_usb),
            wheel=Path(args.wheel) if args.wheel else None,
        )
    except (InstallError, OSError) as exc:
        print(f"安装失败 (install failed): {exc}", file=sys.stderr)
        return 2
    print(report.summary())
    return 0


def _unavailable(args: argparse.Namespace) -> int:
    from kiosk.ops.unavailable import render_png, run_page

    if args.png:
        render_png(Path(args.png), (args.width, args.height))
        return 0
    return run_page()


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("install", help="install or upgrade the terminal's system files (systemd, udev, ...)")
    p.add_argument("--root", default="/", help="install into this directory instead of / (packaging, tests)")
    p.add_argument("--source", default="", help="the deploy/ folder (default: the one beside this package)")
    p.add_argument("--printer-usb", default="0416:5011", help="receipt printer USB id VID:PID (udev rules)")
    p.add_argument("--camera-usb", default="0c45:6366", help="QR camera USB id VID:PID (udev rules)")
    p.add_argument("--reader-usb", default="", help="ID card reader USB id VID:PID (USB policy)")
    p.add_argument("--touch-usb", default="", help="touch screen USB id VID:PID (USB policy)")
    p.add_argument(
        "--allow-usb", action="append", default=[], metavar="VID:PID", help="one more USB device to allow"
    )
    p.add_argument("--wheel", default="", help="real root only: pip-install this wheel into /opt/kiosk/venv")
    p.set_defaults(handler=_install)
    u = sub.add_parser(
        "unavailable", help="show the full-screen 暂停服务 page (the fallback when the app fails)"
    )
    u.add_argument("--png", default="", help="only render the page into this PNG file")
    u.add_argument("--width", type=int, default=1080)
    u.add_argument("--height", type=int, default=1920)
    u.set_defaults(handler=_unavailable)
