"""Read plan recipients from a CSV or XLSX file: one row per recipient, one column per input.

Header row first. Text columns: ``name``/``名称``, ``group``/``分组``, ``note``/``备注``; columns named
``duplicates.<category>`` (or ``重复.<category>``) are settlement duplicates; every other column is numeric.
Blank numeric cells are errors (write 0), and every problem names file, row and column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from fundflow.core.errors import Location, PlanError, Problem
from fundflow.core.plan import Recipient
from fundflow.io.encoding import decode_text
from fundflow.io.numbers import parse_decimal

RESERVED = {"name": "name", "名称": "name", "group": "group", "分组": "group", "note": "note", "备注": "note"}
DUPLICATE_PREFIXES = ("duplicates.", "重复.")


def read_recipients_file(path: Path) -> tuple[Recipient, ...]:
    if not path.exists():
        raise PlanError.single("file.missing", "找不到分配对象文件", Location(str(path)))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = csv_rows(path.read_bytes(), str(path))
    elif suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    else:
        raise PlanError.single("file.type", "分配对象文件应为 .csv 或 .xlsx", Location(str(path)))
    return recipients_from_rows(rows, str(path))


def csv_rows(content: bytes, file: str) -> list[list[str]]:
    """The rows of a CSV file saved as UTF-8 (with or without BOM) or GBK/GB18030 (Excel's default in China)."""
    return list(iter_csv_rows(content, file))


def iter_csv_rows(content: bytes, file: str) -> Iterator[list[str]]:
    """The rows of a CSV file one at a time (see ``csv_rows``); an undecodable file is a Chinese error."""
    try:
        text = decode_text(content)
    except ValueError:
        raise PlanError.single(
            "file.encoding", "文件编码无法识别（不是 UTF-8 编码，也不是 GBK/GB18030 编码）", Location(file)
        ) from None
    try:
        yield from (list(r) for r in csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        raise PlanError.single("file.type", "无法作为 CSV 文件读取（格式有误）", Location(file)) from None


def _xlsx_rows(path: Path) -> list[list[str]]:
    from fundflow.io.xlsx_cells import read_first_sheet

    return read_first_sheet(path)


def recipients_from_rows(
    rows: Sequence[Sequence[str]],
    file: str,
    *,
    aliases: Mapping[str, str] | None = None,
    optional: Collection[str] = (),
) -> tuple[Recipient, ...]:
    """Validate every row first; raise one PlanError listing all problems, or return all recipients.

    ``aliases`` maps printed headers (e.g. 2020年10月底低保对象人数(人)) to column keys; blank cells of
    ``optional`` columns mean "not given" (settlement: entitlement *or* insured persons) instead of an error.
    """
    numbered = [(i, list(r)) for i, r in enumerate(rows, start=1) if any(c.strip() for c in r)]
    if not numbered:
        raise PlanError.single("file.empty", "分配对象文件为空", Location(file))
    header_row, header_cells = numbered[0]
    header = [(aliases or {}).get(h.strip(), h.strip()) for h in header_cells]
    problems: list[Problem] = []
    if not any(RESERVED.get(h) == "name" for h in header):
        problems.append(
            Problem("file.no-name-column", "缺少“名称”列（列名应为“名称”或 name）", Location(file, header_row))
        )
    seen: set[str] = set()
    for col, h in enumerate(header, start=1):
        if h and h in seen:
            problems.append(Problem("file.duplicate-column", f"列名“{h}”重复", Location(file, header_row, col)))
        seen.add(h)
    # Row numbers are the file's own (blank rows skipped, not renumbered), so errors point at the right cell.
    # Errors name a column as the file prints it (金额), not by the key it is read as (amount).
    printed = [h.strip() for h in header_cells]
    recipients = [r for r in (_row(header, row, i, file, problems, optional, printed) for i, row in numbered[1:]) if r]
    if problems:
        raise PlanError(problems)
    return tuple(recipients)


def _row(
    header: Sequence[str],
    row: Sequence[str],
    number: int,
    file: str,
    problems: list[Problem],
    optional: Collection[str],
    printed: Sequence[str] = (),
) -> Recipient | None:
    texts: dict[str, str] = {}
    values: dict[str, Decimal] = {}
    duplicates: dict[str, Decimal] = {}
    cells: dict[str, Location] = {}
    for col, (h, raw) in enumerate(_pad(header, row), start=1):
        if not h:
            continue
        shown = printed[col - 1] if col <= len(printed) and printed[col - 1] else h
        loc = Location(file, number, f"{shown}（第 {col} 列）")
        cell = raw.strip()
        if h in RESERVED:
            texts[RESERVED[h]] = cell
            cells[RESERVED[h]] = loc
            continue
        category = next((h[len(p) :] for p in DUPLICATE_PREFIXES if h.startswith(p)), None)
        key = f"duplicates.{category}" if category is not None else h
        cells[key] = loc
        if cell == "":
            if key not in optional:
                problems.append(Problem("input.blank", "单元格为空，应填写数字（无则填 0）", loc))
            continue
        try:
            value = parse_decimal(cell)
        except ValueError:
            problems.append(Problem("input.not-number", f"应为数字，实为“{cell}”", loc))
            continue
        if category is not None:
            duplicates[category] = value
        else:
            values[h] = value
    if not texts.get("name"):
        problems.append(Problem("recipient.name-missing", "分配对象缺少名称", Location(file, number)))
        return None
    return Recipient(
        name=texts["name"],
        group=texts.get("group") or None,
        values=values,
        duplicates=duplicates,
        note=texts.get("note", ""),
        location=Location(file, number),
        cell_locations=cells,
    )


def _pad(header: Sequence[str], row: Sequence[str]) -> Iterable[tuple[str, str]]:
    for i, h in enumerate(header):
        yield h, row[i] if i < len(row) else ""
