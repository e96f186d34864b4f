"""``kiosk bundle status|rollback``: the content bundle a terminal has, and a technician's rollback.

The running app applies bundles itself (kiosk.bundles); a rollback from here takes the previous
kept bundle (or, with none, the shipped files) back in the state directory, audited, and takes effect
when the app starts again (``systemctl restart kiosk``), which verifies the bundle before using it.
The version rolled back from is not taken again from the backend; a newer publish is.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _state_dir(args: argparse.Namespace) -> Path:
    from kiosk.cli.admin_cmd import _state_dir as admin_state_dir

    return admin_state_dir(args)


def _status(args: argparse.Namespace) -> int:
    from kiosk.bundles.store import BundleStore

    p = BundleStore(_state_dir(args)).pointer()
    if p.current is None:
        print(f"尚未应用内容包：使用终端自带的内容文件（已接收的最高版本 v{p.highest}）")
    else:
        previous = f"，上一版 v{p.previous}" if p.previous is not None else "，无上一版"
        print(f"内容包 v{p.current}{previous}（已接收的最高版本 v{p.highest}）")
    return 0


def _rollback(args: argparse.Namespace) -> int:
    from kiosk.bundles.store import BundleStore
    from kiosk.cli.common import audit_as_technician, state_owner

    state = _state_dir(args)
    owner = state_owner(state, "未回退")
    if owner is None:
        return 1
    store = BundleStore(state, owner=owner)
    before = store.pointer()
    if before.current is None:
        print("尚未应用内容包，无需回退", file=sys.stderr)
        return 1
    try:
        after = store.rollback()
    except OSError as exc:
        print(f"无法写入 {state}，未回退：{exc.strerror}", file=sys.stderr)
        return 1
    audit_as_technician(
        state, owner, "bundle_rolled_back", version=after.current or 0, left_version=before.current
    )
    now = f"v{after.current}" if after.current is not None else "终端自带的内容文件"
    print(f"已从内容包 v{before.current} 回退到 {now}；重启终端应用后生效（systemctl restart kiosk）")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bundle", help="content bundles from the backend: status, rollback")
    ps = p.add_subparsers(dest="bundle_command", metavar="ACTION", required=True)
    for name, handler, text in (
        ("status", _status, "the bundle this terminal has"),
        ("rollback", _rollback, "back to the previous bundle (audited; at the next start)"),
    ):
        a = ps.add_parser(name, help=text)
        a.add_argument(
            "--state-dir", type=Path, help="the terminal's state directory (default: paths.state_dir)"
        )
        a.add_argument("--config", type=Path, help="terminal configuration file (to find paths.state_dir)")
        a.set_defaults(handler=handler)
