"""Reading an indicator import file (指标导入): bytes in, typed rows and every problem out, nothing raised for a
bad cell so the whole file is reported at once.

Columns by Chinese header or the 一体化 field code (case-insensitive); see docs/cli.md. Region, unit and marker
names are resolved by the service (they need the database), so a row keeps them as written.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from fundflow.core.errors import Location, Problem
from fundflow.io.numbers import parse_decimal
from fundflow.io.table_file import Column, TableRow, read_table
from fundflow.io.xlsx_write import formula_like, formula_problem

COLUMNS = (
    Column("bgt_id", "指标编号", ("BGT_ID",)),
    Column("ori_bgt_id", "上级指标编号", ("ORI_BGT_ID",), required=False),
    Column("doc_no", "文号", ("COR_BGT_DOC_NO",)),
    Column("doc_date", "发文日期", ("DOC_DATE",)),
    Column("issuer", "下达方", ("MOF_DIV_CODE",)),
    Column("recipient", "接收方", ("REC_DIV_CODE",)),
    Column("fund", "资金名称", ("FUND_NAME",)),
    Column("project_name", "项目名称", ("PRO_NAME",), required=False),
    Column("fiscal_year", "预算年度", ("FISCAL_YEAR",)),
    Column("amount", "金额", ("AMOUNT", "金额（元）", "金额(元)")),
    Column("marker", "直达资金标识", ("DIRECT_FUND_MARK",), required=False),
    Column("income_code", "收入科目", ("INCOME_CODE",), required=False),
    Column("exp_func_code", "支出功能科目", ("EXP_FUNC_CODE",)),
    Column("eco_code", "经济科目", ("GOV_ECO_CODE",), required=False),
    Column("advance", "提前下达", ("IS_ADVANCE",), required=False),
)
HEADERS = {c.key: c.header for c in COLUMNS}
_REQUIRED_CELLS = ("bgt_id", "doc_no", "doc_date", "issuer", "recipient", "fund", "fiscal_year", "amount")
# The cells kept as text (amounts, dates and years are parsed: a negative amount is a number, not a formula).
_TEXT_CELLS = (
    "bgt_id",
    "ori_bgt_id",
    "doc_no",
    "issuer",
    "recipient",
    "fund",
    "project_name",
    "marker",
    "income_code",
    "exp_func_code",
    "eco_code",
)
_YES = {"是", "Y", "YES", "1", "TRUE"}
_NO = {"否", "N", "NO", "0", "FALSE", ""}


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    """One row, typed. Amounts in 元; ``marker`` as written ("01 中央直达资金", blank = not a direct fund)."""

    file: str
    row: TableRow
    bgt_id: str
    ori_bgt_id: str
    doc_no: str
    doc_date: datetime.date
    issuer: str
    recipient: str
    fund: str
    project_name: str
    fiscal_year: int
    amount: Decimal
    marker: str
    income_code: str
    exp_func_code: str
    eco_code: str
    advance: bool

    @property
    def number(self) -> int:
        return self.row.number

    def at(self, key: str) -> Location:
        return self.row.at(self.file, key, HEADERS[key])


def read_indicators(
    content: bytes, filename: str, max_rows: int | None = None
) -> tuple[list[IndicatorRow], list[Problem]]:
    """Every row that parses, and one problem per bad cell (file, row and column named)."""
    rows, problems = read_table(content, filename, COLUMNS, max_rows)
    if problems:
        return [], problems
    parsed = []
    for row in rows:
        before = len(problems)
        value = _row(row, filename, problems)
        if value is not None and len(problems) == before:
            parsed.append(value)
    return parsed, problems


def _row(row: TableRow, file: str, problems: list[Problem]) -> IndicatorRow | None:
    cells = row.cells

    def at(key: str) -> Location:
        return row.at(file, key, HEADERS[key])

    for key in _REQUIRED_CELLS:
        if not cells.get(key):
            problems.append(Problem("input.required", "单元格为空，此列必须填写", at(key)))
    if any(not cells.get(k) for k in _REQUIRED_CELLS):
        return None
    for key in _TEXT_CELLS:  # stored and shown on ledger pages and exports: refused on entry like other imports
        if formula_like(text := cells.get(key, "")):
            problems.append(formula_problem("input.formula-text", text, at(key)))
    doc_date = _date(cells["doc_date"])
    if doc_date is None:
        problems.append(
            Problem("input.not-date", f"应为日期（如 2021-01-08），实为“{cells['doc_date']}”", at("doc_date"))
        )
    year_text = cells["fiscal_year"].removesuffix(".0")
    if not (year_text.isdigit() and len(year_text) == 4):
        problems.append(
            Problem("input.not-number", f"预算年度应为四位年份，实为“{cells['fiscal_year']}”", at("fiscal_year"))
        )
    try:
        amount = parse_decimal(cells["amount"])
    except ValueError:
        problems.append(Problem("input.not-number", f"应为数字，实为“{cells['amount']}”", at("amount")))
        amount = Decimal(0)
    if amount != amount.quantize(Decimal("0.01")):
        problems.append(
            Problem("input.too-many-places", f"金额以元计，最多两位小数，实为“{cells['amount']}”", at("amount"))
        )
    advance_text = cells.get("advance", "").upper()
    if advance_text not in _YES | _NO:
        problems.append(Problem("input.not-yes-no", f"应填“是”或“否”，实为“{cells['advance']}”", at("advance")))
    if doc_date is None or not year_text.isdigit():
        return None
    return IndicatorRow(
        file=file,
        row=row,
        bgt_id=cells["bgt_id"],
        ori_bgt_id=cells.get("ori_bgt_id", ""),
        doc_no=cells["doc_no"],
        doc_date=doc_date,
        issuer=cells["issuer"],
        recipient=cells["recipient"],
        fund=cells["fund"],
        project_name=cells.get("project_name", ""),
        fiscal_year=int(year_text),
        amount=amount.quantize(Decimal("0.01")),
        marker=" ".join(cells.get("marker", "").split()),
        income_code=cells.get("income_code", ""),
        exp_func_code=cells.get("exp_func_code", ""),
        eco_code=cells.get("eco_code", ""),
        advance=advance_text in _YES,
    )


def _date(text: str) -> datetime.date | None:
    """2021-01-08, 2021/1/8, 2021.1.8, 2021年1月8日, 20210108 or an Excel datetime's ISO text."""
    cleaned = text.split("T")[0].split(" ")[0]
    for sep in ("-", "/", "."):
        cleaned = cleaned.replace(sep, "-")
    cleaned = cleaned.replace("年", "-").replace("月", "-").replace("日", "")
    if cleaned.isdigit() and len(cleaned) == 8:
        cleaned = f"{cleaned[:4]}-{cleaned[4:6]}-{cleaned[6:]}"
    parts = cleaned.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    try:
        return datetime.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None
