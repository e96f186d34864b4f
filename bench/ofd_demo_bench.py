"""The demo certificates as issued: open + verify + draw the first page at the terminal's screen
width, per certificate, beside the time to show today's field list for the same record.

    .venv/bin/python bench/ofd_demo_bench.py [--rounds N] [--width PX]

For each of the reference server's demo records (refserver/ofd makes its sealed OFD file):

* ``ofd``: open_ofd + verify_signatures (demo CA anchor) + render_page at ``--width`` (default:
  kiosk.issued.service.SCREEN_WIDTH_PX), the render cache emptied first (a first showing);
* ``terminal``: what the terminal's verifier process does for the detail page
  (kiosk.issued.work.check_and_draw: the same, plus the covered copy and the pixels as bytes);
* ``first``: ``terminal`` as a session's first drawing: what the last session held released
  (kiosk.session_memory: the glyph masks) and the fallback face loaded ahead, as the controller
  does when the list appears (its load time is printed apart);
* ``fields``: today's field list: the record's issuer signature checked (verify_record, the SM2
  the terminal uses) and the detail view built (kiosk.views.detail_view).

Medians in ms over ``--rounds`` per record, then the median over records. Figures only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk import session_memory
from kiosk.backend.verify import to_record, verify_record
from kiosk.domain.certificate import CertificateSummary, VerifiedCertificate
from kiosk.issued.service import SCREEN_WIDTH_PX, cover_boxes
from kiosk.issued.work import check_and_draw
from kiosk.ofd import open_ofd, render_page, verify_signatures
from kiosk.ofd import render as render_mod
from kiosk.ofd.draw import fallback_font
from kiosk.session import SessionData, SessionMachine
from kiosk.views import detail_view
from refserver.demo_issuer_key import DEMO_KEY_ID, DEMO_PUBLIC_KEY_HEX
from refserver.ofd import link_for
from refserver.ofd.pki import demo_ca
from refserver.ofd.writer import build_ofd
from refserver.seed import build_record, certificates_for, load_identities
from refserver.signing import Issuer


def records() -> list[dict[str, Any]]:
    out = []
    for n, person in enumerate(load_identities(), start=1):
        for i, cert in enumerate(certificates_for(person), start=1):
            record = build_record(person, cert, f"{cert.issue.year}{n:02d}{i:05d}", DEMO_KEY_ID)
            record["ofd"] = link_for(record)
            out.append(record)
    return out


def _summary(r: dict[str, Any]) -> CertificateSummary:
    keys = ("identifier", "type_code", "name", "number", "holder_name", "holder_code", "holder_type")
    return CertificateSummary(
        **{k: r[k] for k in keys},
        issuer=r["issuer"],
        issuer_code=r["issuer_code"],
        issue_date=date.fromisoformat(r["issue_date"]),
        valid_from=date.fromisoformat(r["valid_from"]),
        valid_to=date.fromisoformat(r["valid_to"]) if r["valid_to"] else None,
        status=r["status"],
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--width", type=int, default=SCREEN_WIDTH_PX)
    args = parser.parse_args()
    anchors = [demo_ca().root.cert]
    issuer = Issuer()
    keys = {DEMO_KEY_ID: DEMO_PUBLIC_KEY_HEX}
    today = date.today()
    demo = records()
    render_page(open_ofd(build_ofd(demo[0]).data), 0, width_px=100)  # imports and fonts out of the figures
    print(
        f"{'certificate':14} {'bytes':>6} {'ofd':>7} {'terminal':>9} {'first':>7} {'fields':>7}",
        f" (ms, median of {args.rounds})",
    )
    loads = []
    for _ in range(3):
        session_memory.release()
        t0 = time.perf_counter()
        fallback_font()
        loads.append(time.perf_counter() - t0)
    print(
        "fallback face loaded ahead (background thread, as the list appears): "
        f"{statistics.median(loads) * 1000:.0f} ms"
    )
    ofd_t, term_t, first_t, field_t = [], [], [], []
    for record in demo:
        data = build_ofd({k: v for k, v in record.items() if k != "ofd"}).data
        signed = to_record(record, _summary(record), DEMO_KEY_ID, issuer.sign(record))
        rows = []
        for _ in range(args.rounds):
            render_mod._CACHE.clear()
            t0 = time.perf_counter()
            doc = open_ofd(data)
            verify_signatures(doc, anchors=anchors)
            render_page(doc, 0, width_px=args.width)
            t1 = time.perf_counter()
            verification = verify_record(signed, keys, today)
            certificate = VerifiedCertificate(signed, verification)
            render_mod._CACHE.clear()
            t2 = time.perf_counter()
            check_and_draw(data, anchors, args.width, cover_boxes(certificate, _Link(record["ofd"])))
            t3 = time.perf_counter()
            machine = SessionMachine(120, 20, 10)
            machine.data = SessionData(
                certificates=[signed.summary], records={signed.summary.identifier: certificate}
            )
            machine.data.selected = signed.summary.identifier
            t4 = time.perf_counter()
            verify_record(signed, keys, today)
            detail_view(machine, today, "柳江区政务服务中心", 30)
            t5 = time.perf_counter()
            session_memory.release()
            fallback_font()
            t6 = time.perf_counter()
            check_and_draw(data, anchors, args.width, cover_boxes(certificate, _Link(record["ofd"])))
            t7 = time.perf_counter()
            rows.append((t1 - t0, t3 - t2, t5 - t4, t7 - t6))
        med = [statistics.median(r[i] for r in rows) * 1000 for i in range(4)]
        ofd_t.append(med[0])
        term_t.append(med[1])
        field_t.append(med[2])
        first_t.append(med[3])
        print(
            f"{record['name'][:7]:14} {len(data):6} {med[0]:7.1f} {med[1]:9.1f} {med[3]:7.1f} {med[2]:7.1f}"
        )
    print(
        f"median over {len(demo)} certificates: ofd {statistics.median(ofd_t):.1f} ms, "
        f"terminal {statistics.median(term_t):.1f} ms, "
        f"a session's first {statistics.median(first_t):.1f} ms, "
        f"field list {statistics.median(field_t):.1f} ms"
    )
    return 0


class _Link:
    """The record's ofd entry with attribute access (as kiosk.backend.schemas.OfdLinkModel)."""

    def __init__(self, raw: dict[str, Any]) -> None:
        from kiosk.backend.schemas import OfdLinkModel

        model = OfdLinkModel.model_validate(raw)
        self.page, self.fields = model.page, model.fields


if __name__ == "__main__":
    raise SystemExit(main())
