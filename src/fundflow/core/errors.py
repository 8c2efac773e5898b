"""Errors as values: where a problem is (file, row, column) and what it is, in Chinese.

Loaders attach a :class:`Location` to every input they read, so that a rule in the core that rejects an
input can name the exact cell or line without knowing anything about files.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fundflow.core.rules import is_registered


@dataclass(frozen=True, slots=True)
class Location:
    """Where an input came from. ``row``/``column`` are 1-based; ``column`` may be a header name."""

    file: str | None = None
    row: int | None = None
    column: int | str | None = None

    def describe(self) -> str:
        """``文件 plan.yaml 第 12 行 第 5 列`` (parts that are unknown are left out)."""
        parts: list[str] = []
        if self.file:
            parts.append(f"文件 {self.file}")
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if isinstance(self.column, int):
            parts.append(f"第 {self.column} 列")
        elif self.column:
            parts.append(f"“{self.column}”列")
        return " ".join(parts)

    def at_column(self, column: int | str | None) -> Location:
        return Location(self.file, self.row, column)


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem with an input: a stable rule id, a Chinese message and where it is."""

    rule: str
    message: str
    location: Location | None = None

    def __post_init__(self) -> None:
        # A rule id is part of the interface (tests, JSON output, docs/rules.md): declare it in fundflow.core.rules.
        if not is_registered(self.rule):
            raise ValueError(f"rule id {self.rule!r} is not declared in fundflow.core.rules")

    def describe(self) -> str:
        where = self.location.describe() if self.location else ""
        return f"{where}：{self.message}" if where else self.message


class PlanError(Exception):
    """Raised when a plan cannot be computed. Carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(p.describe() for p in self.problems))

    @classmethod
    def single(cls, rule: str, message: str, location: Location | None = None) -> PlanError:
        return cls([Problem(rule, message, location)])
