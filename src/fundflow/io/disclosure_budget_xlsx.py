"""The budget-data Excel template fundflow provides (部门预算数据模板), written blank or filled, and read back.

Sheets (Chinese headers in row 1, one record per row from row 2; the 填表说明 sheet is not read):

- ``基本情况``: 项目 | 内容 — unit, year, date, 机构设置, staffing, 机关运行经费, 政府采购, 国有资产 (one fact a row)
- ``主要职能``: 职能 — one paragraph a row
- ``预算行``: 功能分类科目 | 经济分类科目 | 金额（万元） | 支出性质 | 资金来源 | 项目名称
- ``上年数``: 功能分类科目 | 支出性质 | 金额（万元） | 资金来源
- ``项目``: 项目名称 | 政策依据 | 预算安排规模 | 标准 | 标准单位 | 数量 | 数量单位 | 项目承担单位 | 资金执行时间
- ``三公经费``: 年度 (本年/上年) | 因公出国（境）费 | 公务用车购置费 | 公务用车运行费 | 公务接待费
- ``增减原因``: 项目 | 原因 — the reason texts keyed as in the YAML ``reasons`` mapping

Reading turns the workbook into the same node tree the YAML loader reads, with every scalar marked by its
sheet, row and column, and then runs the YAML loader's validation on it: one set of rules for both formats, and
the same :class:`UnitBudget`. Every problem names file, sheet, row and column (by its Chinese header).
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from fundflow.core.disclosure.model import Assets, Procurement, Staffing, UnitBudget
from fundflow.core.disclosure.stated import CodeBook
from fundflow.core.errors import Location, PlanError, Problem
from fundflow.io.disclosure_budget import parse_nodes
from fundflow.io.disclosure_budget_writer import budget_to_dict
from fundflow.io.xlsx_cells import cell_text, is_formula, too_many_rows
from fundflow.io.xlsx_write import save_workbook
from fundflow.io.yamlnodes import Y

GUIDE_SHEET = "填表说明"
FACTS_SHEET = "基本情况"
FUNCTIONS_SHEET = "主要职能"
LINES_SHEET = "预算行"
PREVIOUS_SHEET = "上年数"
PROJECTS_SHEET = "项目"
THREE_SHEET = "三公经费"
REASONS_SHEET = "增减原因"

# Facts: Chinese label → key path in the budget file.
FACTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("单位名称", ("unit",)),
    ("年度", ("year",)),
    ("日期", ("date",)),
    ("机构设置", ("structure",)),
    ("编制数", ("staffing", "authorized")),
    ("实有人数", ("staffing", "actual")),
    ("在职人数", ("staffing", "in_service")),
    ("离退休人数", ("staffing", "retired")),
    ("机关运行经费（万元）", ("running_costs",)),
    ("上年机关运行经费（万元）", ("running_costs_previous",)),
    ("政府采购货物（万元）", ("procurement", "goods")),
    ("政府采购工程（万元）", ("procurement", "works")),
    ("政府采购服务（万元）", ("procurement", "services")),
    ("面向中小企业预留（万元）", ("procurement", "sme_reserved")),
    ("其中面向小微企业（万元）", ("procurement", "small_micro_reserved")),
    ("房屋面积（平方米）", ("assets", "building_area")),
    ("房屋价值（万元）", ("assets", "building_value")),
    ("一般公务用车（辆）", ("assets", "general_vehicles")),
    ("一般公务用车价值（万元）", ("assets", "general_vehicle_value")),
    ("执法执勤用车（辆）", ("assets", "enforcement_vehicles")),
    ("执法执勤用车价值（万元）", ("assets", "enforcement_vehicle_value")),
    ("其他用车（辆）", ("assets", "other_vehicles")),
    ("其他用车价值（万元）", ("assets", "other_vehicle_value")),
    ("办公家具价值（万元）", ("assets", "furniture_value")),
    ("其他资产价值（万元）", ("assets", "other_value")),
    ("单价50万元以上设备（台、套）", ("assets", "equipment_over_50")),
    ("单价100万元以上设备（台、套）", ("assets", "equipment_over_100")),
)
_FACT_GROUPS = {"staffing": Staffing, "procurement": Procurement, "assets": Assets}

# Record sheets: sheet → ((header, key, required), …).
COLUMNS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    LINES_SHEET: (
        ("功能分类科目", "function", True),
        ("经济分类科目", "economic", True),
        ("金额（万元）", "amount", True),
        ("支出性质", "nature", True),
        ("资金来源", "source", False),
        ("项目名称", "project", False),
    ),
    PREVIOUS_SHEET: (
        ("功能分类科目", "function", True),
        ("支出性质", "nature", True),
        ("金额（万元）", "amount", True),
        ("资金来源", "source", False),
    ),
    PROJECTS_SHEET: (
        ("项目名称", "name", True),
        ("政策依据", "basis", False),
        ("预算安排规模", "scale", False),
        ("标准（元）", "standard", False),
        ("标准单位", "standard_unit", False),
        ("数量", "quantity", False),
        ("数量单位", "quantity_unit", False),
        ("项目承担单位", "executor", False),
        ("资金执行时间", "period", False),
    ),
    THREE_SHEET: (
        ("年度", "year", True),
        ("因公出国（境）费", "abroad", False),
        ("公务用车购置费", "car_purchase", False),
        ("公务用车运行费", "car_running", False),
        ("公务接待费", "reception", False),
    ),
    FUNCTIONS_SHEET: (("职能", "text", True),),
    REASONS_SHEET: (("项目", "key", True), ("原因", "reason", True)),
}
_LIST_KEYS = {LINES_SHEET: "lines", PREVIOUS_SHEET: "previous", PROJECTS_SHEET: "projects"}
_NATURE_LABELS = {"basic": "基本支出", "project": "项目支出"}
THIS_YEAR, LAST_YEAR = "本年", "上年"
SHEETS = (FACTS_SHEET, FUNCTIONS_SHEET, LINES_SHEET, PREVIOUS_SHEET, PROJECTS_SHEET, THREE_SHEET, REASONS_SHEET)
_TEXT_KEYS = {"function", "economic", "key", "name", "text", "reason", "basis", "scale", "executor", "period"}

GUIDE = (
    "部门预算数据模板（fundflow）",
    "金额单位：万元，最多保留两位小数；请勿填写公式。",
    "功能分类科目填 7 位项级编码（如 2101501），经济分类科目填 5 位部门经济分类款级编码（如 30101），按文本格式填写。",
    "支出性质填“基本支出”或“项目支出”；项目支出须填写项目名称，并在“项目”表中说明。",
    "资金来源不填即为一般公共预算；可填：一般公共预算、政府性基金预算、国有资本经营预算、财政专户管理资金、"
    "事业收入、上级补助收入、事业单位经营收入、单位其他资金收入、上级专项收入、用事业基金弥补收支差额。",
    "项目按“标准×数量”测算的，填写标准（元）和数量，系统核对金额。",
    "三公经费表：“本年”一行必填，“上年”一行用于同比说明。",
    "增减原因表的“项目”可填：income、basic、project、three_public、running、资金来源名称或功能分类项级编码。",
    "上传时先检查整个文件，有任何错误都不会导入，错误会指出工作表、行和列。",
)


# ------------------------------------------------------------------ writing


def _cell(value: Any) -> Any:
    """Decimals as numbers (shown with their places); integers as ints; everything else as text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and "." not in format(value, "f") else value
    return value


def write_budget_template(path: Path, budget: UnitBudget | None = None) -> None:
    """The template, blank (headers only) or filled with ``budget``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(budget_template_bytes(budget))


def budget_template_bytes(budget: UnitBudget | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    data = budget_to_dict(budget) if budget is not None else {}
    wb = Workbook()
    guide = wb.active
    assert guide is not None
    guide.title = GUIDE_SHEET
    for text in GUIDE:
        guide.append([text])
    guide["A1"].font = Font(bold=True)
    guide.column_dimensions["A"].width = 110

    facts = wb.create_sheet(FACTS_SHEET)
    facts.append(["项目", "内容"])
    for label, path in FACTS:
        value: Any = data
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        facts.append([label, _cell(value)])
    facts.column_dimensions["A"].width = 30
    facts.column_dimensions["B"].width = 60

    records: dict[str, list[list[Any]]] = {
        FUNCTIONS_SHEET: [[t] for t in data.get("functions", [])],
        REASONS_SHEET: [[k, v] for k, v in data.get("reasons", {}).items()],
        THREE_SHEET: [],
    }
    for sheet, key in _LIST_KEYS.items():
        rows = []
        for item in data.get(key, []):
            row = []
            for _, column, _ in COLUMNS[sheet]:
                value = item.get(column)
                if column == "nature":
                    value = _NATURE_LABELS[value]
                if column == "source" and value is not None:
                    value = next(s.value for s, k in _source_keys().items() if k == value)
                row.append(_cell(value))
            rows.append(row)
        records[sheet] = rows
    for label, key in ((THIS_YEAR, "three_public"), (LAST_YEAR, "three_public_previous")):
        if key in data:
            records[THREE_SHEET].append([label, *(_cell(data[key][c]) for _, c, _ in COLUMNS[THREE_SHEET][1:])])
    for sheet in SHEETS[1:]:
        ws = wb.create_sheet(sheet)
        ws.append([header for header, _, _ in COLUMNS[sheet]])
        for row in records[sheet]:
            ws.append(row)
        for i, (_, column, _) in enumerate(COLUMNS[sheet], start=1):
            letter = ws.cell(row=1, column=i).column_letter
            ws.column_dimensions[letter].width = 40 if column in ("basis", "scale", "text", "reason") else 16
            if column in ("function", "economic", "key"):
                for r in range(2, ws.max_row + 1):
                    ws.cell(row=r, column=i).number_format = "@"
    for ws in wb.worksheets[1:]:
        for cell in ws[1]:
            cell.font = Font(bold=True)
    buffer = io.BytesIO()
    save_workbook(wb, buffer)
    return buffer.getvalue()


def _source_keys() -> dict[Any, str]:
    from fundflow.io.disclosure_budget_writer import SOURCE_KEYS

    return dict(SOURCE_KEYS)


# ------------------------------------------------------------------ reading


@dataclasses.dataclass(frozen=True)
class _Cell:
    sheet: str
    row: int
    column: str


class _Marks:
    """Synthetic YAML marks: each scalar gets a unique line number that maps back to its sheet cell."""

    def __init__(self) -> None:
        self.cells: list[_Cell] = []

    def mark(self, sheet: str, row: int, column: str) -> yaml.Mark:
        self.cells.append(_Cell(sheet, row, column))
        return yaml.Mark("xlsx", 0, len(self.cells) - 1, 0, None, None)  # type: ignore[arg-type]

    def scalar(self, text: str, sheet: str, row: int, column: str) -> yaml.ScalarNode:
        m = self.mark(sheet, row, column)
        return yaml.ScalarNode("tag:yaml.org,2002:str", text, m, m)

    def mapping(self, pairs: list[tuple[yaml.Node, yaml.Node]], sheet: str, row: int) -> yaml.MappingNode:
        m = self.mark(sheet, row, "")
        return yaml.MappingNode("tag:yaml.org,2002:map", pairs, m, m)

    def sequence(self, items: list[yaml.Node], sheet: str, row: int) -> yaml.SequenceNode:
        m = self.mark(sheet, row, "")
        return yaml.SequenceNode("tag:yaml.org,2002:seq", items, m, m)

    def location(self, file: str, loc: Location | None) -> Location:
        """A location from the YAML loader (line = mark index + 1) as file, sheet, row and column."""
        if loc is None or loc.row is None or not 0 < loc.row <= len(self.cells):
            return Location(file)
        cell = self.cells[loc.row - 1]
        return Location(f"{file} 工作表“{cell.sheet}”", cell.row, cell.column or None)


def _problem(file: str, sheet: str | None, row: int | None, column: str | None, rule: str, msg: str) -> Problem:
    where = f"{file} 工作表“{sheet}”" if sheet else file
    return Problem(rule, msg, Location(where, row, column))


def read_budget_xlsx(path: Path, book: CodeBook, name: str | None = None) -> UnitBudget:
    """Read a filled template; raise PlanError with every problem (file, sheet, row, column) found."""
    if not path.exists():
        raise PlanError.single("file.missing", "文件不存在", Location(str(path)))
    return read_budget_xlsx_bytes(path.read_bytes(), book, name or path.name)


def read_budget_xlsx_bytes(content: bytes, book: CodeBook, file: str, max_rows: int | None = None) -> UnitBudget:
    """Read a filled template from its bytes; ``max_rows`` bounds the data rows of all sheets together (a web
    upload's row limit: reading stops past it with ``file.too-many-rows``)."""
    sheets = _sheets(content, file, max_rows)
    marks = _Marks()
    problems: list[Problem] = []
    root: list[tuple[yaml.Node, yaml.Node]] = []

    def key(text: str, sheet: str, row: int) -> yaml.ScalarNode:
        return marks.scalar(text, sheet, row, "")

    for sheet in SHEETS:
        if sheet not in sheets:
            problems.append(
                _problem(file, None, None, None, "budget.sheet-missing", f"缺少工作表“{sheet}”（请使用下载的模板）")
            )
    if problems:
        raise PlanError(problems)

    # 基本情况: one fact per row.
    fact_paths = dict(FACTS)
    groups: dict[str, list[tuple[yaml.Node, yaml.Node]]] = {}
    group_rows: dict[str, int] = {}
    facts_rows = sheets[FACTS_SHEET]
    problems += _check_header(file, FACTS_SHEET, facts_rows, ("项目", "内容"))
    seen: set[str] = set()
    for number, cells in facts_rows[1:]:
        label = cells[0].strip() if cells else ""
        value = cells[1].strip() if len(cells) > 1 else ""
        if not label and not value:
            continue
        if label not in fact_paths:
            problems.append(
                _problem(
                    file, FACTS_SHEET, number, "项目", "budget.unknown-key", f"未知的项目“{label}”（请按模板填写）"
                )
            )
            continue
        if label in seen:
            problems.append(_problem(file, FACTS_SHEET, number, "项目", "budget.duplicate", f"“{label}”重复填写"))
            continue
        seen.add(label)
        if not value:
            continue
        node = marks.scalar(value, FACTS_SHEET, number, "内容")
        keys = fact_paths[label]
        if len(keys) == 1:
            root.append((key(keys[0], FACTS_SHEET, number), node))
        else:
            groups.setdefault(keys[0], []).append((key(keys[1], FACTS_SHEET, number), node))
            group_rows.setdefault(keys[0], number)
    for group, pairs in groups.items():
        root.append((key(group, FACTS_SHEET, group_rows[group]), marks.mapping(pairs, FACTS_SHEET, group_rows[group])))

    # Record sheets.
    for sheet in (LINES_SHEET, PREVIOUS_SHEET, PROJECTS_SHEET, FUNCTIONS_SHEET, REASONS_SHEET, THREE_SHEET):
        columns = COLUMNS[sheet]
        rows = sheets[sheet]
        header_problems = _check_header(file, sheet, rows, tuple(h for h, _, _ in columns))
        problems += header_problems
        if header_problems:
            continue
        items: list[yaml.Node] = []
        reasons: list[tuple[yaml.Node, yaml.Node]] = []
        for number, cells in rows[1:]:
            values = {c: (cells[i].strip() if i < len(cells) else "") for i, (_, c, _) in enumerate(columns)}
            if not any(values.values()):
                continue
            for header, column, required in columns:
                if required and not values[column]:
                    problems.append(_problem(file, sheet, number, header, "budget.missing", f"请填写“{header}”"))
            headers = {c: h for h, c, _ in columns}
            if sheet == FUNCTIONS_SHEET:
                items.append(marks.scalar(values["text"], sheet, number, headers["text"]))
            elif sheet == REASONS_SHEET:
                reasons.append(
                    (
                        marks.scalar(values["key"], sheet, number, headers["key"]),
                        marks.scalar(values["reason"], sheet, number, headers["reason"]),
                    )
                )
            elif sheet == THREE_SHEET:
                year = values["year"]
                target = {THIS_YEAR: "three_public", LAST_YEAR: "three_public_previous"}.get(year)
                if target is None:
                    problems.append(
                        _problem(
                            file, sheet, number, "年度", "budget.unknown-key", f"年度应为“本年”或“上年”，实为“{year}”"
                        )
                    )
                    continue
                pairs = [
                    (key(c, sheet, number), marks.scalar(values[c], sheet, number, headers[c]))
                    for _, c, _ in columns[1:]
                    if values[c]
                ]
                root.append((key(target, sheet, number), marks.mapping(pairs, sheet, number)))
            else:
                pairs = []
                for _, c, _ in columns:
                    text = values[c]
                    if not text:
                        continue
                    if c == "nature":
                        text = {v: k for k, v in _NATURE_LABELS.items()}.get(text, text)
                    pairs.append((key(c, sheet, number), marks.scalar(text, sheet, number, headers[c])))
                items.append(marks.mapping(pairs, sheet, number))
        if sheet == FUNCTIONS_SHEET and items:
            root.append((key("functions", sheet, 1), marks.sequence(items, sheet, 1)))
        elif sheet == REASONS_SHEET and reasons:
            root.append((key("reasons", sheet, 1), marks.mapping(reasons, sheet, 1)))
        elif sheet in _LIST_KEYS and items:
            root.append((key(_LIST_KEYS[sheet], sheet, 1), marks.sequence(items, sheet, 1)))

    if _duplicate_years(root):
        problems.append(_problem(file, THREE_SHEET, None, "年度", "budget.duplicate", "“本年”或“上年”重复填写"))
    top = marks.mapping(root, FACTS_SHEET, 1)
    try:
        budget = parse_nodes(Y(top, file), file, book)
    except PlanError as exc:
        problems += [dataclasses.replace(p, location=marks.location(file, p.location)) for p in exc.problems]
        raise PlanError(_dedupe(problems)) from None
    if problems:
        raise PlanError(_dedupe(problems))
    return _relocate(budget, marks, file)


def _duplicate_years(root: list[tuple[yaml.Node, yaml.Node]]) -> bool:
    keys = [k.value for k, _ in root if k.value in ("three_public", "three_public_previous")]
    return len(keys) != len(set(keys))


def _dedupe(problems: Sequence[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def _relocate(budget: UnitBudget, marks: _Marks, file: str) -> UnitBudget:
    return dataclasses.replace(
        budget,
        lines=tuple(dataclasses.replace(ln, location=marks.location(file, ln.location)) for ln in budget.lines),
        projects=tuple(dataclasses.replace(p, location=marks.location(file, p.location)) for p in budget.projects),
    )


def _check_header(file: str, sheet: str, rows: list[tuple[int, list[str]]], expected: tuple[str, ...]) -> list[Problem]:
    header = [c.strip() for c in rows[0][1]] if rows else []
    problems = []
    for i, name in enumerate(expected):
        found = header[i] if i < len(header) else ""
        if found != name:
            letter = _letter(i)
            problems.append(
                _problem(
                    file, sheet, 1, f"{letter}", "budget.header", f"第 1 行 {letter} 列应为表头“{name}”，实为“{found}”"
                )
            )
    return problems


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


def _sheets(content: bytes, file: str, max_rows: int | None = None) -> dict[str, list[tuple[int, list[str]]]]:
    """Each sheet's rows as text with their row numbers. Formulas are refused: the value must be typed.

    More than ``max_rows`` non-empty rows below the sheets' headers stops the reading at once."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError):
        raise PlanError.single(
            "file.type", "无法作为 Excel 文件读取（文件可能已损坏，或不是 .xlsx 格式）", Location(file)
        ) from None
    problems: list[Problem] = []
    out: dict[str, list[tuple[int, list[str]]]] = {}
    data_rows = 0
    try:
        for ws in wb.worksheets:
            if ws.title not in SHEETS:
                continue
            headers: list[str] = []
            rows: list[tuple[int, list[str]]] = []
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = [cell_text(v) for v in values]
                if number == 1:
                    headers = [c.strip() for c in cells]
                elif any(c.strip() for c in cells):
                    data_rows += 1
                    if max_rows is not None and data_rows > max_rows:
                        raise too_many_rows(file, max_rows)
                for i, v in enumerate(values):
                    if is_formula(v):
                        column = headers[i] if i < len(headers) and headers[i] else _letter(i)
                        problems.append(
                            _problem(file, ws.title, number, column, "budget.formula", "请填写数值，不要使用公式")
                        )
                rows.append((number, cells))
            out[ws.title] = rows
    finally:
        wb.close()
    if problems:
        raise PlanError(problems)
    return out


def load_budget_file(path: Path, book: CodeBook) -> UnitBudget:
    """A budget file of either format: the Excel template (``.xlsx``) or YAML (anything else)."""
    if path.suffix.lower() == ".xlsx":
        return read_budget_xlsx(path, book)
    from fundflow.io.disclosure_budget import load_budget

    return load_budget(path, book)
