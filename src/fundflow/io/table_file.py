"""Reading an import table (CSV or XLSX, header row first) whose columns are known by a Chinese header or a
national field code alias (一体化 data elements such as BGT_ID): bytes in, rows of text by column key out.

Shared by the indicator and reference-data imports so every one of them accepts the same files: UTF-8 or GBK
CSV (``fundflow.io.encoding``), the first sheet of an .xlsx, blank rows skipped without renumbering (an error
names the row a user sees in Excel).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from fundflow.core.errors import Location, PlanError, Problem


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    header: str  # the Chinese header (also how errors name the column)
    aliases: tuple[str, ...] = ()
    required: bool = True


@dataclass(frozen=True, slots=True)
class TableRow:
    number: int  # the file's own row number
    cells: Mapping[str, str]  # column key → stripped text ("" when blank or absent)
    columns: Mapping[str, int]  # column key → 1-based column number in the file

    def at(self, file: str, key: str, header: str) -> Location:
        col = self.columns.get(key)
        return Location(file, self.number, f"{header}（第 {col} 列）" if col else header)


def raw_rows(content: bytes, filename: str, max_rows: int | None = None) -> Iterator[list[str]]:
    """The rows of a .csv or .xlsx file as text; a file of another type is a Chinese error."""
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix == "csv":
        from fundflow.io.recipients_file import iter_csv_rows

        rows: Iterable[list[str]] = iter_csv_rows(content, filename)
    elif suffix in ("xlsx", "xlsm"):
        from fundflow.io.xlsx_cells import iter_first_sheet

        rows = iter_first_sheet(content, filename)
    else:
        raise PlanError.single("file.type", "导入文件应为 .csv 或 .xlsx", Location(filename))
    data = 0
    for row in rows:
        if any(c.strip() for c in row):
            data += 1
            if max_rows is not None and data > max_rows + 1:
                from fundflow.io.xlsx_cells import too_many_rows

                raise too_many_rows(filename, max_rows)
        yield row


def read_table(
    content: bytes, filename: str, columns: Iterable[Column], max_rows: int | None = None
) -> tuple[list[TableRow], list[Problem]]:
    """Rows keyed by column, and the problems of the header (missing required, repeated, unknown columns are
    ignored so an export with extra columns still imports). Undecodable or unreadable files raise PlanError."""
    spec = list(columns)
    names = {}
    for c in spec:
        for name in (c.header, c.key, *c.aliases):
            names[name.strip().upper()] = c
    numbered = ((i, r) for i, r in enumerate(raw_rows(content, filename, max_rows), start=1))
    numbered_rows = [(i, r) for i, r in numbered if any(c.strip() for c in r)]
    if not numbered_rows:
        raise PlanError.single("file.empty", "导入文件为空", Location(filename))
    header_no, header = numbered_rows[0]
    problems: list[Problem] = []
    positions: dict[str, int] = {}
    for col, text in enumerate(header, start=1):
        found = names.get(text.strip().upper())
        if found is None:
            continue
        if found.key in positions:
            problems.append(
                Problem("file.duplicate-column", f"列“{found.header}”重复", Location(filename, header_no, col))
            )
            continue
        positions[found.key] = col
    for c in spec:
        if c.required and c.key not in positions:
            alias = f"（或 {c.aliases[0]}）" if c.aliases else ""
            problems.append(Problem("file.missing-column", f"缺少“{c.header}”列{alias}", Location(filename, header_no)))
    rows = [
        TableRow(
            number,
            {k: (cells[p - 1].strip() if p - 1 < len(cells) else "") for k, p in positions.items()},
            positions,
        )
        for number, cells in numbered_rows[1:]
    ]
    return rows, problems
