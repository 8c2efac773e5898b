"""A unit's budget for one year, as data: the input from which the nine tables and the narrative are computed.

Amounts are 万元 (what the disclosure prints) as exact Decimals with at most two decimals, so every table
figure is an exact sum and no figure in a table needs rounding; only percentages are rounded (see percent.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from fundflow.core.errors import Location

ZERO = Decimal(0)


class Source(StrEnum):
    """Funding sources, as table 2 prints its columns. The first three are 财政拨款."""

    GPB = "一般公共预算"
    FUND = "政府性基金预算"
    SOE = "国有资本经营预算"
    SPECIAL = "财政专户管理资金"
    BUSINESS = "事业收入"
    SUPERIOR = "上级补助收入"
    OPERATING = "事业单位经营收入"
    OTHER = "单位其他资金收入"
    SUPERIOR_SPECIAL = "上级专项收入"
    RESERVE = "用事业基金弥补收支差额"

    @property
    def fiscal(self) -> bool:
        return self in (Source.GPB, Source.FUND, Source.SOE)


class Nature(StrEnum):
    BASIC = "基本支出"
    PROJECT = "项目支出"


class Category(StrEnum):
    """Basic expenditure is either personnel (人员经费) or public (公用经费), decided by the economic class."""

    PERSONNEL = "人员经费"
    PUBLIC = "公用经费"


def default_category(economic: str) -> Category:
    """301 工资福利 and 303 对个人和家庭的补助 are personnel; everything else is public (the template's split)."""
    return Category.PERSONNEL if economic[:3] in ("301", "303") else Category.PUBLIC


@dataclass(frozen=True, slots=True)
class BudgetLine:
    """One budget line: functional 项 code (7 digits) × departmental economic 款 code (5 digits)."""

    function: str
    economic: str
    amount: Decimal
    nature: Nature
    source: Source = Source.GPB
    project: str = ""
    location: Location | None = None

    @property
    def category(self) -> Category:
        return default_category(self.economic)


@dataclass(frozen=True, slots=True)
class PreviousLine:
    """Last year's budget for a functional 项 code, nature and source (what year-on-year changes compare to)."""

    function: str
    nature: Nature
    amount: Decimal
    source: Source = Source.GPB


@dataclass(frozen=True, slots=True)
class Project:
    """A project: its basis and, when it is formed as standard × quantity, both (standard in 元 per unit)."""

    name: str
    basis: str = ""
    scale: str = ""
    standard: Decimal | None = None
    standard_unit: str = "元/人/年"
    quantity: Decimal | None = None
    quantity_unit: str = "人"
    executor: str = ""
    period: str = ""
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class ThreePublic:
    """“三公”经费: 因公出国（境）, 公务用车购置, 公务用车运行, 公务接待 (万元)."""

    abroad: Decimal = ZERO
    car_purchase: Decimal = ZERO
    car_running: Decimal = ZERO
    reception: Decimal = ZERO

    @property
    def cars(self) -> Decimal:
        return self.car_purchase + self.car_running

    @property
    def total(self) -> Decimal:
        return self.abroad + self.cars + self.reception


@dataclass(frozen=True, slots=True)
class Procurement:
    goods: Decimal = ZERO
    works: Decimal = ZERO
    services: Decimal = ZERO
    sme_reserved: Decimal = ZERO
    small_micro_reserved: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.goods + self.works + self.services


@dataclass(frozen=True, slots=True)
class Assets:
    """国有资产占用 at the end of the previous year (areas in m², values in 万元)."""

    building_area: Decimal = ZERO
    building_value: Decimal = ZERO
    general_vehicles: int = 0
    general_vehicle_value: Decimal = ZERO
    enforcement_vehicles: int = 0
    enforcement_vehicle_value: Decimal = ZERO
    other_vehicles: int = 0
    other_vehicle_value: Decimal = ZERO
    furniture_value: Decimal = ZERO
    other_value: Decimal = ZERO
    equipment_over_50: int = 0
    equipment_over_100: int = 0

    @property
    def vehicles(self) -> int:
        return self.general_vehicles + self.enforcement_vehicles + self.other_vehicles

    @property
    def vehicle_value(self) -> Decimal:
        return self.general_vehicle_value + self.enforcement_vehicle_value + self.other_vehicle_value


@dataclass(frozen=True, slots=True)
class Staffing:
    authorized: int = 0
    actual: int = 0
    in_service: int = 0
    retired: int = 0


@dataclass(frozen=True)
class UnitBudget:
    """Everything the package is computed from. ``reasons`` maps a figure key to its explanation text.

    Reason keys: ``income``, ``basic``, ``project``, ``three_public``, ``running``, a source name such as
    ``一般公共预算``, or a functional 项 code such as ``2101501``.
    """

    unit: str
    year: int
    lines: tuple[BudgetLine, ...]
    previous: tuple[PreviousLine, ...] = ()
    projects: tuple[Project, ...] = ()
    three_public: ThreePublic = ThreePublic()
    three_public_previous: ThreePublic | None = None
    running_costs: Decimal | None = None
    running_costs_previous: Decimal | None = None
    procurement: Procurement = Procurement()
    assets: Assets = Assets()
    staffing: Staffing = Staffing()
    functions: tuple[str, ...] = ()
    structure: str = ""
    date: str = ""
    reasons: Mapping[str, str] = field(default_factory=dict)

    def reason(self, key: str) -> str:
        return self.reasons.get(key, "")
