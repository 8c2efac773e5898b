"""Budget files (YAML) for ``fundflow disclosure generate``: a unit's budget as lines. Format: docs/disclosure.md.

Like plan files, they are composed rather than loaded, so every number is parsed from its source text as a
Decimal and every problem names its line and column. All problems are collected before anything is generated.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import yaml

from fundflow.core.disclosure.model import (
    Assets,
    BudgetLine,
    Nature,
    PreviousLine,
    Procurement,
    Project,
    Source,
    Staffing,
    ThreePublic,
    UnitBudget,
)
from fundflow.core.disclosure.stated import CodeBook
from fundflow.core.errors import Location, PlanError, Problem
from fundflow.core.money import Rounding
from fundflow.io.numbers import parse_decimal
from fundflow.io.yamlnodes import Y, compose

T = TypeVar("T")
_SOURCE_KEYS = {
    "gpb": Source.GPB,
    "fund": Source.FUND,
    "soe": Source.SOE,
    "special": Source.SPECIAL,
    "business": Source.BUSINESS,
    "superior": Source.SUPERIOR,
    "operating": Source.OPERATING,
    "other": Source.OTHER,
    "superior_special": Source.SUPERIOR_SPECIAL,
    "reserve": Source.RESERVE,
}
_NATURES = {"basic": Nature.BASIC, "project": Nature.PROJECT, "基本支出": Nature.BASIC, "项目支出": Nature.PROJECT}
TOP_KEYS = {
    "unit", "year", "date", "functions", "structure", "staffing", "lines", "previous", "projects", "three_public",
    "three_public_previous", "running_costs", "running_costs_previous", "procurement", "assets", "reasons",
}  # fmt: skip


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, rule: str, message: str, node: Y | None) -> None:
        self.problems.append(Problem(rule, message, node.location if node else Location(self.file)))

    def mapping(self, node: Y, allowed: set[str], what: str) -> dict[str, Y]:
        if not node.is_mapping:
            self.problem("yaml.type", f"{what}应为键值对", node)
            return {}
        out: dict[str, Y] = {}
        for key, value in node.items():
            name = key.text() if key.is_scalar else ""
            if name not in allowed:
                self.problem(
                    "budget.unknown-key", f"{what}中有未知的键“{name}”，可用：{'、'.join(sorted(allowed))}", key
                )
            else:
                out[name] = value
        return out

    def text(self, node: Y | None, what: str, required: bool = False) -> str:
        if node is None:
            if required:
                self.problem("budget.missing", f"缺少{what}", None)
            return ""
        if not node.is_scalar:
            self.problem("yaml.type", f"{what}应为文字", node)
            return ""
        return node.text().strip()

    def amount(self, node: Y | None, what: str, default: Decimal | None = Decimal(0)) -> Decimal | None:
        """A non-negative amount in 万元 with at most two decimals (the printed precision)."""
        if node is None:
            return default
        try:
            value = parse_decimal(self.text(node, what))
        except ValueError:
            self.problem("yaml.number", f"{what}应为数字，实为“{self.text(node, what)}”", node)
            return default
        if value < 0:
            self.problem("budget.negative", f"{what}不能为负数", node)
        elif Rounding(2).apply(value) != value:
            self.problem("budget.places", f"{what}最多保留2位小数（万元）", node)
        return value

    def number(self, node: Y | None, what: str) -> Decimal | None:
        if node is None:
            return None
        try:
            return parse_decimal(self.text(node, what))
        except ValueError:
            self.problem("yaml.number", f"{what}应为数字", node)
            return None

    def integer(self, node: Y | None, what: str) -> int:
        value = self.number(node, what)
        if value is None:
            return 0
        if value != value.to_integral_value():
            self.problem("yaml.integer", f"{what}应为整数", node)
            return 0
        return int(value)

    def sequence(self, node: Y | None, what: str, each: Callable[[Y], T | None]) -> tuple[T, ...]:
        if node is None:
            return ()
        if not node.is_sequence:
            self.problem("yaml.type", f"{what}应为列表", node)
            return ()
        return tuple(x for x in (each(e) for e in node.elements()) if x is not None)


def load_budget(path: Path, book: CodeBook) -> UnitBudget:
    if not path.exists():
        raise PlanError.single("file.missing", "文件不存在", Location(str(path)))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise PlanError.single("file.encoding", "文件不是 UTF-8 编码", Location(str(path))) from None
    return parse_budget(text, str(path), book)


def parse_budget(text: str, file: str, book: CodeBook) -> UnitBudget:
    """Parse and validate a budget file; raise PlanError with every problem found."""
    try:
        root = compose(text, file)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file)
        raise PlanError.single("yaml.syntax", f"YAML 语法错误：{getattr(exc, 'problem', exc)}", where) from None
    if root is None or not root.is_mapping:
        raise PlanError.single("yaml.root", "预算文件应为键值对", Location(file))
    return parse_nodes(root, file, book)


def parse_nodes(root: Y, file: str, book: CodeBook) -> UnitBudget:
    """Validate a composed budget (from YAML, or built from the Excel template's cells) into a UnitBudget."""
    r = _Reader(file)
    top = r.mapping(root, TOP_KEYS, "预算文件")
    unit = r.text(top.get("unit"), "单位名称（unit）", required=True)
    year = r.integer(top.get("year"), "年度（year）") if "year" in top else 0
    if not year:
        r.problem("budget.missing", "缺少年度（year）", top.get("year"))
    lines = r.sequence(top.get("lines"), "预算行（lines）", lambda n: _line(r, n, book))
    if not lines:
        r.problem("budget.missing", "缺少预算行（lines）", top.get("lines"))
    projects = r.sequence(top.get("projects"), "项目（projects）", lambda n: _project(r, n))
    budget = UnitBudget(
        unit=unit,
        year=year,
        lines=lines,
        previous=r.sequence(top.get("previous"), "上年数（previous）", lambda n: _previous(r, n)),
        projects=projects,
        three_public=_three_public(r, top.get("three_public")) or ThreePublic(),
        three_public_previous=_three_public(r, top.get("three_public_previous")),
        running_costs=r.amount(top.get("running_costs"), "机关运行经费", None),
        running_costs_previous=r.amount(top.get("running_costs_previous"), "上年机关运行经费", None),
        procurement=_fields(r, top.get("procurement"), Procurement, "政府采购"),
        assets=_fields(r, top.get("assets"), Assets, "国有资产"),
        staffing=_fields(r, top.get("staffing"), Staffing, "人员编制"),
        functions=r.sequence(top.get("functions"), "主要职能", lambda n: r.text(n, "职能")),
        structure=r.text(top.get("structure"), "机构设置"),
        date=r.text(top.get("date"), "日期"),
        reasons=_reasons(r, top.get("reasons")),
    )
    _cross_checks(r, budget, top)
    if r.problems:
        raise PlanError(r.problems)
    return budget


_LINE_KEYS = {"function", "economic", "amount", "nature", "source", "project"}


def _source(r: _Reader, node: Y | None) -> Source:
    text = r.text(node, "资金来源")
    if not text:
        return Source.GPB
    if text in _SOURCE_KEYS:
        return _SOURCE_KEYS[text]
    for s in Source:
        if s.value == text:
            return s
    r.problem("budget.source", f"未知资金来源“{text}”，可用：{'、'.join(_SOURCE_KEYS)} 或中文名称", node)
    return Source.GPB


def _nature(r: _Reader, node: Y | None) -> Nature:
    text = r.text(node, "支出性质（nature）", required=True)
    if text not in _NATURES:
        r.problem("budget.nature", f"支出性质应为 basic（基本支出）或 project（项目支出），实为“{text}”", node)
        return Nature.BASIC
    return _NATURES[text]


def _code(r: _Reader, node: Y | None, kind: str, digits: int, what: str, book: CodeBook) -> str:
    code = r.text(node, what, required=True)
    if node is None:
        return code
    if len(code) != digits or not code.isdigit():
        r.problem("budget.code", f"{what}应为 {digits} 位数字，实为“{code}”", node)
    elif book.name(kind, code) is None:
        r.problem("budget.code-unknown", f"{book.year}年分类科目表中没有{what} {code}", node)
    return code


def _line(r: _Reader, node: Y, book: CodeBook) -> BudgetLine | None:
    m = r.mapping(node, _LINE_KEYS, "预算行")
    if not m:
        return None
    nature = _nature(r, m.get("nature"))
    project = r.text(m.get("project"), "项目名称")
    if nature is Nature.PROJECT and not project:
        r.problem("budget.project-missing", "项目支出行须写项目名称（project）", node)
    if nature is Nature.BASIC and project:
        r.problem("budget.project-on-basic", "基本支出行不应写项目名称", m.get("project"))
    return BudgetLine(
        function=_code(r, m.get("function"), "function", 7, "功能分类项级科目（function）", book),
        economic=_code(r, m.get("economic"), "dept_economic", 5, "部门经济分类款级科目（economic）", book),
        amount=r.amount(m.get("amount"), "金额（amount）") or Decimal(0),
        nature=nature,
        source=_source(r, m.get("source")),
        project=project,
        location=node.location,
    )


def _previous(r: _Reader, node: Y) -> PreviousLine | None:
    m = r.mapping(node, {"function", "nature", "amount", "source"}, "上年数")
    if not m:
        return None
    return PreviousLine(
        r.text(m.get("function"), "功能分类项级科目", required=True),
        _nature(r, m.get("nature")),
        r.amount(m.get("amount"), "上年金额") or Decimal(0),
        _source(r, m.get("source")),
    )


_PROJECT_KEYS = {
    "name",
    "basis",
    "scale",
    "standard",
    "standard_unit",
    "quantity",
    "quantity_unit",
    "executor",
    "period",
}


def _project(r: _Reader, node: Y) -> Project | None:
    m = r.mapping(node, _PROJECT_KEYS, "项目")
    if not m:
        return None
    return Project(
        name=r.text(m.get("name"), "项目名称（name）", required=True),
        basis=r.text(m.get("basis"), "政策依据"),
        scale=r.text(m.get("scale"), "预算安排规模"),
        standard=r.number(m.get("standard"), "标准（standard）"),
        standard_unit=r.text(m.get("standard_unit"), "标准单位") or "元/人/年",
        quantity=r.number(m.get("quantity"), "数量（quantity）"),
        quantity_unit=r.text(m.get("quantity_unit"), "数量单位") or "人",
        executor=r.text(m.get("executor"), "项目承担单位"),
        period=r.text(m.get("period"), "资金执行时间"),
        location=node.location,
    )


def _three_public(r: _Reader, node: Y | None) -> ThreePublic | None:
    if node is None:
        return None
    m = r.mapping(node, {"abroad", "car_purchase", "car_running", "reception"}, "“三公”经费")
    return ThreePublic(
        *(
            r.amount(m.get(k), f"“三公”经费 {k}") or Decimal(0)
            for k in ("abroad", "car_purchase", "car_running", "reception")
        )
    )


def _fields(r: _Reader, node: Y | None, cls: Callable[..., T], what: str) -> T:
    """Fill a dataclass of amounts (Decimal) and counts (int) from a mapping of the same field names."""
    import dataclasses

    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    if node is None:
        return cls()
    m = r.mapping(node, set(fields), what)
    values: dict[str, object] = {}
    for name, value in m.items():
        if fields[name].type in ("int", int):
            values[name] = r.integer(value, f"{what} {name}")
        else:
            values[name] = r.number(value, f"{what} {name}") or Decimal(0)
    return cls(**values)


def _reasons(r: _Reader, node: Y | None) -> dict[str, str]:
    if node is None:
        return {}
    if not node.is_mapping:
        r.problem("yaml.type", "reasons 应为键值对", node)
        return {}
    return {k.text(): r.text(v, f"原因 {k.text()}") for k, v in node.items()}


def _cross_checks(r: _Reader, budget: UnitBudget, top: dict[str, Y]) -> None:
    """Projects' standard × quantity, and “三公” figures at least the basic lines of their economic codes."""
    three = {
        "30212": budget.three_public.abroad,
        "30231": budget.three_public.car_running,
        "30217": budget.three_public.reception,
    }
    for code, limit in three.items():
        basic = sum(
            (
                ln.amount
                for ln in budget.lines
                if ln.economic == code and ln.nature is Nature.BASIC and ln.source is Source.GPB
            ),
            Decimal(0),
        )
        if basic > limit:
            r.problems.append(
                Problem(
                    "budget.three-public",
                    f"一般公共预算基本支出 {code} 共 {basic} 万元，"
                    f"大于“三公”经费（three_public）中的对应数 {limit} 万元",
                    top["three_public"].location if "three_public" in top else Location(r.file),
                )
            )
    names = {p.name for p in budget.projects}
    for ln in budget.lines:
        if ln.project and ln.project not in names:
            r.problems.append(Problem("budget.project-unknown", f"项目“{ln.project}”未在 projects 中说明", ln.location))
    for p in budget.projects:
        if p.standard is None or p.quantity is None:
            continue
        amount = sum((ln.amount for ln in budget.lines if ln.project == p.name and ln.source is Source.GPB), Decimal(0))
        product = Rounding(2).apply(p.standard * p.quantity / 10000)
        if product != amount:
            r.problems.append(
                Problem(
                    "budget.project-standard",
                    f"项目“{p.name}”一般公共预算金额 {amount} 万元，"
                    f"不等于标准 {p.standard} 元×数量 {p.quantity} = {product} 万元",
                    p.location,
                )
            )
