"""Allocation plans: what is to be divided, by which method, among whom.

A plan is a frozen value built by a loader (``fundflow.io.plan_yaml``) or by the web layer. Every input
carries the :class:`~fundflow.core.errors.Location` it came from so that rule violations can point at it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from fundflow.core.apportion import Apportion
from fundflow.core.errors import Location
from fundflow.core.money import Rounding, Unit


class Method(StrEnum):
    FACTOR = "factor"
    STANDARD_SHARE = "standard_share"
    SETTLEMENT = "settlement"
    FIXED = "fixed"

    @property
    def label(self) -> str:
        return {
            Method.FACTOR: "因素法",
            Method.STANDARD_SHARE: "定额标准加比例分配",
            Method.SETTLEMENT: "结算（多退少补）",
            Method.FIXED: "定额下达",
        }[self]


@dataclass(frozen=True, slots=True)
class Recipient:
    """One line of the table: a lower government or unit, with its input columns."""

    name: str
    group: str | None = None
    values: Mapping[str, Decimal] = field(default_factory=dict)
    duplicates: Mapping[str, Decimal] = field(default_factory=dict)
    note: str = ""
    location: Location | None = None
    cell_locations: Mapping[str, Location] = field(default_factory=dict)

    def where(self, column: str) -> Location | None:
        """Location of one input cell, falling back to the row."""
        if column in self.cell_locations:
            return self.cell_locations[column]
        return self.location.at_column(column) if self.location else None


@dataclass(frozen=True, slots=True)
class Adjustment:
    """A manual tail adjustment (尾差调整): ``delta`` on one part of one line, with a reason."""

    recipient: str
    part: str
    delta: Decimal
    reason: str
    group: str | None = None  # needed only when the recipient's name occurs in several groups
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class Factor:
    """One factor of the factor method: its weight and the count columns whose sum is its count."""

    name: str
    weight: Decimal
    counts: tuple[str, ...]
    count_label: str | None = None  # label of the printed sum column when there are several counts
    amount_label: str = "补助资金"
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class FactorMethod:
    factors: tuple[Factor, ...]


@dataclass(frozen=True, slots=True)
class StandardComponent:
    """A per-unit standard: ``standard_yuan`` 元 × the recipient's ``count`` column."""

    name: str
    count: str
    standard_yuan: Decimal
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class ShareComponent:
    """A share of ``pot_yuan``: either a given percentage column, or ``count / base`` rounded to a percentage.

    ``base`` of ``None`` means the sum of ``count`` over all recipients.
    """

    name: str
    pot_yuan: Decimal
    share_percent: str | None = None
    count: str | None = None
    base: Decimal | None = None
    share_places: int = 2
    location: Location | None = None


Component = StandardComponent | ShareComponent


@dataclass(frozen=True, slots=True)
class StandardShareMethod:
    components: tuple[Component, ...]


@dataclass(frozen=True, slots=True)
class SettlementMethod:
    """Settlement against earlier advances (结算/扣回).

    Per recipient: ``entitlement`` (in the plan's unit) or ``insured`` persons minus each category of
    ``duplicates`` × ``standard_yuan``; then minus ``advanced`` (in the plan's unit).
    """

    advance_document: str
    standard_yuan: Decimal | None = None


@dataclass(frozen=True, slots=True)
class FixedMethod:
    """Given amounts (column ``amount``) to named units, printed under ``part``."""

    part: str = "拨付资金"


MethodSpec = FactorMethod | StandardShareMethod | SettlementMethod | FixedMethod


@dataclass(frozen=True, slots=True)
class Plan:
    title: str
    method: MethodSpec
    recipients: tuple[Recipient, ...]
    unit: Unit = Unit.WAN
    total: Decimal | None = None
    rounding: Rounding = field(default_factory=Rounding)
    apportion: Apportion = Apportion.PER_LINE
    fund: str = ""
    year: int | None = None
    groups: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    adjustments: tuple[Adjustment, ...] = ()
    total_label: str = "合计"
    source: str | None = None
    location: Mapping[str, Location] = field(default_factory=dict)

    @property
    def method_kind(self) -> Method:
        if isinstance(self.method, FactorMethod):
            return Method.FACTOR
        if isinstance(self.method, StandardShareMethod):
            return Method.STANDARD_SHARE
        if isinstance(self.method, SettlementMethod):
            return Method.SETTLEMENT
        return Method.FIXED

    def label(self, column: str) -> str:
        """Display label of an input column (plan ``labels:``), defaulting to the column name."""
        return self.labels.get(column, column)

    def where(self, key: str) -> Location | None:
        return self.location.get(key)

    def group_order(self) -> tuple[str, ...]:
        """Declared group order, else order of first appearance. Used for display and hierarchical ties."""
        if self.groups:
            return self.groups
        seen: dict[str, None] = {}
        for r in self.recipients:
            if r.group is not None:
                seen.setdefault(r.group, None)
        return tuple(seen)
