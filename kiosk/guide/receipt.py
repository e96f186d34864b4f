"""The 办事指南 checklist on paper: the matter's details, what the citizen's e-certificates cover
(无需提交纸质材料), what they still have to bring, and the flow.

No personal data is printed: the paper may be left behind in the hall, and the citizen knows who
they are. Certificate type names ("结婚证") are shown, never numbers or identifiers.
"""

from __future__ import annotations

from datetime import datetime

from kiosk.guide.matching import MaterialState, Readiness
from kiosk.receipt.contents import DEFAULT_CENTRE, cn_datetime
from kiosk.receipt.layout import Block, Field, Receipt, Separator, Space, Text

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"


def step_mark(index: int) -> str:
    return CIRCLED[index] if index < len(CIRCLED) else f"{index + 1}."


def checklist_receipt(
    readiness: Readiness,
    terminal_name: str,
    issued_at: datetime,
    *,
    centre_name: str = DEFAULT_CENTRE,
    test_data: bool = False,
) -> Receipt:
    m = readiness.matter
    blocks: list[Block] = [
        Text(m.name, size="large", bold=True, align="center"),
        Space(8),
        Field("实施部门", m.department),
        Field("办理窗口", m.window),
        Field("办理时限", m.time_limit),
        Field("收费标准", m.fees),
    ]
    if m.online:
        blocks.append(Field("网上办理", m.online))
    blocks.append(Separator("solid"))
    if readiness.identified:
        covered = readiness.covered
        blocks.append(Text(f"免证材料（{len(covered)}项，无需提交纸质材料）", bold=True))
        if covered:
            for check in covered:
                blocks.append(Text(f"【免证】{check.material.name}"))
                blocks.append(Text(f"　　已核验电子{check.certificate}", size="small"))
        else:
            blocks.append(Text("本事项暂无可由您的电子证照替代的材料", size="small"))
        blocks.append(Separator("dashed"))
        bring = readiness.to_bring
        blocks.append(Text(f"请携带以下材料（{len(bring)}项）", bold=True))
    else:
        bring = readiness.checks
        blocks.append(Text(f"申请材料（{len(bring)}项）", bold=True))
    for check in bring:
        optional = "" if check.material.required else "（如适用）"
        blocks.append(Text(f"□ {check.material.name}{optional}：{check.material.copies}"))
        notes = []
        if check.state is MaterialState.PENDING:
            notes.append(f"电子{check.certificate}核验未完成，请携带纸质材料")
        elif check.note:
            notes.append(check.note)
        elif not readiness.identified and check.material.accepts:
            notes.append("持有效电子证照可免交（在本机刷身份证查询）")
        if check.material.note:
            notes.append(check.material.note)
        for note in notes:
            blocks.append(Text(f"　　{note}", size="small"))
    blocks.append(Separator("solid"))
    blocks.append(Text("办理流程", bold=True))
    for i, step in enumerate(m.steps):
        blocks.append(Text(f"{step_mark(i)} {step.title}：{step.detail}", size="small"))
    blocks.append(Separator("solid"))
    blocks.append(Field("打印时间", cn_datetime(issued_at)))
    blocks.append(Field("打印终端", terminal_name))
    return Receipt(
        title="办事指南 · 材料清单",
        subtitle=centre_name,
        blocks=tuple(blocks),
        footer=("本清单仅供参考，以窗口受理审核为准", "一件事一次办 · 免证办"),
        test_data=test_data,
        kind="guide_checklist",
        meta={"matter": m.id},
    )
