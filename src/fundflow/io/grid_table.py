"""Read a published allocation table of any method from a grid of cells (see :mod:`fundflow.io.table_grid`).

The reader finds the header as a person does: the rows of labels just above the first row that has a name and
a figure (column-number rows such as "1 2 3=1+2" between them are skipped); several header rows are joined per
column ("补助资金·合计"), an upper cell spanning the columns to its right whose lower cells are filled. A
leading 序号 column is dropped. Columns left of the figures are names (two: group and name); a 备注 column is
kept as each row's note. Then each row is read:

* 合计/总计/全区… rows are the total, 小计 rows ("小计", "塔城地区小计") subtotals, a row with a name but no
  figures a group heading; a group's lines are those after its 小计 (when the table prints 小计 first) or
  before it (when it prints them last), with its name joined from the fragments printed in the group column;
* repeated headers and titles on later pages are skipped; the table ends at 附件/抄送 or at a new header;
* blank cells are blank (not zero); "-", "—" and "/" are read as blank; text in a figure column is reported;
* float artefacts (0.240000152587891) are read to the decimals the column prints and reported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from fundflow.core.errors import Location, PlanError
from fundflow.core.published import RowKind
from fundflow.core.table_check.model import Column, GridRow, GridTable
from fundflow.core.table_check.precision import artefact_places, places, read_to
from fundflow.io.numbers import parse_decimal
from fundflow.io.table_grid import END_MARKERS, is_number

SEQUENCE_HEADERS = ("序号", "编号", "No.", "NO.", "序")
TOTAL_NAMES = ("全区", "全省", "全疆", "全市", "全州", "全县", "全地区", "合计", "总计", "全区合计", "总合计")
DASHES = ("-", "—", "－", "/", "--", "——", "…")
NOTE_HEADERS = re.compile(r"备注|说明|附注|扣回文号")
_SPACE = re.compile(r"\s+")


def _clean(cell: str) -> str:
    return _SPACE.sub(" ", cell.replace("\u3000", " ").replace("％", "%")).strip()


def _squash(cell: str) -> str:
    return _SPACE.sub("", cell)


def _figure(cell: str) -> bool:
    text = cell.replace("−", "-").strip("()（）")
    return is_number(text.rstrip("%")) or cell in DASHES


def _has_name_and_figure(row: Sequence[str]) -> bool:
    first = next((k for k, c in enumerate(row) if c), None)
    if first is not None and _is_ordinal(row, first):
        first += 1  # a row number in an unlabelled 序号 column
    if first is None or first >= len(row) or not row[first] or is_number(row[first]):
        return False
    return any(is_number(c) for c in row[first + 1 :])


def _is_ordinal(row: Sequence[str], at: int) -> bool:
    return (
        at == 0 and bool(re.fullmatch(r"\d{1,3}", row[0])) and len(row) > 1 and bool(row[1]) and not is_number(row[1])
    )


def _is_column_numbers(row: Sequence[str]) -> bool:
    filled = [c for c in row if c]
    return len(filled) >= 2 and all(re.fullmatch(r"[\d+\-=＋×*/栏次列()（）]+", _squash(c)) for c in filled)


def parse_generic(grid: Sequence[Sequence[str]], source: str, form: str = "") -> GridTable:
    rows = [[_clean(c) for c in row] for row in grid]
    first_data = next((i for i, r in enumerate(rows) if _has_name_and_figure(r)), None)
    if first_data is None:
        raise PlanError.single("table.no-rows", "表中没有可识别的数据行（名称后跟数字的行）", Location(source))
    k = first_data - 1
    while k >= 0 and (not any(rows[k]) or _is_column_numbers(rows[k])):
        k -= 1
    header_rows: list[int] = []
    while k >= 0 and any(rows[k]) and not any(is_number(c) for c in rows[k]):
        filled = [i for i, c in enumerate(rows[k]) if c]
        if len(filled) < 2 and filled[0] == 0:
            break  # a title or unit line, printed in the first column
        header_rows.insert(0, k)
        k -= 1
    if not header_rows:
        raise PlanError.single("table.no-header", "未找到表头（数据行上方的列名行）", Location(source, first_data + 1))
    notes: list[str] = []
    if form:
        notes.append(f"按{form}读取")
    heads = [rows[i] for i in header_rows]
    above = rows[: header_rows[0]]  # read before a 序号 column is dropped: the title sits in the first column
    body = [r for r in rows[first_data:] if _has_name_and_figure(r)]
    unlabelled = all(not h or not h[0] for h in heads) and sum(_is_ordinal(r, 0) for r in body) * 2 > len(body)
    if any(h and _squash(h[0]) in SEQUENCE_HEADERS for h in heads) or unlabelled:
        rows = [r[1:] for r in rows]
        heads = [rows[i] for i in header_rows]
        notes.append("第 1 列为序号，不参与核对")
    width = max(len(r) for r in rows[header_rows[0] :]) if rows else 0
    labels = _labels(heads, width)
    title, unit, before = _title_unit(above, labels)
    data, texts = _data_rows(rows, header_rows, first_data, heads)
    if not data:
        raise PlanError.single("table.no-rows", "表中没有可识别的数据行", Location(source))
    numeric, name_cols, note_col = _columns(data, labels, width)
    if not numeric:
        raise PlanError.single("table.no-rows", "表中没有数字列", Location(source))
    values, col_places, read_notes = _values(data, numeric, source)
    notes.extend(read_notes)
    table_rows, members, group_notes = _rows(data, values, name_cols, note_col, numeric, source)
    notes.extend(group_notes)
    columns = tuple(Column(c, labels[c][0] or f"第 {c + 1} 列", labels[c][1], labels[c][2]) for c in numeric)
    return GridTable(
        title=title,
        unit=unit,
        name_label=labels[name_cols[-1]][0] if name_cols else "",
        columns=columns,
        rows=tuple(table_rows),
        places=col_places,
        texts=tuple(before + texts),
        source=source,
        reading_notes=tuple(notes),
        members=members,
    )


def _labels(heads: Sequence[Sequence[str]], width: int) -> list[tuple[str, str, str]]:
    """Per column: (full label, top label, leaf label); an upper cell spans right over filled lower cells."""
    grid = [[(h[c] if c < len(h) else "") for c in range(width)] for h in heads]
    spans = [list(row) for row in grid]
    for i in range(len(grid) - 1):
        carry = ""
        for c in range(width):
            if grid[i][c]:
                carry = grid[i][c]
            elif carry and any(grid[j][c] for j in range(i + 1, len(grid))):
                spans[i][c] = carry
            else:
                carry = ""
    out = []
    for c in range(width):
        levels = list(dict.fromkeys(_squash(spans[i][c]) for i in range(len(grid)) if spans[i][c]))
        full = "·".join(levels)
        top = levels[0] if len(levels) > 1 else ""
        out.append((full, top, levels[-1] if levels else ""))
    return out


def _title_unit(before: Sequence[Sequence[str]], labels: Sequence[tuple[str, str, str]]) -> tuple[str, str, list[str]]:
    texts = [" ".join(c for c in r if c) for r in before if any(r)]
    title = next((_squash(t) for t in reversed(texts) if _squash(t).endswith("表")), "")
    if not title:
        title = next((_squash(t) for t in reversed(texts) if "表" in t and not t.startswith("附件")), "")
    at = next((k for k in range(len(texts) - 1, -1, -1) if _squash(texts[k]) == title), None)
    if title and at and title.startswith(("(", "（")) and not texts[at - 1].startswith(("附件", "单位")):
        title = _squash(texts[at - 1]) + title  # a title wrapped over two lines
    unit_line = next((t for t in texts if re.search(r"单位\s*[:：]", t)), "")
    if "万元" in unit_line:
        unit = "万元"
    elif re.search(r"单位\s*[:：]\s*元", unit_line):
        unit = "元"
    else:
        unit = "万元" if any("万元" in lb[0] for lb in labels) else "元"
    kept = [t for t in texts if _squash(t) != title and t != unit_line]
    return title, unit, kept[-6:]


def _data_rows(
    rows: Sequence[Sequence[str]], header_rows: Sequence[int], first: int, heads: Sequence[Sequence[str]]
) -> tuple[list[tuple[int, list[str]]], list[str]]:
    signature = {tuple(_squash(c) for c in h if c) for h in heads}
    data: list[tuple[int, list[str]]] = []
    texts: list[str] = []
    ended = False
    for i in range(first, len(rows)):
        r = list(rows[i])
        filled = [c for c in r if c]
        if not filled:
            continue
        if ended:
            if len(filled) >= 3 or len(texts) >= 12:
                break  # the next table: its text is not about this one
            texts.append(" ".join(filled))
            continue
        if tuple(_squash(c) for c in filled) in signature or _is_column_numbers(r):
            continue  # header or column numbers repeated on a later page
        if filled[0].startswith(END_MARKERS) and not any(is_number(c) for c in filled[1:]):
            ended = True
            texts.append(" ".join(filled))
            continue
        if _squash(filled[0]).startswith("其中") and data:
            texts.append(" ".join(filled))  # "其中：…" breaks down the row above; it is not summed
            continue
        if any(is_number(c) for c in filled) or (len(filled) == 1 and data and _maybe_heading(r)):
            data.append((i, r))
            continue
        if len(filled) == 1:
            texts.append(filled[0])  # a title repeated on a later page, a unit line, a page number
            continue
        if data and len(filled) >= 3:
            break  # the header of another table
    return data, texts


def _maybe_heading(row: Sequence[str]) -> bool:
    """A name alone on a row, in the name column: a group heading ("一、塔城地区")."""
    first = next(k for k, c in enumerate(row) if c)
    return first <= 1 and not row[first].endswith("表") and len(row[first]) <= 20


def _columns(
    data: Sequence[tuple[int, Sequence[str]]], labels: Sequence[tuple[str, str, str]], width: int
) -> tuple[list[int], list[int], int | None]:
    def cell(r: Sequence[str], c: int) -> str:
        return r[c] if c < len(r) else ""

    numeric: list[int] = []
    note_col = None
    for c in range(width):
        cells = [cell(r, c) for _, r in data if cell(r, c)]
        figures = sum(1 for x in cells if _figure(x))
        if NOTE_HEADERS.search(labels[c][0]) and figures * 2 <= len(cells):
            note_col = c  # a 备注 column: text (e.g. the clawback note), never summed
            continue
        if cells and figures >= 0.6 * len(cells) and any(is_number(x) for x in cells):
            numeric.append(c)
        elif not cells and labels[c][0] and numeric:
            numeric.append(c)  # an all-blank figure column (e.g. a 备注-less blank total column)
        elif numeric and cells and note_col is None:
            note_col = c
    first = numeric[0] if numeric else width
    name_cols = [c for c in range(first) if any(cell(r, c) for _, r in data) or labels[c][0]]
    return numeric, name_cols or [0], note_col


def _values(
    data: Sequence[tuple[int, Sequence[str]]], numeric: Sequence[int], source: str
) -> tuple[list[dict[int, Decimal]], dict[int, int], list[str]]:
    raw: list[dict[int, Decimal]] = []
    notes: list[str] = []
    dashes = 0
    for index, r in data:
        vals: dict[int, Decimal] = {}
        for c in numeric:
            text = r[c] if c < len(r) else ""
            if not text:
                continue
            if text in DASHES:
                dashes += 1
                continue
            text = text.replace("−", "-")
            bracketed = re.fullmatch(r"[(（]\s*([\d.,]+)\s*[)）]", text)
            if bracketed:
                text = "-" + bracketed.group(1)  # accounting style: (1.56) is −1.56
            try:
                vals[c] = parse_decimal(text.rstrip("%"))
            except ValueError:
                notes.append(f"第 {index + 1} 行第 {c + 1} 列“{text}”不是数字，按空计")
        raw.append(vals)
    if dashes:
        notes.append(f"{dashes} 个单元格印为“-”“—”或“/”，按空计")
    col_places = {
        c: max((places(v[c]) for v in raw if c in v and artefact_places(v[c]) is None), default=0) for c in numeric
    }
    artefacts: list[str] = []
    for (index, _), vals in zip(data, raw, strict=True):
        for c, v in list(vals.items()):
            fixed = read_to(v, col_places[c])
            if fixed != v:
                artefacts.append(f"第 {index + 1} 行第 {c + 1} 列 {v} 读作 {fixed}")
                vals[c] = fixed
                col_places[c] = max(col_places[c], places(fixed))
    if artefacts:
        shown = "；".join(artefacts[:5]) + ("……" if len(artefacts) > 5 else "")
        notes.append(f"{len(artefacts)} 个数带有浮点尾数（如 0.240000152587891），已按本列印制的小数位读取：{shown}")
    return raw, col_places, notes


def _kind(group_text: str, name: str) -> RowKind:
    for text in (group_text, name):
        t = _squash(text)
        if t in TOTAL_NAMES or t.startswith(("合计", "总计")) or (t.endswith(("合计", "总计")) and len(t) <= 6):
            return RowKind.TOTAL
    if _squash(name).endswith("小计") or _squash(group_text).endswith("小计"):
        return RowKind.SUBTOTAL
    return RowKind.LINE


def _rows(
    data: Sequence[tuple[int, Sequence[str]]],
    values: Sequence[dict[int, Decimal]],
    name_cols: Sequence[int],
    note_col: int | None,
    numeric: Sequence[int],
    source: str,
) -> tuple[list[GridRow], dict[int, tuple[int, ...]], list[str]]:
    gcol, ncol = name_cols[0], name_cols[-1]
    grouped = len(name_cols) >= 2
    entries: list[tuple[RowKind, str, str, int, dict[int, Decimal], str]] = []
    for (index, r), vals in zip(data, values, strict=True):
        group_text = r[gcol] if grouped and gcol < len(r) else ""
        name = r[ncol] if ncol < len(r) else ""
        if not name and not grouped:
            name = next((c for c in r[: ncol + 1] if c), "")
        note = r[note_col] if note_col is not None and note_col < len(r) else ""
        kind = _kind(group_text, name)
        if kind is RowKind.LINE and not vals and not name and group_text:
            kind = RowKind.LINE  # a group name alone in the group column: a fragment, handled below
        entries.append((kind, group_text, name, index, vals, note))
    notes: list[str] = []
    subtotal_first = next((e[0] for e in entries if e[0] is not RowKind.TOTAL), RowKind.LINE) is RowKind.SUBTOTAL
    # Blocks: the lines belonging to each 小计 (or heading), and the group name assembled from their fragments.
    group_of: list[int | None] = [None] * len(entries)
    blocks: list[list[int]] = []  # entry indices, the 小计 or heading row first
    fragments: list[list[str]] = []
    headings: list[bool] = []
    current: int | None = None
    pending: list[int] = []
    pending_fragments: list[str] = []
    has_subtotals = any(e[0] is RowKind.SUBTOTAL for e in entries)
    for k, (kind, group_text, name, _, vals, _) in enumerate(entries):
        if kind is RowKind.TOTAL:
            current = None if not subtotal_first else current
            continue
        heading = not vals and not has_subtotals and bool(group_text or name)
        if kind is RowKind.SUBTOTAL:
            own = group_text or _squash(name).removesuffix("小计")
            if subtotal_first:
                blocks.append([k])
                fragments.append([own] if own else [])
                headings.append(False)
                current = len(blocks) - 1
                group_of[k] = current
            else:
                blocks.append([k, *pending])
                fragments.append([*pending_fragments, *([own] if own else [])])
                headings.append(False)
                for p in pending:
                    group_of[p] = len(blocks) - 1
                group_of[k] = len(blocks) - 1
                pending, pending_fragments = [], []
            continue
        if heading or (grouped and group_text and not has_subtotals):
            blocks.append([k] if heading else [])
            fragments.append([group_text or name])
            headings.append(heading)
            current = len(blocks) - 1
            if heading:
                group_of[k] = current
                continue
        if has_subtotals and not subtotal_first:
            pending.append(k)
            if group_text:
                pending_fragments.append(group_text)
            continue
        if current is not None:
            if has_subtotals and group_text:
                fragments[current].append(group_text)
            blocks[current].append(k)
            group_of[k] = current
    names = ["".join(dict.fromkeys(f)) for f in fragments]
    for b, pieces in enumerate(fragments):
        if len(pieces) > 1:
            notes.append(f"第 {b + 1} 组的名称由组内各行的文字拼合为“{names[b]}”")
        elif not pieces:
            notes.append(f"第 {b + 1} 组没有名称")
    out: list[GridRow] = []
    index_of: dict[int, int] = {}
    for k, (kind, group_text, name, index, vals, note) in enumerate(entries):
        g = group_of[k]
        if g is not None and headings[g] and blocks[g][0] == k:
            continue  # a heading row names its group; it is not a figure row
        group = names[g] if g is not None else None
        blanks = tuple(c for c in numeric if c not in vals)
        row_name = (group or "") if kind is RowKind.SUBTOTAL else (name or group_text)
        if kind is RowKind.TOTAL:
            row_name = _squash(group_text or name)
            group = None
        index_of[k] = len(out)
        out.append(GridRow(kind, row_name, group, vals, blanks, note, Location(source, index + 1)))
    members: dict[int, tuple[int, ...]] = {}
    for block in blocks:
        sub = next((k for k in block if entries[k][0] is RowKind.SUBTOTAL), None)
        if sub is None:
            continue
        members[index_of[sub]] = tuple(index_of[k] for k in block if entries[k][0] is RowKind.LINE and k in index_of)
    return out, members, notes
