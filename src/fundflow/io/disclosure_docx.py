"""A generated disclosure as a Word document: 概况, the nine tables, 第三部分 and 名词解释.

Tables are drawn from the same grids as the XLSX (disclosure_grid.layout, with the same merged header cells), so
the two formats cannot differ. Body text uses 仿宋 and headings 黑体 (GB/T 9704 conventions); full 公文 layout is
not attempted.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from fundflow.core.disclosure.stated import Disclosure, TableKey
from fundflow.io.disclosure_grid import layout

if TYPE_CHECKING:
    from docx.section import Section


def _page(section: Section, *, landscape: bool) -> None:
    """A4 (python-docx defaults to US Letter) with GB/T 9704 margins; the tables part is landscape so that the
    widest tables (表七 has 16 columns) do not wrap their figures."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    long, short = Mm(297), Mm(210)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    if landscape:
        section.top_margin, section.bottom_margin = Mm(20), Mm(20)
        section.left_margin, section.right_margin = Mm(20), Mm(20)
    else:
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)


def write_disclosure_docx(d: Disclosure, path: Path) -> None:
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    _page(doc.sections[0], landscape=False)
    normal = doc.styles["Normal"]
    normal.font.name = "FangSong"
    normal.font.size = Pt(12)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")

    def centred(text: str, size: int = 16, bold: bool = True) -> None:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        run.bold = bold
        run.font.size = Pt(size)

    centred(d.unit, 20)
    centred(f"{d.year}年预算公开", 20)
    doc.add_heading(f"第一部分 {d.unit}概况", level=1)
    for p in d.paragraphs:
        if p.section == "概况":
            doc.add_paragraph(p.text)
    _page(doc.add_section(WD_SECTION.NEW_PAGE), landscape=True)
    doc.add_heading(f"第二部分 {d.year}年{d.unit}预算公开表", level=1)
    for key in TableKey:
        table = d.tables.get(key)
        if table is None:
            continue
        doc.add_paragraph(f"{key.number}：")
        centred(key.heading, 14)
        doc.add_paragraph(f"编制单位：{d.unit}　　　　单位：万元")
        drawn = layout(table)
        grid = drawn.grid
        width = max(len(r) for r in grid)
        t = doc.add_table(rows=len(grid), cols=width)
        t.style = "Table Grid"
        for table_row, row in zip(t.rows, grid, strict=True):
            # One pass over each row's cells: ``t.cell(i, j)`` rebuilds the whole grid per call (quadratic).
            for cell, text in zip(table_row.cells, row, strict=False):
                if not text:
                    continue  # an untouched cell stays empty, so merging a header cell over it adds no blank lines
                cell.text = text
                for para in cell.paragraphs:
                    for run in para.runs:
                        run.font.size = Pt(8)
        for r0, c0, r1, c1 in drawn.merges:
            t.cell(r0, c0).merge(t.cell(r1, c1))
        for note in table.notes:
            doc.add_paragraph(note)
    _page(doc.add_section(WD_SECTION.NEW_PAGE), landscape=False)
    doc.add_heading(f"第三部分 {d.year}年{d.unit}预算情况说明", level=1)
    for p in d.paragraphs:
        if p.section != "概况":
            doc.add_paragraph(p.text)
    doc.add_heading("第四部分 名词解释", level=1)
    for text in d.glossary:
        doc.add_paragraph(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
