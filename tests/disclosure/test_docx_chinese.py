"""The disclosure Word document and PDF are typeset as Chinese: zh-CN language, explicit east-Asian fonts, black
headings, repeated table header rows, right-aligned amounts, and Simplified Chinese glyphs in the PDF."""

from __future__ import annotations

import re

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from pypdf import PdfReader
from typer.testing import CliRunner

from fundflow.cli import app
from tests.disclosure.conftest import AKTO_BUDGET

AMOUNT = re.compile(r"^-?\d+\.\d+$")


@pytest.fixture(scope="module")
def docx_path(tmp_path_factory):
    out = tmp_path_factory.mktemp("docx") / "akto.docx"
    result = CliRunner().invoke(app, ["disclosure", "generate", str(AKTO_BUDGET), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_document_language_and_default_fonts_are_chinese(docx_path):
    doc = Document(str(docx_path))
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    assert lang.get(qn("w:eastAsia")) == "zh-CN"
    assert lang.get(qn("w:val")) == "zh-CN"
    fonts = rpr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋"
    assert fonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would override the explicit name
    assert doc.settings.element.find(qn("w:themeFontLang")).get(qn("w:eastAsia")) == "zh-CN"
    normal = doc.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋"


def test_font_table_declares_chinese_fonts_with_gb2312(docx_path):
    from zipfile import ZipFile

    from lxml import etree

    table = etree.fromstring(ZipFile(docx_path).read("word/fontTable.xml"))
    declared = {f.get(qn("w:name")): f for f in table.findall(qn("w:font"))}
    for name, alt in (("仿宋", "FangSong"), ("黑体", "SimHei"), ("方正小标宋简体", "FZXiaoBiaoSong-B05S")):
        assert declared[name].find(qn("w:altName")).get(qn("w:val")) == alt
        assert declared[name].find(qn("w:charset")).get(qn("w:val")) == "86"


def test_headings_are_black_heiti_not_the_blue_theme_heading(docx_path):
    doc = Document(str(docx_path))
    heading = next(p for p in doc.paragraphs if p.text.startswith("第一部分"))
    style = heading.style
    assert style.name == "Heading 1"
    color = style.element.rPr.find(qn("w:color"))
    assert color.get(qn("w:val")) == "000000"
    assert color.get(qn("w:themeColor")) is None
    fonts = style.element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "黑体"
    assert fonts.get(qn("w:eastAsiaTheme")) is None
    title = doc.paragraphs[0]
    assert title.text == "阿克陶县医疗保障局"
    assert title.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"


def test_table_header_rows_repeat_and_amounts_are_right_aligned(docx_path):
    doc = Document(str(docx_path))
    assert len(doc.tables) == 9
    amounts = 0
    for table in doc.tables:
        repeated = [row._tr.trPr is not None and row._tr.trPr.find(qn("w:tblHeader")) is not None for row in table.rows]
        header_rows = repeated.index(False)
        assert header_rows >= 1
        assert not any(repeated[header_rows:]), "only the leading header rows repeat"
        for row in table.rows[header_rows:]:
            for cell in row.cells:
                text = cell.text.strip()
                if AMOUNT.match(text):
                    amounts += 1
                    assert cell.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT, text
                elif text and not text.isdigit():
                    assert cell.paragraphs[0].alignment != WD_ALIGN_PARAGRAPH.RIGHT, text
    assert amounts > 100
    basic = doc.tables[5]  # 表六：一般公共预算基本支出情况表 has three header rows
    first_data = basic.rows[3]
    assert first_data.cells[0].paragraphs[0].alignment is None  # the 类 code keeps the default alignment


# Noto Sans CJK is installed as one collection (.ttc) whose faces share one CFF table, so the PDF's font names say
# "jp" whichever face is used; the face shows in the glyph chosen for characters whose forms differ by region.
# Glyph ids of Noto Sans CJK 2.x (Debian fonts-noto-cjk) for the SC face; JP and TC use the neighbouring ids.
SC_GLYPHS = {"医": "cid11636", "第": "cid29805", "入": "cid10893", "名": "cid11955"}
OTHER_FACES = {"医": {"cid11635", "cid11637"}, "第": {"cid29804", "cid29806"}, "入": {"cid10892"}, "名": {"cid11954"}}


def _glyphs(pdf) -> dict[str, set[str]]:
    """Character → glyph names used for it in the embedded Noto Sans CJK Regular subsets."""
    used: dict[str, set[str]] = {}
    for page in PdfReader(pdf).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            name = str(font["/BaseFont"]).split("+")[-1]
            program = font["/FontDescriptor"].get_object().get("/FontFile")
            if not name.startswith("NotoSansCJK") or "-Regular" not in name or program is None:
                continue
            clear = program.get_data()[: program["/Length1"]].decode("latin1")
            encoding = {int(code): glyph for code, glyph in re.findall(r"dup (\d+) /(\S+) put", clear)}
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin1")
            for code, uni in re.findall(r"<([0-9A-F]{2})> <([0-9A-F]{4})>", cmap):
                used.setdefault(chr(int(uni, 16)), set()).add(encoding.get(int(code, 16), ""))
    return used


def test_pdf_uses_simplified_chinese_glyphs(tmp_path):
    out = tmp_path / "akto.pdf"
    result = CliRunner().invoke(app, ["disclosure", "generate", str(AKTO_BUDGET), "-o", str(out)])
    assert result.exit_code == 0, result.output
    names = {str(f.get_object()["/BaseFont"]) for p in PdfReader(out).pages for f in p["/Resources"]["/Font"].values()}
    assert any("CJK" in n for n in names), names
    used = _glyphs(out)
    for char, glyph in SC_GLYPHS.items():
        assert char in used, char
        assert glyph in used[char], (char, used[char])
        assert not used[char] & OTHER_FACES[char], (char, used[char])
