"""Write the enforcement documents' Word templates (docxtpl / Jinja tags) into the package.

Run once after changing the wording: `python scripts/make_docx_templates.py`. The .docx files
it writes are committed; offices may also edit them in Word (docxtpl keeps tags split across
runs working). Each tag sits in its own run here so the files stay easy to diff by text.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

OUT = Path(__file__).resolve().parents[1] / "src/benan/enforcement/templates/enforcement/docx"
FONT = "FangSong"  # 仿宋, the body font of official documents; Word falls back when missing


def _base() -> Document:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(14)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    return doc


def _centre(doc, text: str, size: int = 14, bold: bool = False) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)


def _right(doc, text: str) -> None:
    p = doc.add_paragraph(text)
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _heading(doc, text: str) -> None:
    p = doc.add_paragraph()
    p.add_run(text).bold = True


def penalty_decision() -> Document:
    doc = _base()
    _centre(doc, "{{ authority }}", 16, bold=True)
    _centre(doc, "行政处罚决定书", 22, bold=True)
    _centre(doc, "{{ decision_number }}")
    doc.add_paragraph("当事人：{{ enterprise.name }}")
    doc.add_paragraph("统一社会信用代码：{{ enterprise.uscc }}")
    doc.add_paragraph("地址：{{ enterprise.address }}")
    doc.add_paragraph("法定代表人（负责人）：{{ enterprise.legal_representative or '—' }}")
    doc.add_paragraph("案号：{{ case.number }}　案由：{{ case.cause }}")
    _heading(doc, "一、违法事实和证据")
    doc.add_paragraph("经查，{{ case.facts }}")
    doc.add_paragraph("以上事实有下列证据证明：{{ evidence }}。")
    _heading(doc, "二、告知和陈述申辩情况")
    doc.add_paragraph("{{ notice }}")
    _heading(doc, "三、处罚依据和处罚内容")
    doc.add_paragraph("根据下列规定，本机关决定给予如下行政处罚：")
    table = doc.add_table(rows=3, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("序号", "处罚对象", "处罚种类", "法律依据", "金额（元）"), strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for p in penalties %}"
    row = table.rows[2].cells
    row[0].text, row[1].text, row[2].text = "{{ p.order }}", "{{ p.party }}", "{{ p.kind }}"
    row[3].text, row[4].text = "{{ p.basis }}", "{{ p.amount }}"
    end = table.add_row().cells
    end[0].text = "{%tr endfor %}"
    doc.add_paragraph("罚没金额合计：{{ fines_total }} 元（大写：{{ fines_total_upper }}）。")
    doc.add_paragraph("{% if dual_penalty %}本案对当事单位及其有关责任人员同时给予罚款（一案双罚）。{% endif %}")
    _heading(doc, "四、履行方式和期限")
    doc.add_paragraph("{{ payment }}")
    _heading(doc, "五、救济途径")
    doc.add_paragraph(
        "当事人如不服本决定，可以在收到本决定书之日起六十日内依法申请行政复议，"
        "或者在六个月内依法向人民法院提起行政诉讼。行政复议或者行政诉讼期间，本决定不停止执行，法律另有规定的除外。"
    )
    doc.add_paragraph("")
    _right(doc, "{{ authority }}（印章）")
    _right(doc, "{{ decided_on }}")
    return doc


def suspension_order() -> Document:
    doc = _base()
    _centre(doc, "{{ authority }}", 16, bold=True)
    _centre(doc, "责令停产停业整顿指令书", 22, bold=True)
    _centre(doc, "{{ order.number }}")
    doc.add_paragraph("{{ enterprise.name }}（统一社会信用代码：{{ enterprise.uscc }}）：")
    doc.add_paragraph("经查，你单位{{ case.facts }}（案号：{{ case.number }}）。")
    doc.add_paragraph("依据{{ basis }}，现责令你单位自{{ start_date }}起停产停业整顿。")
    _heading(doc, "一、停产停业整顿范围")
    doc.add_paragraph("{{ order.scope }}")
    _heading(doc, "二、整顿要求和恢复生产条件")
    doc.add_paragraph("{{ order.lifting_conditions }}")
    _heading(doc, "三、复查和恢复生产")
    doc.add_paragraph(
        "整顿期间不得擅自恢复生产经营。整顿完成后，你单位应向本机关书面申请复查；"
        "经复查合格并书面同意后，方可恢复生产经营。"
    )
    _heading(doc, "四、救济途径")
    doc.add_paragraph(
        "如不服本指令，可以在收到本指令书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。"
    )
    doc.add_paragraph("")
    _right(doc, "{{ authority }}（印章）")
    _right(doc, "{{ ordered_on }}")
    return doc


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    penalty_decision().save(OUT / "penalty_decision.docx")
    suspension_order().save(OUT / "suspension_order.docx")
    print(f"templates written to {OUT}")


if __name__ == "__main__":
    main()
