"""The 直达资金监控 table as an .xlsx workbook (amounts in 元, exact; progress as percent numbers).

Takes the monitoring JSON (``fundflow.ledger.monitoring.Monitor.as_json()``) so the page's export and
``fundflow monitor --format xlsx`` write the same file; saved through the formula-safe writer.
"""

from __future__ import annotations

from decimal import Decimal
from typing import IO, Any

from fundflow.io.xlsx_write import save_workbook

HEADERS = (
    ("code", "区划代码"),
    ("name", "地区"),
    ("level", "级次"),
    ("received", "上级下达"),
    ("allocated_own", "分配本级"),
    ("allocated_lower", "分配下级"),
    ("unallocated", "未分配"),
    ("spent_own", "本级支出"),
    ("spent_total", "支出合计（含下级）"),
    ("allocation_progress", "分配进度（%）"),
    ("spending_progress", "支出进度（%）"),
)
TEXT_KEYS = ("code", "name", "level")


def monitor_workbook(data: dict[str, Any], target: IO[bytes]) -> None:
    """Write the monitoring JSON as one sheet: a title, the unit line, the header row, one row per region."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "直达资金监控"
    ws.append([f"{data['year']}年 {data['fund']} 直达资金监控表"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"截止日期：{data['as_of']}", "", "", "单位：元"])
    ws.append([label for _, label in HEADERS])
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for row in data["regions"]:
        values: list[object] = []
        for key, _ in HEADERS:
            value = row[key]
            if key in TEXT_KEYS:
                values.append(value)
            elif value is None:
                values.append("—")
            else:
                values.append(Decimal(value))
        ws.append(values)
        for cell in ws[ws.max_row][3:9]:
            cell.number_format = "#,##0.00"
    ws.column_dimensions["B"].width = 24
    for col in "DEFGHIJK":
        ws.column_dimensions[col].width = 18
    save_workbook(wb, target)
