"""``refserver``: run the reference e-certificate server, seed its database, issue 亮证 tokens.

    refserver serve --host 127.0.0.1 --port 8443 --db FILE [--seed] [--faults]
                    [--terminals FILE] [--info-file FILE] [--stop-when-stdin-closes]
                    [--max-body-bytes N]
    refserver seed --db FILE
    refserver lz-token --db FILE --holder KEY [--ttl SECONDS] [--png FILE]

``--port 0`` picks a free port; ``--info-file`` then tells the caller which (JSON: url, port,
issuer_keys), written once the socket listens. ``--terminals`` is a JSON list of
``{"id", "secret", "allowed_types"?, "rate_per_minute"?, "algorithm"?}`` (keep it mode 600);
without it a seeded database knows only the demo terminal. ``--stop-when-stdin-closes`` is for a
parent that embeds the server (the kiosk's demo mode, the soak): the server shuts down once its
standard input reaches end of file, which the kernel brings about when the parent ends, even
killed with SIGKILL.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import re
import signal
import socket
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from refserver.demo_issuer_key import DEMO_KEY_ID, DEMO_PUBLIC_KEY_HEX
from refserver.gate import DEFAULT_MAX_BODY_BYTES
from refserver.store import Store, Terminal


def _load_terminals(path: str | None) -> list[Terminal] | None:
    if not path:
        return None
    items = json.loads(Path(path).read_text(encoding="utf-8"))
    return [
        Terminal(
            str(t["id"]),
            str(t["secret"]),
            tuple(t.get("allowed_types", ())),
            int(t.get("rate_per_minute", 600)),
            str(t.get("algorithm", "hmac-sha256")),
        )
        for t in items
    ]


def _open_store(db: str | None, seed_it: bool, terminals: list[Terminal] | None) -> Store:
    from refserver.seed import seed

    if not db:
        fd, db = tempfile.mkstemp(prefix="refserver-", suffix=".db")
        os.close(fd)
        atexit.register(_remove_database, db)  # a temporary database does not outlive the server
    store = Store(db)
    if seed_it and not store.is_seeded():
        seed(store, terminals=terminals)
    elif terminals:
        for t in terminals:
            store.put_terminal(t)
    return store


def _remove_database(path: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            os.unlink(path + suffix)


def _serve(args: argparse.Namespace) -> int:
    from refserver.ofd import demo_anchor_pem

    # WHY the socket and the info file before the store is opened (and seeded): a client may
    # connect at once, and its requests wait in the listen queue until the server answers them,
    # so `kiosk demo` starts its own screen meanwhile instead of waiting for the seeding (real
    # signatures, about a second of pure-Python SM2)
    # proto must say TCP: asyncio only sets TCP_NODELAY on accepted sockets whose proto is
    # IPPROTO_TCP, and without it every kept-alive answer waits ~40 ms (Nagle + delayed ACK).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(128)
    port = sock.getsockname()[1]
    scheme = "https" if args.tls_cert else "http"
    if args.info_file:
        info = {
            "url": f"{scheme}://{args.host}:{port}",
            "port": port,
            "pid": os.getpid(),
            "issuer_keys": {DEMO_KEY_ID: DEMO_PUBLIC_KEY_HEX},
            # the demo seal CA of the OFD files (refserver/ofd): demo mode trusts it for seals
            "ofd_anchors": [demo_anchor_pem()],
        }
        tmp = Path(args.info_file + ".tmp")
        tmp.write_text(json.dumps(info), encoding="utf-8")
        os.replace(tmp, args.info_file)
    import uvicorn  # FastAPI and uvicorn after the info file, too (0.3-0.5 s of imports)

    from refserver.app import create_asgi

    store = _open_store(args.db, args.seed, _load_terminals(args.terminals))
    app = create_asgi(store, faults=args.faults, max_body_bytes=args.max_body_bytes)
    print(
        f"refserver: listening on {scheme}://{args.host}:{port} (db {store.path})",
        file=sys.stderr,
        flush=True,
    )
    tls: dict[str, Any] = {}
    if args.tls_cert:
        tls = {"ssl_certfile": args.tls_cert, "ssl_keyfile": args.tls_key or None}
    config = uvicorn.Config(
        app, log_level=args.log_level, access_log=args.access_log, timeout_graceful_shutdown=2, **tls
    )
    # uvicorn re-raises SIGTERM/SIGINT after its graceful shutdown, restoring the previous
    # handlers first: make those exit through Python so the store closes and atexit runs.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    if args.stop_when_stdin_closes:
        _stop_when_stdin_closes()
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        store.close()
    return 0


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _stop_when_stdin_closes() -> None:
    """Shut down (as on SIGTERM) once standard input reaches end of file.

    WHY: a server embedded in the kiosk's demo mode outlived its parent when the parent was killed
    with SIGKILL (no handler runs then), and kept its port, its database and its demo data. The
    parent holds the other end of a pipe; the kernel closes it whatever way the parent ends.
    """

    def watch() -> None:
        with contextlib.suppress(OSError, ValueError):
            while sys.stdin.buffer.read(4096):
                pass
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="stop-when-stdin-closes", daemon=True).start()


def _seed(args: argparse.Namespace) -> int:
    store = _open_store(args.db, True, _load_terminals(args.terminals))
    store.close()
    print(f"refserver: seeded {args.db}")
    return 0


QR_PREFIX = "LZ:"


def _lz_token(args: argparse.Namespace) -> int:
    import qrcode

    store = _open_store(args.db, True, None)
    holder = store.holder_by_key(args.holder)
    if holder is None:
        print(f"refserver: no demo holder {args.holder!r}", file=sys.stderr)
        return 1
    token = store.issue_token(holder.holder_code, [], args.ttl)
    store.close()
    # what a citizen's phone shows: the token in the 亮证码 form terminals recognise (LZ:<token>)
    payload = QR_PREFIX + token
    qr = qrcode.QRCode(border=2)
    qr.add_data(payload)
    qr.make(fit=True)
    qr.print_ascii(invert=True)
    print(payload)
    if args.png:
        qrcode.make(payload, box_size=8, border=4).save(args.png)
    return 0


def _bundle_publish(args: argparse.Namespace) -> int:
    """Sign the files as the group's next version with the server's (demo) issuer key."""
    from refserver.bundles import publish
    from refserver.models import BUNDLE_GROUP_PATTERN

    if not re.match(BUNDLE_GROUP_PATTERN, args.group):
        print(f"refserver: not a group name: {args.group!r}", file=sys.stderr)
        return 2
    try:
        files = {
            "matters": Path(args.matters).read_text(encoding="utf-8"),
            "disclosure": Path(args.disclosure).read_text(encoding="utf-8"),
            "overlay": Path(args.overlay).read_text(encoding="utf-8") if args.overlay else "",
        }
    except (OSError, UnicodeDecodeError) as exc:
        print(f"refserver: cannot read a bundle file: {exc}", file=sys.stderr)
        return 2
    store = Store(args.db)
    try:
        body = publish(store, args.group, files)
    finally:
        store.close()
    print(f"refserver: published bundle {args.group} version {body['version']}")
    return 0


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="refserver", description="Reference e-certificate server (demo data)."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    s = sub.add_parser("serve", help="run the HTTP server")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8443)
    s.add_argument("--db", default="", help="SQLite file (default: a new temporary file)")
    s.add_argument("--seed", action="store_true", help="fill the database with the demo data")
    s.add_argument("--faults", action="store_true", help="TEST ONLY: enable /_faults and /_admin endpoints")
    s.add_argument("--terminals", default="", help="JSON file of terminals and their secrets")
    s.add_argument("--info-file", default="", help="write url/port/issuer keys here once listening")
    s.add_argument("--tls-cert", default="", help="serve HTTPS with this PEM certificate (chain)")
    s.add_argument("--tls-key", default="", help="the certificate's PEM private key")
    s.add_argument(
        "--max-body-bytes",
        type=_positive_int,
        default=DEFAULT_MAX_BODY_BYTES,
        help=f"refuse (413) larger request bodies, before reading them (default {DEFAULT_MAX_BODY_BYTES})",
    )
    s.add_argument("--log-level", default="warning")
    s.add_argument("--access-log", action="store_true")
    s.add_argument(
        "--stop-when-stdin-closes",
        action="store_true",
        help="shut down when standard input ends (an embedding parent holds it open)",
    )
    s.set_defaults(handler=_serve)
    d = sub.add_parser("seed", help="create and seed a database")
    d.add_argument("--db", required=True)
    d.add_argument("--terminals", default="")
    d.set_defaults(handler=_seed)
    t = sub.add_parser("lz-token", help="issue a 亮证 token for a demo holder and show it as a QR code")
    t.add_argument("--db", required=True)
    t.add_argument("--holder", required=True, help="demo identity key (elder, rare, minority, business, ...)")
    t.add_argument("--ttl", type=float, default=300.0, help="seconds the token stays valid")
    t.add_argument("--png", default="", help="also write the QR code as a PNG file")
    t.set_defaults(handler=_lz_token)
    b = sub.add_parser("bundle", help="content bundles for terminal groups")
    bsub = b.add_subparsers(dest="bundle_command", metavar="ACTION", required=True)
    p = bsub.add_parser("publish", help="sign matters/disclosure/overlay as the group's next version")
    p.add_argument("--db", required=True, help="the server's SQLite file")
    p.add_argument("--group", required=True, help="terminal group (terminals' [bundles] group)")
    p.add_argument("--matters", required=True, help="matters.toml (办事指南)")
    p.add_argument("--disclosure", required=True, help="disclosure.toml (政务公开)")
    p.add_argument("--overlay", default="", help="TOML of staff-editable settings for the group")
    p.set_defaults(handler=_bundle_publish)
    from refserver.complaints import add_cli

    add_cli(sub)  # refserver complaints list|answer (staff)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
