"""Write an allocation table to .xlsx in the notices' layout (openpyxl).

Values, never formulas (a sheet opened without recalculation shows the same figures; text cells are saved as
text, see ``xlsx_write``); numbers stay numbers
with a format fixed to the plan's places; header rows are merged like the printed form and repeat on every
printed page; 合计 and 小计 rows are bold.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from fundflow.io.layout import Layout, RowStyle
from fundflow.io.xlsx_write import save_workbook

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def write_xlsx(layout: Layout, path: Path | IO[bytes], sheet: str = "分配表") -> None:
    """Write the table to a file, or to a binary stream (a web download: no temporary file)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet[:31]
    width = layout.width
    ws.cell(1, 1, layout.title).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = _CENTER
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(2, width, layout.unit_line).alignment = Alignment(horizontal="right")
    head, sub = 3, 4
    for span in layout.spans:
        col = span.start + 1
        ws.cell(head, col, span.text)
        covers_both = span.width == 1 and not layout.labels[span.start]
        if covers_both:
            ws.merge_cells(start_row=head, start_column=col, end_row=sub, end_column=col)
        elif span.width > 1:
            ws.merge_cells(start_row=head, start_column=col, end_row=head, end_column=col + span.width - 1)
    for i, label in enumerate(layout.labels, start=1):
        if label:
            ws.cell(sub, i, label)
    for r in (head, sub):
        for c in range(1, width + 1):
            cell = ws.cell(r, c)
            cell.alignment = _CENTER
            cell.border = _BORDER
            cell.font = Font(bold=True)
    number_format = "0" if layout.places == 0 else "0." + "0" * layout.places
    amount_cols = set(layout.amount_columns)
    for offset, row in enumerate(layout.rows):
        r = sub + 1 + offset
        bold = row.style is not RowStyle.LINE
        for c, (text, value) in enumerate(zip(row.cells, row.numbers, strict=True), start=1):
            cell = ws.cell(r, c, value if value is not None else (text or None))
            cell.border = _BORDER
            if value is not None:
                # Money at the plan's places; counts and percentages as entered (General keeps 41.35 and 1.25).
                cell.number_format = number_format if (c - 1) in amount_cols else "General"
                cell.alignment = Alignment(horizontal="right")
            if bold:
                cell.font = Font(bold=True)
    last = sub + len(layout.rows)
    for k, note in enumerate(layout.notes, start=1):
        ws.cell(last + 1 + k, 1, f"注：{note}")
    for c in range(1, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 22 if c <= layout.name_columns else 14
    ws.row_dimensions[sub].height = 60
    ws.freeze_panes = f"{get_column_letter(layout.name_columns + 1)}{sub + 1}"
    ws.print_title_rows = f"{head}:{sub}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    if ws.sheet_properties.pageSetUpPr is not None:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToHeight = 0
    if isinstance(path, Path):
        path.parent.mkdir(parents=True, exist_ok=True)
    save_workbook(wb, path)
