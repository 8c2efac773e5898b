"""Every workbook fundflow writes keeps user text as text: a name beginning with = is never a live formula."""

import re
import zipfile
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from fundflow.io.xlsx_write import FORMULA_TRIGGERS, formula_like, save_workbook

SRC = Path(__file__).resolve().parents[2] / "src" / "fundflow"

DANGEROUS = [
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-1+1",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
]


def sheet_xml(path, sheet=1):
    with zipfile.ZipFile(path) as z:
        return z.read(f"xl/worksheets/sheet{sheet}.xml").decode("utf-8")


def cell_xml(xml, ref):
    match = re.search(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', xml, re.S)
    assert match is not None, ref
    return match.group(0)


@pytest.mark.parametrize("text", DANGEROUS)
def test_each_dangerous_prefix_is_saved_as_a_string_with_its_text_intact(text, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws["A1"] = text
    ws.append(["名称", text])
    path = tmp_path / "t.xlsx"
    save_workbook(wb, path)
    xml = sheet_xml(path)
    for ref in ("A1", "B2"):
        cell = cell_xml(xml, ref)
        assert "<f>" not in cell, cell
        assert 't="inlineStr"' in cell, cell
    back = load_workbook(path)
    for ref in ("A1", "B2"):
        cell = back.active[ref]
        assert cell.data_type == "s"
        assert cell.value == text
        assert cell.quotePrefix is True  # Excel keeps it text even when the cell is edited


def test_numbers_stay_numbers_and_plain_text_gets_no_prefix(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["额敏县", D("-12.5"), 48, "备注 = 说明"])
    path = tmp_path / "t.xlsx"
    save_workbook(wb, path)
    back = load_workbook(path).active
    assert [c.data_type for c in back[1]] == ["s", "n", "n", "s"]
    assert [c.value for c in back[1]] == ["额敏县", -12.5, 48, "备注 = 说明"]
    assert not back["A1"].quotePrefix


def test_the_prefix_set_follows_owasp():
    assert {"=", "+", "-", "@", "\t", "\r"} <= set(FORMULA_TRIGGERS)
    assert [formula_like(t) for t in ("-12.5", "=1", "额敏县", "", "1-2", "备注=")] == [True, True] + [False] * 4


def test_no_writer_saves_a_workbook_around_the_helper():
    """Every .xlsx writer goes through save_workbook (a direct wb.save would skip the neutralising)."""
    offenders = [
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if p.name != "xlsx_write.py" and re.search(r"\bwb\.save\(", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_allocation_export_writes_an_injected_name_and_note_as_text(tmp_path):
    """Plan files given to the CLI are not refused: the writer alone must keep the cells inert."""
    from typer.testing import CliRunner

    from fundflow.cli import app

    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "title: 注入测试\nunit: 万元\ntotal: 10\nmethod: fixed\nrounding: {places: 2}\n"
        "recipients:\n"
        '  - {name: \'=HYPERLINK("http://x","y")\', amount: 10, note: "=cmd|\' /C calc\'!A0"}\n',
        encoding="utf-8",
    )
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(app, ["allocate", str(plan), "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "<f>" not in sheet_xml(out)
    ws = load_workbook(out).active
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    name = cells['=HYPERLINK("http://x","y")']
    assert (name.data_type, name.quotePrefix) == ("s", True)
    assert {c.value for c in ws[name.row] if isinstance(c.value, float | int)} == {10}  # amounts stay numbers


def test_disclosure_and_budget_workbooks_keep_injected_text_inert(tmp_path):
    import dataclasses

    from fundflow.io.disclosure_budget import parse_budget
    from fundflow.io.disclosure_budget_xlsx import budget_template_bytes
    from fundflow.reference import catalogue
    from tests.conftest import EXAMPLES

    text = (EXAMPLES / "akto-2021-medical-security-budget.yaml").read_text(encoding="utf-8")
    budget = parse_budget(text, "b.yaml", catalogue(2021))
    budget = dataclasses.replace(budget, functions=('=HYPERLINK("http://x","y")', *budget.functions[1:]))
    path = tmp_path / "budget.xlsx"
    path.write_bytes(budget_template_bytes(budget))
    wb = load_workbook(path)
    cell = wb["主要职能"]["A2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == ('=HYPERLINK("http://x","y")', "s", True)
    with zipfile.ZipFile(path) as z:
        assert not [n for n in z.namelist() if n.startswith("xl/worksheets/") and b"<f>" in z.read(n)]
