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
