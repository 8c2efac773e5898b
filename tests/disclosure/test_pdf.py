"""PDF output: the Word package converted by headless LibreOffice, text (Chinese included) readable back."""

from pathlib import Path

from pypdf import PdfReader
from typer.testing import CliRunner

from fundflow.cli import app
from fundflow.io.pdf import soffice

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "akto-2021-medical-security-budget.yaml"


def test_libreoffice_is_installed():
    # CI installs it (scripts/system-deps.sh); a missing converter must fail loudly, not skip.
    assert soffice() is not None, "apt-get install libreoffice-writer-nogui"


def test_generate_pdf_holds_the_tables_and_narrative(tmp_path):
    out = tmp_path / "akto.pdf"
    result = CliRunner().invoke(app, ["disclosure", "generate", str(EXAMPLE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert "阿克陶县医疗保障局" in text
    assert "单位收支总体情况表" in text
    assert "1051.79" in text
    assert "1009.21" in text
    assert "名词解释" in text


def test_pdf_without_libreoffice_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr("fundflow.io.pdf.soffice", lambda: None)
    result = CliRunner().invoke(app, ["disclosure", "generate", str(EXAMPLE), "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2
    assert "未安装 LibreOffice" in result.output


def test_pages_are_a4_and_tables_landscape(tmp_path):
    out = tmp_path / "akto.pdf"
    assert CliRunner().invoke(app, ["disclosure", "generate", str(EXAMPLE), "-o", str(out)]).exit_code == 0
    sizes = [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in PdfReader(out).pages]
    assert sizes[0] == (595, 842)  # A4 portrait, in points
    assert (842, 595) in sizes  # the tables part is A4 landscape
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert "10.20" in text  # 表七's figures do not wrap


def test_check_refuses_word_and_files_without_tables(tmp_path):
    docx = tmp_path / "a.docx"
    docx.write_bytes(b"PK")
    result = CliRunner().invoke(app, ["disclosure", "check", str(docx)])
    assert result.exit_code == 2
    assert "应为 fundflow 生成的 Excel" in result.output
    text = tmp_path / "notes.txt"
    text.write_text("某单位2021年预算公开\n没有表格的说明文字。\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["disclosure", "check", str(text)])
    assert result.exit_code == 2
    assert "没有找到公开表" in result.output
