"""A published table file as a grid of cell texts, whatever form it came in.

* ``.xlsx`` / ``.xlsm``: the first sheet (formula cells as their stored results);
* ``.csv``: comma-separated (UTF-8, with or without BOM);
* text: tab-separated rows (as a notice's attachment is copied from a document) — or, when no line holds a tab
  and the figures stand one per line, a table flattened one cell per line (as copied from a web page), which is
  rebuilt into rows (see :func:`unflatten`).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from fundflow.core.errors import Location, PlanError
from fundflow.io.numbers import parse_decimal

END_MARKERS = ("附件", "抄送", "说明", "注：", "注:", "备注：", "备注:")


def read_grid(path: str | Path) -> tuple[list[list[str]], str]:
    """The file's cells and the name of the form it was read as (for the report)."""
    path = Path(path)
    if not path.exists():
        raise PlanError.single("file.missing", "找不到文件", Location(str(path)))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from fundflow.io.xlsx_cells import read_first_sheet

        return read_first_sheet(path), "Excel 工作表"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise PlanError.single("file.encoding", "文件不是 UTF-8 编码的文本", Location(str(path))) from None
    if suffix == ".csv":
        return list(csv.reader(io.StringIO(text))), "CSV（逗号分隔）"
    lines = text.splitlines()
    if not any("\t" in line for line in lines) and sum(1 for ln in lines if is_number(ln)) >= 3:
        return unflatten(lines), "逐格分行的文本（每行一个单元格，已按表头列数还原成行）"
    return [line.split("\t") for line in lines], "制表符分隔的文本"


def is_number(text: str) -> bool:
    text = text.strip()
    if not text:
        return False
    try:
        parse_decimal(text)
    except ValueError:
        return False
    return True


def _is_text(token: str) -> bool:
    return bool(token) and not is_number(token)


_TITLE = re.compile(r"(表|单位[:：].*|（\d{4}年）|\(\d{4}年\))$")


def unflatten(lines: list[str]) -> list[list[str]]:
    """Rebuild rows from a table copied one cell per line.

    The header is the run of text lines just before the first row name that is followed by a figure (title,
    unit and 附件 lines before it stay single cells); its length is the number of columns. The data is then cut
    into rows of that width when every piece starts with a name and holds only figures or blank lines;
    otherwise each row is a name (or several, e.g. 地区 and 小计) followed by its figures, blank lines dropped
    and short rows padded with blanks.
    """
    tokens = [ln.strip().replace("\u3000", " ") for ln in lines]
    first = next(
        (i for i in range(len(tokens) - 1) if _is_text(tokens[i]) and is_number(_next_filled(tokens, i + 1))),
        None,
    )
    if first is None:
        return [[t] for t in tokens]
    start = first
    while start > 0 and _is_text(tokens[start - 1]) and not _TITLE.search(tokens[start - 1]):
        start -= 1
    header = [t for t in tokens[start:first] if t]
    names = 1
    if header and len(header) >= 2:
        names = _name_columns(tokens[first:], len(header))
    width = max(len(header), 2)
    pre = [[t] for t in tokens[:start]]
    end = next((k for k in range(first, len(tokens)) if tokens[k].startswith(END_MARKERS)), len(tokens))
    body = tokens[first:end]
    post = [[t] for t in tokens[end:]]
    rows = _chunks(body, width) or _by_names(body, width, names)
    return [*pre, header, *rows, *post]


def _next_filled(tokens: list[str], k: int) -> str:
    while k < len(tokens) and not tokens[k]:
        k += 1
    return tokens[k] if k < len(tokens) else ""


def _name_columns(body: list[str], width: int) -> int:
    most = 0
    run = 0
    for t in body:
        if is_number(t):
            run += 1
            most = max(most, run)
        elif t:
            run = 0
    return max(1, width - most)


def _chunks(body: list[str], width: int) -> list[list[str]] | None:
    """Fixed-width rows, blank lines kept as blank cells; None when the data does not cut evenly."""
    while body and not body[-1]:
        body = body[:-1]
    if len(body) % width:
        return None
    rows = [body[k : k + width] for k in range(0, len(body), width)]
    for row in rows:
        if not _is_text(row[0]) or not all(not c or is_number(c) for c in row[1:]):
            return None
    return rows


def _by_names(body: list[str], width: int, names: int) -> list[list[str]]:
    rows: list[list[str]] = []
    current: list[str] = []
    numbers = False
    for t in body:
        if not t:
            continue
        if _is_text(t):
            if numbers or len(current) >= names:
                rows.append(current)
                current, numbers = [], False
            current.append(t)
        else:
            if not numbers and len(current) < names:
                current = [""] * (names - len(current)) + current
            current.append(t)
            numbers = True
    if current:
        rows.append(current)
    out = []
    for row in rows:
        if not any(is_number(c) for c in row) and len(row) < names:
            row = row + [""] * (names - len(row))
        out.append(row + [""] * (width - len(row)))
    return out
