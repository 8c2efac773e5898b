"""The chain rules: an indicator keeps its identity on the way down, and direct funds travel in documents of
their own."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fundflow.core.errors import Location, Problem
from fundflow.core.ledger.rules import problem


@dataclass(frozen=True, slots=True)
class Identity:
    """What an indicator inherits from its parent and may not change: marker, fund program, project name."""

    marker_code: str
    marker_name: str
    fund: str
    project_name: str

    @property
    def marker(self) -> str:
        return f"{self.marker_code} {self.marker_name}".strip()

    @property
    def is_direct(self) -> bool:
        return bool(self.marker_code)


def check_inherited(parent: Identity, child: Identity, where: Location | None = None) -> list[Problem]:
    """One problem per field the child changed."""
    problems = []
    if (parent.marker_code, parent.marker_name) != (child.marker_code, child.marker_name):
        problems.append(problem("ledger.marker-changed", where, parent=parent.marker, child=child.marker))
    if parent.fund != child.fund:
        problems.append(problem("ledger.fund-changed", where, parent=parent.fund, child=child.fund))
    if parent.project_name != child.project_name:
        problems.append(problem("ledger.project-changed", where, parent=parent.project_name, child=child.project_name))
    return problems


def check_document_funds(lines: Iterable[Identity], where: Location | None = None) -> list[Problem]:
    """A document carrying a direct-fund line carries only lines of that one fund and marker."""
    kinds = {(i.marker_code, i.marker_name, i.fund) for i in lines}
    if len(kinds) > 1 and any(code for code, _, _ in kinds):
        funds = "、".join(sorted({f"{fund}（{f'{c} {n}' if c else '非直达'}）" for c, n, fund in kinds}))
        return [problem("ledger.mixed-document", where, funds=funds)]
    return []
