"""A disclosure as it is printed: nine tables of stated figures and the narrative paragraphs.

The checker works on this structure only, whatever it came from (fundflow's own generator, its XLSX, or the
text of a published document), so a generated package and a published one are checked by the same rules.
Figures are 万元 with the printed number of decimals; a blank cell is ``None`` (read as 0 when summing).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Protocol


class TableKey(StrEnum):
    """The nine tables of the 2021 Xinjiang template, in printed order. The value is the short name."""

    OVERVIEW = "收支总体"
    INCOME = "收入总体"
    EXPENDITURE = "支出总体"
    FISCAL = "财政拨款收支总体"
    GPB = "一般公共预算支出"
    GPB_BASIC = "一般公共预算基本支出"
    GPB_PROJECT = "一般公共预算项目支出"
    THREE_PUBLIC = "三公经费"
    FUND = "政府性基金"

    @property
    def number(self) -> str:
        """``表一`` … ``表九``."""
        return "表" + "一二三四五六七八九"[list(TableKey).index(self)]

    @property
    def heading(self) -> str:
        return _TITLES[self]


_TITLES = {
    TableKey.OVERVIEW: "单位收支总体情况表",
    TableKey.INCOME: "单位收入总体情况表",
    TableKey.EXPENDITURE: "单位支出总体情况表",
    TableKey.FISCAL: "财政拨款收支预算总体情况表",
    TableKey.GPB: "一般公共预算支出情况表",
    TableKey.GPB_BASIC: "一般公共预算基本支出情况表",
    TableKey.GPB_PROJECT: "一般公共预算项目支出情况表",
    TableKey.THREE_PUBLIC: "一般公共预算“三公”经费支出情况表",
    TableKey.FUND: "政府性基金预算支出情况表",
}

# Canonical column names (headers are normalised to these by the readers).
TOTAL = "合计"
BASIC = "基本支出"
PROJECT = "项目支出"
PERSONNEL = "人员经费"
PUBLIC = "公用经费"
GPB_COL = "一般公共预算"
FUND_COL = "政府性基金预算"
SOE_COL = "国有资本经营预算"
FISCAL_COLUMNS = (TOTAL, GPB_COL, FUND_COL, SOE_COL)
# 表二's last column (单位年余, the unit's own balance brought forward): not a funding source of the budget lines, so
# fundflow prints it blank; a published table may fill it, and its figures then count in 合计.
CARRYOVER = "上年结转"
THREE_PUBLIC_COLUMNS = (
    TOTAL,
    "因公出国（境）费",
    "公务用车购置及运行费",
    "公务用车购置费",
    "公务用车运行费",
    "公务接待费",
)
PROJECT_ECONOMIC_CLASSES = (
    ("301", "工资福利支出"),
    ("302", "商品和服务支出"),
    ("303", "对个人和家庭的补助"),
    ("307", "债务利息及费用支出"),
    ("309", "资本性支出（基本建设）"),
    ("310", "资本性支出"),
    ("311", "对企业补助（基本建设）"),
    ("312", "对企业补助"),
    ("313", "对社会保障基金补助"),
    ("399", "其他支出"),
)
INCOME_TOTAL = "收入总计"
EXPENSE_TOTAL = "支出总计"
FISCAL_GRANT = "财政拨款（补助）"


class Side(StrEnum):
    """Tables 1 and 4 print income on the left and expenditure on the right."""

    NONE = ""
    INCOME = "收入"
    EXPENSE = "支出"


@dataclass(frozen=True, slots=True)
class StatedRow:
    """One printed row. ``code`` joins the 类/款/项 cells (``2101501``); '' when the row has none."""

    code: str
    name: str
    values: Mapping[str, Decimal | None]
    line: int | None = None
    project: str = ""
    side: Side = Side.NONE
    total: bool = False

    def value(self, column: str) -> Decimal:
        """The figure in ``column``; a blank cell counts as 0."""
        found = self.values.get(column)
        return found if found is not None else Decimal(0)

    @property
    def label(self) -> str:
        """How a finding names this row: ``210 12 02 财政对…`` or the row's text."""
        if self.code:
            parts = [self.code[:3], self.code[3:5], self.code[5:7]]
            code = " ".join(p for p in parts if p)
            text = f"{code} {self.name}".strip()
        else:
            text = self.name
        return f"{text}（{self.project}）" if self.project and not self.total else text


@dataclass(frozen=True, slots=True)
class StatedTable:
    key: TableKey
    columns: tuple[str, ...]
    rows: tuple[StatedRow, ...]
    line: int | None = None
    notes: tuple[str, ...] = ()

    def side(self, side: Side) -> list[StatedRow]:
        return [r for r in self.rows if r.side is side]

    def total_row(self, side: Side = Side.NONE) -> StatedRow | None:
        return next((r for r in self.rows if r.total and r.side is side), None)


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A narrative paragraph. ``section`` is the 第三部分 section numeral (``五``) or a part name."""

    section: str
    text: str
    line: int | None = None


@dataclass(frozen=True)
class Disclosure:
    unit: str
    year: int | None
    tables: Mapping[TableKey, StatedTable]
    paragraphs: tuple[Paragraph, ...] = ()
    source: str | None = None
    glossary: tuple[str, ...] = field(default=())


class CodeBook(Protocol):
    """What the core needs of the classification catalogue (``fundflow.reference.Catalogue`` provides it)."""

    @property
    def year(self) -> int: ...

    def name(self, kind: str, code: str) -> str | None: ...

    def classes(self, kind: str) -> list[tuple[str, str]]: ...


def normalise(text: str) -> str:
    """Remove every kind of whitespace, as a reader of a wrapped PDF cell would (``卫生健康 支出``)."""
    return "".join(text.split())
