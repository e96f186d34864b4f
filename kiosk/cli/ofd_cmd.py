"""``kiosk ofd``: look inside an electronic certificate file (OFD) the way the terminal does.

``info FILE`` prints JSON (pages with their size, signatures with status and reason);
``verify FILE`` exits 0 only when every signature is VALID, else prints each signature's status and
reason (a digest mismatch says ``tampered`` and the file's path) and exits 1 (2 when the file cannot
be opened, or carries no signature); ``render FILE --page N --out PNG [--dpi D]`` draws one page.
Trust anchors (the CA certificates that issue signers and seal makers) come from ``--anchor`` files,
PEM or DER, repeatable: without one no signature can be VALID (UNKNOWN_SIGNER).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def _anchors(paths: list[str] | None) -> list[bytes]:
    from asn1crypto import pem

    out: list[bytes] = []
    for name in paths or []:
        data = Path(name).read_bytes()
        if pem.detect(data):
            out.extend(der for _type, _headers, der in pem.unarmor(data, multiple=True))
        else:
            out.append(data)
    return out


def _open(name: str) -> Any:
    from kiosk.ofd import OfdError, open_ofd

    try:
        data = Path(name).read_bytes()
    except OSError as exc:
        print(f"无法读取文件 {name}：{exc.strerror}", file=sys.stderr)
        return None
    try:
        return open_ofd(data)
    except OfdError as exc:
        print(f"{name}: {exc.reason} ({exc.code})", file=sys.stderr)
        return None


def _info(args: argparse.Namespace) -> int:
    from kiosk.ofd import verify_signatures

    doc = _open(args.file)
    if doc is None:
        return 2
    pages = []
    for i in range(doc.page_count):
        w, h = doc.page_size_mm(i)
        pages.append({"index": i, "width_mm": round(w, 2), "height_mm": round(h, 2)})
    reports = verify_signatures(doc, anchors=_anchors(args.anchor))
    out = {
        "file": args.file,
        "bytes": doc.size,
        "sha256": doc.digest,
        "page_count": doc.page_count,
        "pages": pages,
        "doc_info": doc.doc_info,
        "signatures": [r.as_dict() for r in reports],
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


def _verify(args: argparse.Namespace) -> int:
    from kiosk.ofd import SignatureStatus, verify_signatures

    doc = _open(args.file)
    if doc is None:
        return 2
    reports = verify_signatures(doc, anchors=_anchors(args.anchor))
    if not reports:
        print(f"{args.file}: 文件没有签名或签章 (unsigned)")
        return 2
    for r in reports:
        where = f" file={r.file}" if r.file else ""
        print(f"signature {r.signature_id} ({r.kind}): {r.status}{where} — {r.reason} [{r.code}]")
    return 0 if all(r.status == SignatureStatus.VALID for r in reports) else 1


def _render(args: argparse.Namespace) -> int:
    from kiosk.ofd import OfdError, render_page

    doc = _open(args.file)
    if doc is None:
        return 2
    index = args.page - 1
    if not 0 <= index < doc.page_count:
        print(f"没有第 {args.page} 页（共 {doc.page_count} 页）", file=sys.stderr)
        return 2
    width_mm, _h = doc.page_size_mm(index)
    width_px = max(16, min(8000, round(width_mm / 25.4 * args.dpi)))
    try:
        image = render_page(doc, index, width_px=width_px)
    except OfdError as exc:
        print(f"{args.file}: {exc.reason} ({exc.code})", file=sys.stderr)
        return 2
    image.save(args.out, format="PNG", dpi=(args.dpi, args.dpi))
    print(f"{args.out}: page {args.page}/{doc.page_count}, {image.width}x{image.height} px at {args.dpi} dpi")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("ofd", help="electronic certificate files (OFD): info, verify, render")
    ofd_sub = parser.add_subparsers(dest="ofd_command", metavar="ACTION")
    info = ofd_sub.add_parser("info", help="pages and signatures as JSON")
    verify = ofd_sub.add_parser("verify", help="exit 0 only when every signature is valid")
    render = ofd_sub.add_parser("render", help="draw one page to a PNG")
    for p in (info, verify, render):
        p.add_argument("file", metavar="FILE")
    for p in (info, verify):
        p.add_argument(
            "--anchor", action="append", metavar="CERT", help="trust anchor certificate (PEM or DER)"
        )
    render.add_argument("--page", type=int, default=1, help="page number, from 1")
    render.add_argument("--out", required=True, metavar="PNG")
    render.add_argument("--dpi", type=int, default=150, help="resolution (default 150)")
    info.set_defaults(handler=_info)
    verify.set_defaults(handler=_verify)
    render.set_defaults(handler=_render)
    parser.set_defaults(handler=lambda _a: (parser.print_help(), 2)[1])
