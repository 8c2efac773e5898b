"""A generated disclosure as an Excel workbook, and fundflow's own workbook read back for checking.

Sheets: ``封面`` (unit and year), ``表一`` … ``表九`` (each: marker, title, 编制单位, 单位：万元, the grid in the
template's layout with its spanning header cells merged, notes), ``说明`` (第三部分, one paragraph per row) and
``名词解释``. Amounts are numeric cells with two decimals shown; blank cells stay empty. Reading turns each sheet
back into tab-joined lines with the sheet's row numbers (a merged cell reads as its text, then blanks) and uses the
text reader, so both formats are read by one parser.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import IO

from fundflow.core.disclosure.stated import Disclosure, TableKey
from fundflow.core.errors import Location, PlanError
from fundflow.io.disclosure_grid import layout
from fundflow.io.disclosure_text import Numbered, parse_disclosure
from fundflow.io.numbers import parse_decimal
from fundflow.io.xlsx_cells import cell_text, too_many_rows
from fundflow.io.xlsx_write import save_workbook

NARRATIVE_SHEET = "说明"
GLOSSARY_SHEET = "名词解释"
COVER_SHEET = "封面"


def _is_amount(text: str) -> bool:
    try:
        parse_decimal(text)
    except ValueError:
        return False
    return bool(text.strip())


def _amount_column(key: TableKey, index: int) -> bool:
    """Code cells (类/款/项, the first columns) stay text so ``05`` keeps its zero; amounts become numbers."""
    first = {TableKey.GPB_BASIC: 3, TableKey.GPB_PROJECT: 5, TableKey.OVERVIEW: 1, TableKey.FISCAL: 1}
    start = first.get(key, 0 if key is TableKey.THREE_PUBLIC else 4)
    if key in (TableKey.OVERVIEW, TableKey.FISCAL):
        return index == 1 or index >= 3
    return index >= start


def write_disclosure_xlsx(d: Disclosure, path: Path | IO[bytes]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = COVER_SHEET
    cover.append([d.unit])
    cover.append([f"{d.year}年预算公开"])
    for key in TableKey:
        table = d.tables.get(key)
        if table is None:
            continue
        ws = wb.create_sheet(key.number)
        ws.append([f"{key.number}："])
        ws.append([key.heading])
        ws["A2"].font = Font(bold=True)
        ws.append([f"编制单位：{d.unit}"])
        ws.append(["单位：万元"])
        drawn = layout(table)
        top = ws.max_row + 1
        for row in drawn.grid:
            cells: list[object] = [
                Decimal(c) if _is_amount(c) and _amount_column(key, i) else c for i, c in enumerate(row)
            ]
            ws.append(cells)
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, Decimal | float | int):
                    cell.number_format = "0.00"
        for r0, c0, r1, c1 in drawn.merges:
            ws.merge_cells(start_row=top + r0, start_column=1 + c0, end_row=top + r1, end_column=1 + c1)
            ws.cell(top + r0, 1 + c0).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for note in table.notes:
            ws.append([note])
        ws.column_dimensions["A"].width = 14
    notes = wb.create_sheet(NARRATIVE_SHEET)
    notes.append([f"第三部分 {d.year}年{d.unit}预算情况说明"])
    for p in d.paragraphs:
        if p.section != "概况":
            notes.append([p.text])
    glossary = wb.create_sheet(GLOSSARY_SHEET)
    glossary.append(["第四部分 名词解释"])
    for text in d.glossary:
        glossary.append([text])
    if isinstance(path, Path):
        path.parent.mkdir(parents=True, exist_ok=True)
    save_workbook(wb, path)


def read_disclosure_xlsx(
    path: Path | bytes, display_name: str | None = None, max_rows: int | None = None
) -> Disclosure:
    """Read a workbook written by :func:`write_disclosure_xlsx` (or one laid out the same way).

    ``path`` may be the file's bytes (a web upload, read without a temporary file); ``display_name`` is the name
    shown in messages instead of the path. An unreadable file is a Chinese message naming only the file.
    ``max_rows`` bounds the non-empty rows of all sheets together (a web upload's row limit).
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    name = display_name if display_name is not None else str(path)
    if isinstance(path, Path) and not path.exists():
        raise PlanError.single("file.missing", "文件不存在", Location(name))
    unreadable = PlanError.single(
        "file.type", "无法作为 Excel 文件读取（文件可能已损坏，或不是 .xlsx 格式）", Location(name)
    )
    try:
        wb = load_workbook(io.BytesIO(path) if isinstance(path, bytes) else path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError):
        raise unreadable from None
    try:
        lines: Numbered = []
        filled = 0
        for ws in wb.worksheets:
            for number, values in enumerate(ws.iter_rows(values_only=True), 1):
                cells = [cell_text(v) for v in values]
                while cells and not cells[-1]:
                    cells.pop()
                lines.append((number, "\t".join(cells)))
                filled += 1 if any(c.strip() for c in cells) else 0
                if max_rows is not None and filled > max_rows:
                    raise too_many_rows(name, max_rows)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError, EOFError):
        raise unreadable from None
    finally:
        wb.close()
    return parse_disclosure(lines, name)
