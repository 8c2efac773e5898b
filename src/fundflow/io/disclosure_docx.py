"""A generated disclosure as a Word document: 概况, the nine tables, 第三部分 and 名词解释.

Tables are drawn from the same grids as the XLSX (disclosure_grid.layout, with the same merged header cells), so
the two formats cannot differ. Body text uses 仿宋, headings 黑体 and the title 小标宋 (GB/T 9704 conventions);
full 公文 layout is not attempted.

Chinese typesetting, explicitly: python-docx's template says en-US text in theme fonts (whose east-Asian face is
Japanese), so a machine without 仿宋 — LibreOffice making the PDF on Linux — fell back to a Japanese CJK font and
drew the headings in Word's blue theme Heading style. Here the document language is zh-CN (docDefaults and the
theme-font language in settings), every style names its east-Asian font (w:rFonts w:eastAsia) instead of a theme
font, the font table gives each Chinese font its Windows name and the GB2312 character set so that a substitute is
chosen among Chinese fonts, headings are black, table header rows repeat on every page (w:tblHeader) and amounts
are right-aligned.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from fundflow.core.disclosure.stated import Disclosure, TableKey
from fundflow.io.disclosure_grid import layout

if TYPE_CHECKING:
    from docx.document import Document as DocumentObject
    from docx.section import Section

LANGUAGE = "zh-CN"
LATIN_FONT = "Times New Roman"
BODY_FONT = "仿宋"  # GB/T 9704: 仿宋 body text
HEADING_FONT = "黑体"  # 黑体 for 一级标题
TITLE_FONT = "方正小标宋简体"  # 小标宋 for the document title
# name → (Windows/Latin alternative name, family): entries for the font table, charset 86 = GB2312.
CHINESE_FONTS = {
    BODY_FONT: ("FangSong", "modern"),
    HEADING_FONT: ("SimHei", "modern"),
    TITLE_FONT: ("FZXiaoBiaoSong-B05S", "script"),
}
_AMOUNT = re.compile(r"^-?\d+\.\d+$")  # disclosure_grid.amount prints two decimals; codes (210, 11) have none
_THEME_FONT_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


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


def write_disclosure_docx(d: Disclosure, path: Path | IO[bytes]) -> None:
    """Write the Word package to a file, or to a binary stream (a web download: no temporary file)."""
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Document()
    _page(doc.sections[0], landscape=False)
    _chinese_defaults(doc)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(12)
    _fonts(normal.element.get_or_add_rPr(), BODY_FONT)
    _black_heading(doc)

    def centred(text: str, size: int = 16, bold: bool = True, font: str | None = None) -> None:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        run.bold = bold
        run.font.size = Pt(size)
        if font is not None:
            _fonts(run._r.get_or_add_rPr(), font)

    centred(d.unit, 20, bold=False, font=TITLE_FONT)
    centred(f"{d.year}年预算公开", 20, bold=False, font=TITLE_FONT)
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
        for i, (table_row, row) in enumerate(zip(t.rows, grid, strict=True)):
            header = i < drawn.header
            if header:
                _repeat_header(table_row._tr)
            # One pass over each row's cells: ``t.cell(i, j)`` rebuilds the whole grid per call (quadratic).
            for cell, text in zip(table_row.cells, row, strict=False):
                if not text:
                    continue  # an untouched cell stays empty, so merging a header cell over it adds no blank lines
                cell.text = text
                for para in cell.paragraphs:
                    if header:
                        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    elif _AMOUNT.match(text):
                        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
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
    if isinstance(path, Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        doc.save(str(path))
    else:
        doc.save(path)


def _fonts(rpr: Any, east_asian: str) -> None:
    """Name the fonts of a run or style explicitly: Latin digits in Times New Roman, Chinese in ``east_asian``.

    Theme-font attributes are removed because they take precedence over the explicit names."""
    from docx.oxml.ns import qn

    rfonts = rpr.get_or_add_rFonts()
    for attr in _THEME_FONT_ATTRS:
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), LATIN_FONT)
    rfonts.set(qn("w:hAnsi"), LATIN_FONT)
    rfonts.set(qn("w:eastAsia"), east_asian)
    rfonts.set(qn("w:hint"), "eastAsia")


def _chinese_defaults(doc: DocumentObject) -> None:
    """zh-CN as the language of every run and of the theme fonts; 仿宋 as the default east-Asian font; Chinese
    fonts in the font table with the GB2312 charset, so that a missing font is replaced by a Chinese one."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from lxml import etree  # type: ignore[import-untyped]

    styles = doc.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr, BODY_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)
    theme_lang = doc.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), LANGUAGE)
        theme_lang.set(qn("w:eastAsia"), LANGUAGE)
    for part in doc.part.package.iter_parts():
        if str(part.partname) == "/word/fontTable.xml":
            table = etree.fromstring(part.blob)
            for name, (alt, family) in CHINESE_FONTS.items():
                font = etree.SubElement(table, qn("w:font"), {qn("w:name"): name})
                etree.SubElement(font, qn("w:altName"), {qn("w:val"): alt})
                etree.SubElement(font, qn("w:charset"), {qn("w:val"): "86"})
                etree.SubElement(font, qn("w:family"), {qn("w:val"): family})
                etree.SubElement(font, qn("w:pitch"), {qn("w:val"): "variable"})
            # A generic part keeps its bytes; python-docx has no API for the font table.
            part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def _black_heading(doc: DocumentObject) -> None:
    """标题 1 as a 公文 heading: 黑体 三号 (16 pt), black, not bold — not Word's blue theme Heading."""
    from docx.shared import Pt, RGBColor

    style = doc.styles["Heading 1"]
    _fonts(style.element.get_or_add_rPr(), HEADING_FONT)
    style.font.color.rgb = RGBColor(0, 0, 0)
    style.font.bold = False
    style.font.size = Pt(16)


def _repeat_header(tr: Any) -> None:
    """Mark a table row as a header row, repeated at the top of every page the table runs onto."""
    from docx.oxml import OxmlElement

    tr_pr = tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))
