"""``kiosk card``: the technician's view of the ID card reader, through the code the terminal uses.

``readers`` lists what pcscd sees and what is configured; ``watch`` prints reader events as they
happen (personal data masked); ``parse FILE`` decodes a raw dump the technician supplied — a 256-byte
text block or a SAM answer frame, binary or hex text — and prints the full identity as one JSON object
(on purpose: it is their own dump, on their screen, and nothing is logged or written).
"""

from __future__ import annotations

import argparse
import json
import queue
import string
import sys
import time
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kiosk.cli.common import add_config_args, config_or_exit

_HEX_TEXT_CHARS = set(string.hexdigits + string.whitespace + ":,")


def decode_dump(raw: bytes) -> bytes:
    """Binary as it is; hex text (spaces, newlines, colons, ``0x`` prefixes allowed) decoded."""
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        return raw
    cleaned = text.replace("0x", "").replace("0X", "")
    if cleaned.strip() and set(cleaned) <= _HEX_TEXT_CHARS:
        digits = "".join(c for c in cleaned if c in string.hexdigits)
        if len(digits) % 2:
            raise ValueError("hex text has an odd number of digits")
        return bytes.fromhex(digits)
    return raw


def parse_dump(raw: bytes) -> dict[str, str | None]:
    """A dump → the identity as JSON-able fields. Raises ValueError (typed CardDataError) on bad input."""
    from drivers.card.sam_protocol import PREAMBLE, identity_from_read_frame
    from drivers.card.text_block import TEXT_BLOCK_SIZE, parse_text_block

    data = decode_dump(raw)
    if data.startswith(PREAMBLE):
        identity = identity_from_read_frame(data)
    elif len(data) == TEXT_BLOCK_SIZE:
        identity = parse_text_block(data)
    else:
        raise ValueError(
            f"{len(data)} bytes: neither a 256-byte text block nor a SAM answer frame (AA AA AA 96 69 …)"
        )
    return identity.to_json_dict()


def _parse(args: argparse.Namespace) -> int:
    try:
        raw = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        print(f"kiosk card parse: 无法读取文件 (cannot read file): {exc}", file=sys.stderr)
        return 2
    try:
        fields = parse_dump(raw)
    except ValueError as exc:
        reason = getattr(exc, "reason", str(exc))
        print(f"kiosk card parse: 无法解析 (cannot parse): {reason}", file=sys.stderr)
        return 1
    print(json.dumps(fields, ensure_ascii=False))
    return 0


def _readers(args: argparse.Namespace) -> int:
    config = config_or_exit(args).devices.card_reader
    print(f"configured: kind={config.kind}", end="")
    if config.kind == "pcsc":
        print(f" profile={config.profile} reader_name_contains={config.reader_name_contains!r}")
    elif config.kind == "serial_sam":
        exists = Path(config.serial_port).exists()
        print(f" port={config.serial_port} ({'present' if exists else 'missing'}) baudrate={config.baudrate}")
    else:
        print()
    try:
        from drivers.card.pcsc_reader import PcscError, list_pcsc_readers
    except ImportError as exc:
        print(f"pcsc: pyscard not available ({exc})")
        return 1 if config.kind == "pcsc" else 0
    try:
        readers = list_pcsc_readers()
    except PcscError as exc:
        print(f"pcsc: pcscd not answering ({exc})")
        return 1 if config.kind == "pcsc" else 0
    if not readers:
        print("pcsc: no readers")
    for name in readers:
        wanted = config.kind == "pcsc" and config.reader_name_contains.lower() in name.lower()
        print(f"pcsc: {name}{'  <- used' if wanted else ''}")
    return 0


def _watch(args: argparse.Namespace) -> int:
    from kiosk.wiring.card import build_card_reader

    config = config_or_exit(args).devices.card_reader
    overrides: dict[str, Any] = {}
    if args.kind:
        overrides["kind"] = args.kind
    if args.profile:
        overrides["profile"] = args.profile
    if args.port:
        overrides["serial_port"] = args.port
    if overrides:
        try:
            config = config.model_validate({**config.model_dump(), **overrides})
        except ValidationError as exc:  # e.g. --profile ssse with no PSAM configured
            print("读卡器设置有误 (card reader settings are invalid with these options):", file=sys.stderr)
            for error in exc.errors():
                print(f"  {error['msg']}", file=sys.stderr)
            return 2
    reader = build_card_reader(config)
    events: queue.Queue[Any] = queue.Queue()
    reader.start(events.put)  # events arrive on the driver's thread; printed here
    print(f"watching {config.kind} reader (Ctrl-C to stop)", flush=True)
    deadline = time.monotonic() + args.seconds if args.seconds else None
    seen = 0
    try:
        while (deadline is None or time.monotonic() < deadline) and (not args.count or seen < args.count):
            try:
                event = events.get(timeout=0.2)
            except queue.Empty:
                continue
            seen += 1
            stamp = time.strftime("%H:%M:%S")
            masked = event.masked() if hasattr(event, "masked") else f"{event.kind} [{event.reader}]"
            print(f"{stamp} {masked}  health={reader.health()}", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        reader.stop()
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("card", help="ID card reader: list readers, watch events, parse a raw dump")
    cs = p.add_subparsers(dest="card_command", metavar="ACTION")

    readers = cs.add_parser("readers", help="configured reader and the readers pcscd lists")
    add_config_args(readers)
    readers.set_defaults(handler=_readers)

    watch = cs.add_parser("watch", help="print reader events as they happen (personal data masked)")
    add_config_args(watch)
    watch.add_argument(
        "--kind", choices=["simulated", "pcsc", "serial_sam"], help="override the configured kind"
    )
    watch.add_argument(
        "--profile", choices=["vendor_sam", "ssse", "plain"], help="override the PC/SC profile"
    )
    watch.add_argument("--port", help="override the serial port")
    watch.add_argument("--seconds", type=float, default=0, help="stop after this many seconds")
    watch.add_argument("--count", type=int, default=0, help="stop after this many events")
    watch.set_defaults(handler=_watch)

    parse = cs.add_parser("parse", help="decode a raw dump (text block or SAM frame, binary or hex) to JSON")
    parse.add_argument("file", help="the dump file, or - for standard input")
    parse.set_defaults(handler=_parse)
