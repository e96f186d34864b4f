"""English mode: every user-facing Chinese string has an English translation in kiosk.po.

Sources of user-facing strings: every ``_("literal")`` call in kiosk/ and screens/ (found with ast),
plus the message tables that are translated through ``_(variable)`` at display time (card, backend
and printer messages, certificate statuses, rating choices, keyboard phrases, header labels, the
configuration's default texts). A new string without a translation fails here, by name and place.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

from kiosk.i18n import _parse_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "kiosk" / "locale" / "en" / "LC_MESSAGES" / "kiosk.po"
CJK = re.compile(r"[\u3400-\u9fff]")
# module-level tuples of strings shown through _() by the screens (read with ast: no Kivy needed)
SCREEN_TABLES = {"screens/rate.py": ("SCORES", "LOW_REASONS"), "screens/keyboard.py": ("PHRASES",)}


def literal_calls() -> dict[str, str]:
    """msgid -> first place it is used, for every ``_("...")`` in kiosk/ and screens/."""
    found: dict[str, str] = {}
    for folder in ("kiosk", "screens"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "_"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    found.setdefault(node.args[0].value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value] if CJK.search(value) else []
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (tuple, list)):
        return [s for v in value for s in _strings(v)]
    return []


def table_strings() -> dict[str, str]:
    from kiosk import messages
    from kiosk.backend import messages as backend_messages
    from kiosk.complaints import desk as complaint_desk
    from kiosk.complaints import model as complaint_model
    from kiosk.face import check as face_check
    from kiosk.receipt import contents
    from kiosk.receipt import messages as printer_messages
    from kiosk.settings.model import SessionConfig, TerminalConfig

    found: dict[str, str] = {}
    tables: dict[str, object] = {
        "kiosk.messages.CARD_ERRORS": messages.CARD_ERRORS,
        "kiosk.messages.card_error default": messages.card_error("no-such-code"),
        "kiosk.backend.messages.MESSAGES": backend_messages.MESSAGES,
        "kiosk.backend.messages default": backend_messages.message_for("no-such-kind"),
        "kiosk.receipt.messages.MESSAGES": printer_messages.MESSAGES,
        "kiosk.receipt.messages.A4_MESSAGES": printer_messages.A4_MESSAGES,
        "kiosk.receipt.messages.RECEIPT_MESSAGES": printer_messages.RECEIPT_MESSAGES,
        "kiosk.receipt.messages constants": [
            printer_messages.PRINTING,
            printer_messages.DONE,
            printer_messages.DONE_A4,
            printer_messages.PHONE_ALTERNATIVE,
            printer_messages.RETRY,
        ],
        "kiosk.receipt.contents._STATUS_TEXT": contents._STATUS_TEXT,
        "kiosk.receipt.contents._NOT_PROOF_TEXT": contents._NOT_PROOF_TEXT,
        "config defaults": [
            TerminalConfig.model_fields["help_text"].default,
            TerminalConfig.model_fields["centre_name"].default,
            SessionConfig.model_fields["use_cause"].default,
        ],
        # the face page says these through _(GUIDANCE[code]) / _(FAILURES[code])
        "kiosk.face.check.GUIDANCE": face_check.GUIDANCE,
        "kiosk.face.check.FAILURES": face_check.FAILURES,
        # the complaint pages: kinds, the matters beside the catalogue's, the answer's state
        "kiosk.complaints.model kinds": [kind.label for kind in complaint_model.Kind],
        "kiosk.complaints.model matters": [complaint_model.INTERMEDIARY, complaint_model.OTHER_MATTER],
        "kiosk.complaints.desk.STATE_TEXT": complaint_desk.STATE_TEXT,
    }
    for rel, names in SCREEN_TABLES.items():
        tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"))
        for node in tree.body:
            target = node.targets[0] if isinstance(node, ast.Assign) else None
            if isinstance(node, ast.Assign) and isinstance(target, ast.Name) and target.id in names:
                tables[f"{rel}:{target.id}"] = ast.literal_eval(node.value)
    frame = ast.parse((ROOT / "screens/frame.py").read_text(encoding="utf-8"))
    for item in ast.walk(frame):
        if isinstance(item, ast.Assign) and getattr(item.targets[0], "id", "") == "HEALTH_ITEMS":
            tables["screens/frame.py:HEALTH_ITEMS"] = [label for _k, label in ast.literal_eval(item.value)]
    for where, table in tables.items():
        for text in _strings(table):
            found.setdefault(text, where)
    return found


def placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def test_every_user_facing_string_has_an_english_translation() -> None:
    catalogue = _parse_po(PO.read_text(encoding="utf-8"))
    wanted = {**table_strings(), **literal_calls()}
    missing = {msgid: where for msgid, where in wanted.items() if msgid not in catalogue}
    print(f"\nuser-facing strings: {len(wanted)}; English entries: {len(catalogue)}; missing: {len(missing)}")
    assert not missing, "no English translation for:\n" + "\n".join(
        f"  {where}: {msgid!r}" for msgid, where in sorted(missing.items(), key=lambda kv: kv[1])
    )


def test_translations_keep_placeholders_and_contain_no_chinese_only_text() -> None:
    catalogue = _parse_po(PO.read_text(encoding="utf-8"))
    for msgid, msgstr in catalogue.items():
        assert placeholders(msgid) == placeholders(msgstr), (msgid, msgstr)
        latin = re.sub(r"[\u3400-\u9fff（）“”：，。·、]", "", msgstr)
        assert re.search(r"[A-Za-z0-9]", latin), f"English text expected for {msgid!r}: {msgstr!r}"


def _printed_words(receipt: object) -> str:
    """Every text the printer prints for a receipt: title, subtitle, labels, values, captions, footer."""
    parts = [receipt.title, receipt.subtitle, *receipt.footer]  # type: ignore[attr-defined]
    for block in receipt.blocks:  # type: ignore[attr-defined]
        parts += [getattr(block, name, "") for name in ("text", "label", "value", "caption")]
    return "\n".join(p for p in parts if p)


def test_english_receipts_read_english() -> None:
    from datetime import date, datetime

    from kiosk.i18n import set_language
    from kiosk.receipt.contents import certificate_list_receipt, rating_thanks_receipt

    set_language("en")
    try:
        listing = _printed_words(
            certificate_list_receipt(
                "Kiosk 01",
                "JOHNSON MARK",
                "945826198507060010",
                [],
                datetime(2026, 11, 29, 9, 30),
                date(2026, 12, 6),
                "verify",
            )
        )
        thanks = _printed_words(
            rating_thanks_receipt("Kiosk 01", "免证办：电子证照查询与打印", 4, datetime(2026, 11, 29, 9, 31))
        )
    finally:
        set_language("zh_CN")
    assert "E-certificate receipt" in listing
    assert "Liujiang District Government Service Centre" in listing
    assert "valid until 6 Dec 2026" in listing
    assert "945826198507060010" not in listing and "9458**********0010" in listing
    assert "Thank you for your rating!" in thanks and "(4 of 5)" in thanks
    # 好差评 stays as the national programme's name in brackets; nothing else is Chinese
    for text in (listing, thanks):
        assert not re.search(r"[\u3400-\u9fff]", text.replace("好差评", "")), text
