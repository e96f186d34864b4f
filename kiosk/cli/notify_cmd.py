"""``kiosk notify test``: send one test notice and say whether the channel accepted it.

WHY: a robot key pasted wrong, a DingTalk 加签 secret missing or a firewall in the way shows up
here, at installation, instead of as a citizen waiting for staff nobody told. Exit 0 only when every
channel tested accepted the notice (errcode 0 / HTTP 2xx), 1 otherwise, 2 for unusable options.
"""

from __future__ import annotations

import argparse
import socket
import sys
import time

from kiosk.cli.common import add_config_args, config_or_exit
from kiosk.notify import Channel, NotAccepted, Notice, channels_from, make_channel


def _notice(args: argparse.Namespace) -> Notice:
    ticket = time.strftime("TEST-%H%M%S")
    if args.channel and not (args.config or args.secrets):
        return Notice("test", ticket, socket.gethostname()[:64], "自助终端", "")
    t = config_or_exit(args).terminal
    return Notice("test", ticket, t.id, t.name, t.location or t.centre_name)


def _channels(args: argparse.Namespace) -> list[Channel]:
    if args.channel:
        if not args.url:
            print("--channel needs --url (the robot's webhook address)", file=sys.stderr)
            raise SystemExit(2)
        if args.secret and args.channel != "dingtalk":
            print("--secret is the DingTalk 加签 secret: only with --channel dingtalk", file=sys.stderr)
            raise SystemExit(2)
        return [make_channel(args.channel, args.url, args.secret or "", args.timeout)]
    if args.url or args.secret:
        print("--url and --secret need --channel", file=sys.stderr)
        raise SystemExit(2)
    return channels_from(config_or_exit(args).notify)


def _test(args: argparse.Namespace) -> int:
    channels = _channels(args)
    if not channels:
        print("no channel configured ([notify] wecom_url / dingtalk_url / webhook_url in the secrets file)")
        return 1
    notice = _notice(args)
    failed = 0
    for channel in channels:
        try:
            channel.send(notice)
            print(f"{channel.name}: accepted ({notice.ticket})")
        except NotAccepted as e:
            failed += 1
            print(f"{channel.name}: NOT accepted: {e}")
    return 1 if failed else 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("notify", help="help-call channels (呼叫工作人员): test a robot")
    acts = p.add_subparsers(dest="notify_command", metavar="ACTION")
    test = acts.add_parser("test", help="send one test notice; exit 0 only when it was accepted")
    test.add_argument("--channel", choices=("wecom", "dingtalk", "webhook"))
    test.add_argument("--url", help="the robot's webhook URL (with its key / access_token)")
    test.add_argument("--secret", help="DingTalk 加签 secret (SEC…)")
    test.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for the answer")
    add_config_args(test)
    test.set_defaults(handler=_test)
