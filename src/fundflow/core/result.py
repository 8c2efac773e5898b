"""Allocation results: the printed table plus an explanation for every figure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from fundflow.core.apportion import Apportion
from fundflow.core.money import Rounding, Unit
from fundflow.core.plan import Method

Steps = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class InputColumn:
    """An input column shown in the table before its part's amount (e.g. 低保对象人数)."""

    key: str
    label: str
    derived: bool = False  # True for a printed sum column such as 特困、孤儿人数
    money: bool = False  # an amount in the plan's unit (settlement's entitlement, advanced): printed at its places


@dataclass(frozen=True, slots=True)
class PartSpec:
    """A part of every line: a factor, a component, or the single fixed/settlement part."""

    name: str
    header: str
    inputs: tuple[InputColumn, ...] = ()
    amount_label: str = "补助资金"
    # The header a recipient unit may read: None means the bare name, since a header may quote a pot or a total
    # from which the other recipients' shares follow. A method sets it only when its header quotes neither.
    unit_header: str | None = None


@dataclass(frozen=True, slots=True)
class Line:
    group: str | None
    recipient: str
    parts: Mapping[str, Decimal]
    amount: Decimal
    inputs: Mapping[str, Decimal] = field(default_factory=dict)
    note: str = ""
    explain: Mapping[str, Steps] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GroupTotal:
    name: str
    parts: Mapping[str, Decimal]
    amount: Decimal
    inputs: Mapping[str, Decimal] = field(default_factory=dict)
    explain: Mapping[str, Steps] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AllocationResult:
    title: str
    method: Method
    unit: Unit
    rounding: Rounding
    apportion: Apportion
    parts: tuple[PartSpec, ...]
    lines: tuple[Line, ...]
    groups: tuple[GroupTotal, ...]
    total: Decimal
    total_parts: Mapping[str, Decimal]
    total_inputs: Mapping[str, Decimal] = field(default_factory=dict)
    total_explain: Mapping[str, Steps] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    fund: str = ""
    year: int | None = None
    total_label: str = "合计"

    @property
    def part_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parts)

    def lines_of(self, group: str | None) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.group == group)

    def find_line(self, recipient: str) -> Line | None:
        for line in self.lines:
            if line.recipient == recipient:
                return line
        return None

    def find_group(self, name: str) -> GroupTotal | None:
        for group in self.groups:
            if group.name == name:
                return group
        return None
