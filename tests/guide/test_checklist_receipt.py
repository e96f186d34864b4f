"""The printed checklist: the matter's details, 免证 materials of an identified citizen, what to bring,
the flow; no personal data; rendered to PNG under artifacts/guide/ for a look."""

from __future__ import annotations

from datetime import date, datetime

from kiosk.guide import default_catalogue, readiness, session_readiness
from kiosk.guide.receipt import checklist_receipt
from kiosk.receipt import render
from kiosk.receipt.plain_text import receipt_text
from refserver.seed import load_identities
from tests.guide.helpers import fetch
from tests.support.artifacts import artifacts_dir
from tests.support.refserver import RefServer

WHEN = datetime(2026, 11, 29, 9, 30)


async def test_identified_checklist_lists_free_and_paper_materials(server: RefServer) -> None:
    catalogue = default_catalogue()
    matter = catalogue.get("estate-transfer")
    assert matter is not None
    people = {p["key"]: p for p in load_identities()}
    certs, records = await fetch(server, people["rare"])
    ready = readiness(catalogue, matter, certs, records, date.today())
    receipt = checklist_receipt(ready, "自助终端 01", WHEN, test_data=True)
    text = receipt_text(receipt)
    assert matter.name in text and matter.window in text and matter.time_limit in text and matter.fees in text
    assert "免证材料（2项，无需提交纸质材料）" in text
    assert "【免证】买卖双方身份证明" in text and "【免证】不动产权属证书" in text
    assert "请携带以下材料（4项）" in text
    assert "□ 婚姻状况证明（如适用）：原件" in text and "您的电子结婚证已注销" in text
    for step in matter.steps:
        assert step.title in text
    for p in people.values():  # nothing about the person: no name, no number
        assert p["name"] not in text and p["id_number"] not in text and p["id_number"][-4:] not in text
    for width in (576, 384):
        image = render(receipt, width)
        assert image.width == width and image.height > 600
    (artifacts_dir() / "guide").mkdir(parents=True, exist_ok=True)
    render(receipt, 576).save(artifacts_dir() / "guide" / "checklist-identified.png")


def test_anonymous_checklist_lists_every_material() -> None:
    catalogue = default_catalogue()
    matter = catalogue.get("birth")
    assert matter is not None
    receipt = checklist_receipt(session_readiness(catalogue, matter, None, date.today()), "自助终端 01", WHEN)
    text = receipt_text(receipt)
    assert f"申请材料（{len(matter.materials)}项）" in text
    assert "免证材料" not in text
    assert text.count("持有效电子证照可免交") == sum(1 for m in matter.materials if m.accepts)
    (artifacts_dir() / "guide").mkdir(parents=True, exist_ok=True)
    render(receipt, 576).save(artifacts_dir() / "guide" / "checklist-anonymous.png")
