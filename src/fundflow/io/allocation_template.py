"""The allocation template workbook (分组, 名称, the method's input columns, 备注) and the reader of its uploads.

Both work on bytes: the writer returns the workbook, the reader takes the uploaded file's content and returns the
recipients with the problems found — never a temporary file, and each upload is parsed once.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from fundflow.core.allocation.columns import column_label, input_columns, optional_columns
from fundflow.core.errors import Location, PlanError, Problem
from fundflow.core.plan import Plan, Recipient
from fundflow.io.recipients_file import RESERVED, iter_csv_rows, recipients_from_rows


@dataclass(frozen=True)
class TemplateRow:
    """One stored recipient as the template shows it (input values as decimal text)."""

    group: str
    name: str
    values: Mapping[str, str]
    note: str


def template_workbook(spec: Plan, rows: Iterable[TemplateRow]) -> bytes:
    """An Excel template: 分组, 名称 and the method's input columns, pre-filled with ``rows``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from fundflow.io.xlsx_write import save_workbook

    columns = input_columns(spec)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "分配对象"
    ws.append(["分组", "名称", *[column_label(spec, c) for c in columns], "备注"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([r.group, r.name, *[_number(r.values.get(c)) for c in columns], r.note])
    buffer = io.BytesIO()
    save_workbook(wb, buffer)
    return buffer.getvalue()


def _number(text: str | None) -> int | float | str | None:
    """Template cells: whole numbers as ints; other decimals as text so Excel cannot alter them."""
    if text is None:
        return None
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else text


@dataclass(frozen=True)
class UploadRead:
    """What an upload holds: its recipients, or why it is refused (``refusal``, with the problems behind it)."""

    recipients: tuple[Recipient, ...] = ()
    refusal: str = ""
    problems: tuple[Problem, ...] = ()


class _Refused(Exception):
    def __init__(self, refusal: str, problems: Iterable[Problem] = ()) -> None:
        self.read = UploadRead(refusal=refusal, problems=tuple(problems))


def iter_upload(filename: str, content: bytes) -> Iterator[list[str]]:
    """The rows of an uploaded .xlsx (first sheet) or .csv (UTF-8 or GBK), streamed; PlanError when unreadable."""
    from fundflow.io.xlsx_cells import iter_first_sheet

    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        return iter_csv_rows(content, filename)
    if suffix != ".xlsx":
        raise _Refused(f"文件 {filename} 应为 .xlsx 或 .csv")
    return iter_first_sheet(content, display_name=filename)


def read_upload_rows(
    filename: str, content: bytes, max_rows: int, check_header: Callable[[list[str], int], None] | None = None
) -> list[list[str]]:
    """All rows of an upload, at most ``max_rows`` data rows. ``check_header`` sees the header row (cells, row
    number) before any data row is read, so a wrong header is reported at once however long the file is."""
    rows: list[list[str]] = []
    header_seen = False
    data_rows = 0
    try:
        for number, row in enumerate(iter_upload(filename, content), start=1):
            rows.append(row)
            if not any(c.strip() for c in row):
                continue
            if not header_seen:
                header_seen = True
                if check_header is not None:
                    check_header(row, number)
                continue
            data_rows += 1
            if data_rows > max_rows:
                raise _Refused(
                    f"{filename} 的数据超过 {max_rows} 行（单次上传上限），未导入任何数据。"
                    "请删去多余的行；确需更多行请联系系统管理员调整上限。"
                )
    except PlanError as exc:
        raise _Refused(f"无法读取 {filename}", exc.problems) from None
    return rows


def _header_check(spec: Plan, aliases: dict[str, str], filename: str) -> Callable[[list[str], int], None]:
    """A check that the header names every column the method needs, reported once with the expected header."""
    optional = optional_columns(spec)
    required = [c for c in input_columns(spec) if c not in optional]

    def check(cells: list[str], number: int) -> None:
        keys = {aliases.get(c.strip(), c.strip()) for c in cells}
        present = keys | {RESERVED[k] for k in keys if k in RESERVED}
        missing = (["名称"] if "name" not in present else []) + [
            column_label(spec, c) for c in required if c not in present
        ]
        if not missing:
            return
        expected = ["分组（可选）", "名称"]
        expected += [column_label(spec, c) + ("（可选）" if c in optional else "") for c in input_columns(spec)]
        expected.append("备注（可选）")
        message = f"表头不符：缺少列{'、'.join(f'“{m}”' for m in missing)}；应有列：{'、'.join(expected)}"
        raise _Refused(
            f"{filename} {message}。请下载模板填写后重新上传，未导入任何数据。",
            [Problem("file.header", message, Location(filename, number))],
        )

    return check


def read_recipients_upload(spec: Plan, filename: str, content: bytes, *, max_rows: int) -> UploadRead:
    """The recipients of an uploaded template (or any file with the method's columns, by label or key)."""
    aliases = {column_label(spec, c): c for c in input_columns(spec)}
    try:
        rows = read_upload_rows(filename, content, max_rows, _header_check(spec, aliases, filename))
    except _Refused as refused:
        return refused.read
    try:
        parsed = recipients_from_rows(rows, filename, aliases=aliases, optional=optional_columns(spec))
    except PlanError as exc:
        return UploadRead(refusal=f"{filename} 有 {len(exc.problems)} 处错误，未导入任何数据", problems=exc.problems)
    if not parsed:
        return UploadRead(refusal=f"{filename} 中没有分配对象（只有表头），未作任何修改")
    return UploadRead(recipients=tuple(parsed))
