"""A self-contained HTML report a technician can send: no scripts, no external files, no personal data
(the checks never put any in), the summary also as an inline QR code image."""

from __future__ import annotations

import base64
import io
from html import escape

from kiosk.diagnostics.model import LABELS, Report

COLOURS = {"ok": "#1B6E35", "warning": "#9A4600", "failure": "#B3261E"}


def qr_png(text: str, box_size: int = 4) -> bytes:
    import qrcode

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, box_size=box_size, border=2)
    qr.add_data(text.encode("utf-8"))
    qr.make(fit=True)
    out = io.BytesIO()
    qr.make_image().save(out, format="PNG")
    return out.getvalue()


def render_html(report: Report) -> str:
    rows = []
    for c in report.checks:
        remedies = "<br>".join(escape(r) for r in c.remedies)
        rows.append(
            "<tr>"
            f"<td>{escape(c.title)}<br><small>{escape(c.name)}</small></td>"
            f'<td style="color:#fff;background:{COLOURS[c.status]};text-align:center">{LABELS[c.status]}</td>'
            f"<td>{escape(c.value)}</td><td>{remedies}</td><td>{c.seconds:.2f}</td>"
            "</tr>"
        )
    qr = base64.b64encode(qr_png(report.summary())).decode("ascii")
    mode = "（模拟设备）" if report.simulated else ""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>自助终端诊断报告 {escape(report.terminal_id)}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2em; color: #1A1D21; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border: 1px solid #C9D2DE; padding: .5em; vertical-align: top; }}
th {{ background: #E3E9F1; text-align: left; }}
</style></head><body>
<h1>自助终端诊断报告{mode}</h1>
<p>终端：{escape(report.terminal_id)} · 时间：{escape(report.created_at)} · 版本：{escape(report.version)} ·
总体：<b style="color:{COLOURS[report.status]}">{LABELS[report.status]}</b></p>
<table><tr><th>检查项</th><th>结果</th><th>测量值</th><th>处理建议</th><th>用时（秒）</th></tr>
{"".join(rows)}
</table>
<p>摘要二维码（与屏幕上相同）：</p>
<img alt="诊断摘要二维码" src="data:image/png;base64,{qr}">
<pre>{escape(report.summary())}</pre>
<p><small>本报告不含任何个人信息。</small></p>
</body></html>
"""
