"""Guide and disclosure benchmark: what a citizen waits for between a tap and the answer.

    .venv/bin/python bench/guide_bench.py [--rounds N]

Prints (median and p95 ms, no pass/fail):

* loading and validating config/matters.toml and config/disclosure.toml (start-up cost);
* building the pinyin search index (pypinyin over every name and keyword) and one search per
  keypad tap, for initials ("bdc"), full pinyin ("gongjijin") and Chinese ("结婚");
* 免证 readiness of every matter for a holder with 10 verified certificates (synthetic records:
  no server needed);
* chart data for the 政务公开 page;
* rendering the printed checklist (80 mm and 58 mm).
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time
from collections.abc import Callable
from datetime import date, datetime

from kiosk.disclosure import change_chart, load_disclosure, sangong_chart, spending_chart
from kiosk.domain.certificate import (
    CertificateRecord,
    CertificateSummary,
    CertStatus,
    Verification,
    VerifiedCertificate,
)
from kiosk.guide import MatterIndex, load_catalogue, readiness
from kiosk.guide.receipt import checklist_receipt
from kiosk.receipt import render


def timed(fn: Callable[[], object], rounds: int) -> tuple[float, float]:
    samples = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def report(what: str, fn: Callable[[], object], rounds: int) -> None:
    median, p95 = timed(fn, rounds)
    print(f"{what:<48} median {median:8.3f} ms   p95 {p95:8.3f} ms")


def synthetic_records(codes: list[str]) -> tuple[list[CertificateSummary], dict[str, VerifiedCertificate]]:
    """FICTITIOUS certificates of every known type (one revoked), enough to exercise the matcher."""
    summaries, records = [], {}
    for i, code in enumerate(codes + codes[:3]):
        s = CertificateSummary(
            identifier=f"{code}.TEST.{i}",
            type_code=code,
            name=f"证照{i}",
            number=f"N{i}",
            holder_name="测试",
            holder_code="000",
            holder_type="111",
            issuer="测试机关",
            issuer_code="000",
            issue_date=date(2020, 1, 1),
            valid_from=date(2020, 1, 1),
            valid_to=None,
            status="10",
        )
        summaries.append(s)
        status = CertStatus.REVOKED if i == 1 else CertStatus.VALID
        records[s.identifier] = VerifiedCertificate(CertificateRecord(s, (), "k", ""), Verification(status))
    return summaries, records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    n = args.rounds
    catalogue = load_catalogue()
    print(f"catalogue: {len(catalogue.matters)} matters, {len(catalogue.certificate_type)} certificate types")
    report("load + validate matters.toml", load_catalogue, max(10, n // 10))
    report("load + validate disclosure.toml", load_disclosure, max(10, n // 10))
    report("build pinyin index", lambda: MatterIndex(catalogue), max(10, n // 10))
    index = MatterIndex(catalogue)
    for query in ("bdc", "gongjijin", "结婚", "xyz"):
        report(f"search {query!r}", functools.partial(index.search, query), n)
    summaries, records = synthetic_records([t.code for t in catalogue.certificate_type])
    today = date.today()
    report(
        f"readiness, all matters, {len(records)} certificates",
        lambda: [readiness(catalogue, m, summaries, records, today) for m in catalogue.matters],
        n,
    )
    disclosure = load_disclosure()
    report(
        "disclosure chart data (3 charts)",
        lambda: (spending_chart(disclosure), change_chart(disclosure), sangong_chart(disclosure)),
        n,
    )
    matter = catalogue.matters[0]
    ready = readiness(catalogue, matter, summaries, records, today)
    receipt = checklist_receipt(ready, "自助终端 01", datetime.now(), test_data=True)
    for width in (576, 384):
        report(f"render checklist {width} dots", functools.partial(render, receipt, width), max(5, n // 20))
    image = render(receipt, 576)
    print(f"checklist image 576 dots: {image.width}x{image.height} px")


if __name__ == "__main__":
    main()
