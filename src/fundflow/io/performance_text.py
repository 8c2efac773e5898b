"""Reading performance-target tables (绩效目标表) from the text of a notice: tab-separated rows, as the seed
documents hold them (a table copied out of Word or a PDF keeps one tab per cell boundary).

Two layouts are read: the transfer-payment 区域绩效目标表 (专项名称 / 省份 / 资金情况 with 年度金额 and
其中 中央/地方/其他资金 / 年度目标 / 绩效指标 一级 二级 三级 指标值) and the budget unit's 项目支出绩效目标表
(预算单位 … 项目名称 / 项目资金 with 年度资金总额, 财政拨款, 其他资金 on one row / 项目总体目标 / 一级 二级 三级
指标值). Merged cells come out blank, so a blank level-1 or level-2 cell repeats the one above; a level-2 name
written in the level-1 column (a merged level-1 cell lost its column in the copy) is moved back to level 2.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from fundflow.core.errors import Location, Problem
from fundflow.core.performance.model import LEVEL1_NAMES, LEVEL2_NAMES, FundPart, Funds, Indicator, TargetTable
from fundflow.core.performance.values import parse_value

_START = ("专项名称", "预算单位")
_YEAR = re.compile(r"[（(]\s*(\d{4})\s*年度?\s*[)）]")
_YEAR_ANYWHERE = re.compile(r"(\d{4})\s*年度?")
_UNIT = re.compile(r"[（(]\s*(万元|元)\s*[)）]")
_GOAL_SPLIT = re.compile(r"(?=目标\s*\d+\s*[：:])")
_AMOUNT = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_LABEL_PREFIX = re.compile(r"^其中\s*[：:]\s*")


def read_tables(text: str, file: str | None = None) -> tuple[list[TargetTable], list[Problem]]:
    """Every target table in ``text``, and the problems met reading them (values, amounts, shape)."""
    lines = text.splitlines()
    tables: list[TargetTable] = []
    problems: list[Problem] = []
    for start, line in enumerate(lines):
        if line.split("\t", 1)[0].strip() not in _START or "\t" not in line:
            continue
        end = start
        while end < len(lines) and lines[end].strip():
            end += 1
        table, found = _read_table(lines, start, end, file)
        tables.append(table)
        problems += found
    return tables, problems


def _title_and_year(lines: list[str], start: int) -> tuple[str, int | None]:
    """The title (the nearest 表 line above the table) and the year printed in or just below it."""
    above = [line.strip() for line in lines[max(0, start - 6) : start] if line.strip()]
    year = None
    for line in reversed(above):
        match = _YEAR.search(line)
        if match:
            year = int(match[1])
            break
    title = next((line for line in reversed(above) if "表" in line), "")
    if year is None and title:
        match = _YEAR_ANYWHERE.search(title)
        year = int(match[1]) if match else None
    return title, year


def _read_table(lines: list[str], start: int, end: int, file: str | None) -> tuple[TargetTable, list[Problem]]:
    title, year = _title_and_year(lines, start)
    where = Location(file, start + 1)
    problems: list[Problem] = []
    program = region = ""
    goals: tuple[str, ...] = ()
    funds: Funds | None = None
    header: dict[str, int] | None = None
    indicators: list[Indicator] = []
    level1 = level2 = ""
    for number in range(start, end):
        cells = [cell.strip() for cell in lines[number].split("\t")]
        at = Location(file, number + 1)
        first = cells[0]
        if header is not None:
            indicator, level1, level2, found = _indicator_row(cells, header, level1, level2, at)
            problems += found
            if indicator is not None:
                indicators.append(indicator)
            continue
        if first in ("专项名称", "项目名称"):
            program = _next_value(cells, 0)
        elif first in ("省份", "地区", "区域"):
            region = _next_value(cells, 0)
        elif first == "预算单位":
            region = _next_value(cells, 0)
            if "项目名称" in cells:
                program = _next_value(cells, cells.index("项目名称"))
        elif first.startswith(("资金情况", "项目资金")):
            unit_match = _UNIT.search(first)
            pairs, found = _fund_pairs(cells, at)
            problems += found
            if pairs:
                funds = Funds(unit_match[1] if unit_match else "万元", pairs[0], tuple(pairs[1:]))
        elif first == "" and funds is not None and any(cells[1:]):
            pairs, found = _fund_pairs(cells, at)
            problems += found
            funds = Funds(funds.unit, funds.total, funds.parts + tuple(pairs))
        elif first.startswith(("年度目标", "项目总体目标", "总体目标", "年度总体目标")):
            goals = tuple(goal.strip() for goal in _GOAL_SPLIT.split(_next_value(cells, 0)) if goal.strip())
        elif any(cell.startswith("一级指标") for cell in cells) and any(c.startswith("三级指标") for c in cells):
            header = _header(cells)
    if header is None:
        problems.append(Problem("perf.table-shape", "绩效目标表缺少“一级指标 二级指标 三级指标 指标值”表头行", where))
    if year is None:
        problems.append(Problem("perf.table-shape", "绩效目标表的标题中没有年度（如“（2021年度）”）", where))
    table = TargetTable(program, year or 0, region, goals, funds, tuple(indicators), title=title, location=where)
    return table, problems


def _next_value(cells: list[str], index: int) -> str:
    return next((cell for cell in cells[index + 1 :] if cell), "")


def _fund_pairs(cells: list[str], at: Location) -> tuple[list[FundPart], list[Problem]]:
    """(label, amount) pairs of a 资金情况 row after its first cell: 年度金额：\t101782 or 年度资金总额:\t48.5\t
    其中:财政拨款\t48.5 …"""
    parts: list[FundPart] = []
    problems: list[Problem] = []
    index = 1
    while index < len(cells):
        label = cells[index]
        if not label:
            index += 1
            continue
        amount_text = cells[index + 1] if index + 1 < len(cells) else ""
        clean = _LABEL_PREFIX.sub("", label).rstrip("：:").strip()
        amount: Decimal | None = None
        if amount_text:
            if _AMOUNT.fullmatch(amount_text):
                try:
                    amount = Decimal(amount_text)
                except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
                    amount = None
            else:
                message = f"资金情况“{clean}”的金额“{amount_text}”不是数字"
                problems.append(Problem("perf.funds-cell", message, at.at_column(index + 2)))  # amount: 1-based column
        parts.append(FundPart(clean, amount))
        index += 2
    return parts, problems


def _header(cells: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        for key in ("一级指标", "二级指标", "三级指标", "指标值"):
            if cell.startswith(key) and key not in found:
                found[key] = index
    return found


def _indicator_row(
    cells: list[str], header: dict[str, int], level1: str, level2: str, at: Location
) -> tuple[Indicator | None, str, str, list[Problem]]:
    i1, i2, i3 = header.get("一级指标", 0), header.get("二级指标", 1), header.get("三级指标", 2)
    iv = header.get("指标值", i3 + 1)
    if len(cells) > i1 and cells[i1] in LEVEL2_NAMES and cells[i1] not in LEVEL1_NAMES:
        cells = [*cells[:i1], "", *cells[i1:]]

    def cell(index: int) -> str:
        return cells[index] if index < len(cells) else ""

    if cell(i1):
        level1 = cell(i1)
    if cell(i2):
        level2 = cell(i2)
    name = cell(i3)
    value_text = cell(iv) or next((c for c in reversed(cells[i3 + 1 :]) if c), "")
    if not name and not value_text:
        return None, level1, level2, []
    value, problems = parse_value(value_text, at.at_column(iv + 1))
    return Indicator(level1, level2, name, value, location=at), level1, level2, problems
