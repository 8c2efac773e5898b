"""Consistency rules as data, and the findings they produce.

Each rule has a stable id (documented in docs/rules.md and docs/disclosure.md), a scope, a severity and a
Chinese title. A finding names where (table, row, column, or paragraph), what is stated and what it should be.
Checkers return lists of findings; they never raise on a bad document.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from fundflow.core.disclosure.stated import TableKey


class Severity(StrEnum):
    FATAL = "fatal"
    WARNING = "warning"

    @property
    def label(self) -> str:
        return "错误" if self is Severity.FATAL else "提示"


class Scope(StrEnum):
    TABLE = "table"
    CROSS_TABLE = "cross-table"
    NARRATIVE = "narrative"
    CATALOGUE = "catalogue"
    PROJECT = "project"
    DOCUMENT = "document"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    scope: Scope
    severity: Severity
    title: str


_RULES = (
    Rule("disclosure.table-total", Scope.TABLE, Severity.FATAL, "合计（或上级科目）不等于其下各行之和"),
    Rule("disclosure.row-total", Scope.TABLE, Severity.FATAL, "行合计不等于该行各分项之和"),
    Rule("disclosure.balance", Scope.TABLE, Severity.FATAL, "收入总计与支出总计不相等"),
    Rule("disclosure.cross-table", Scope.CROSS_TABLE, Severity.FATAL, "同一数据在两张表中不一致"),
    Rule(
        "disclosure.three-public-economic",
        Scope.CROSS_TABLE,
        Severity.WARNING,
        "基本支出中的“三公”科目大于“三公”经费表",
    ),
    Rule("disclosure.narrative-amount", Scope.NARRATIVE, Severity.FATAL, "说明中的金额与表中不一致"),
    Rule("disclosure.narrative-share", Scope.NARRATIVE, Severity.FATAL, "说明中的占比与表中数据不符"),
    Rule("disclosure.yoy-change", Scope.NARRATIVE, Severity.FATAL, "增减额不等于本年数减所述上年数"),
    Rule("disclosure.yoy-growth", Scope.NARRATIVE, Severity.FATAL, "增长率与所述增减额及上年数不符"),
    Rule("disclosure.percent-precision", Scope.DOCUMENT, Severity.WARNING, "同一文件中百分比保留位数不一致"),
    Rule("disclosure.code-name", Scope.CATALOGUE, Severity.FATAL, "科目名称与分类科目表不符"),
    Rule("disclosure.code-unknown", Scope.CATALOGUE, Severity.FATAL, "分类科目表中没有该科目编码"),
    Rule("disclosure.project-standard", Scope.PROJECT, Severity.FATAL, "项目金额不等于标准×数量"),
    Rule("disclosure.project-amount", Scope.PROJECT, Severity.FATAL, "说明中的项目金额与项目支出表不一致"),
    Rule("disclosure.project-unknown", Scope.PROJECT, Severity.WARNING, "说明中的项目不在项目支出表中"),
    Rule("disclosure.table-missing", Scope.DOCUMENT, Severity.WARNING, "缺少公开表"),
)
RULES: dict[str, Rule] = {r.id: r for r in _RULES}


@dataclass(frozen=True, slots=True)
class Where:
    """Where a finding is: a table cell (table, row label, column) or a narrative paragraph; ``line`` in the file."""

    table: TableKey | None = None
    row: str = ""
    column: str = ""
    section: str = ""
    paragraph: int | None = None
    line: int | None = None

    def describe(self) -> str:
        parts: list[str] = []
        if self.table is not None:
            parts.append(f"{self.table.number}{self.table.heading}")
        if self.section:
            parts.append(f"第三部分第{self.section}节")
        if self.row:
            parts.append(f"“{self.row}”行")
        if self.column:
            parts.append(f"“{self.column}”列")
        if self.line is not None:
            parts.append(f"（第 {self.line} 行）")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    where: Where
    message: str
    stated: Decimal | str | None = None
    expected: Decimal | str | None = None

    @property
    def severity(self) -> Severity:
        return RULES[self.rule].severity

    def describe(self) -> str:
        return f"{self.severity.label}［{self.rule}］{self.where.describe()}：{self.message}"


def finding(
    rule: str, where: Where, message: str, stated: Decimal | str | None = None, expected: Decimal | str | None = None
) -> Finding:
    """Build a finding; an unknown rule id is a programming error, caught here rather than in a report."""
    if rule not in RULES:
        raise KeyError(rule)
    return Finding(rule, where, message, stated, expected)
