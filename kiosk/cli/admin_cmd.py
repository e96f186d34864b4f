"""``kiosk admin``: staff PIN management.

``kiosk admin set-pin`` asks for the new PIN twice without echo (or reads one line from stdin with
``--stdin``, for automated installs) and writes only its scrypt hash to the secrets file
(``admin.pin_hash``, mode 600, previous file kept as ``.bak``). The PIN is never printed or logged.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from kiosk.settings.loader import DEFAULT_SECRETS_FILE


def _secrets_path(args: argparse.Namespace) -> Path:
    if args.secrets:
        return Path(args.secrets)
    if os.environ.get("KIOSK_SECRETS"):
        return Path(os.environ["KIOSK_SECRETS"])
    return DEFAULT_SECRETS_FILE


def _read_pin(args: argparse.Namespace) -> str | None:
    if args.stdin:
        return sys.stdin.readline().strip()
    first = getpass.getpass("新的管理 PIN（6–12 位数字）: ")
    second = getpass.getpass("再输入一次: ")
    if first != second:
        print("两次输入的 PIN 不一致，未保存。", file=sys.stderr)
        return None
    return first


def _set_pin(args: argparse.Namespace) -> int:
    from kiosk.admin.pin import PinFormatError, hash_pin
    from kiosk.admin.store import ConfigChangeRefused, ConfigStore

    pin = _read_pin(args)
    if pin is None:
        return 1
    try:
        digest = hash_pin(pin)
    except PinFormatError as exc:
        print(f"PIN 未保存：{exc}", file=sys.stderr)
        return 1
    path = _secrets_path(args)
    try:
        ConfigStore(Path(os.devnull), path).set_secret("admin.pin_hash", digest)
    except (ConfigChangeRefused, OSError) as exc:
        print(f"无法写入密钥文件 {path}：{exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # an unparsable secrets file: say so, change nothing
        print(f"密钥文件 {path} 无法读取，未修改：{exc}", file=sys.stderr)
        return 1
    print(f"管理 PIN 已更新（仅保存哈希值）：{path}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("admin", help="staff administration: set the admin PIN")
    ps = p.add_subparsers(dest="admin_command", metavar="ACTION")
    s = ps.add_parser("set-pin", help="write the admin PIN's scrypt hash to the secrets file")
    s.add_argument(
        "--secrets", type=Path, help="secrets file (default: $KIOSK_SECRETS or /etc/kiosk/secrets.toml)"
    )
    s.add_argument("--stdin", action="store_true", help="read the PIN from standard input (one line)")
    s.set_defaults(handler=_set_pin)
