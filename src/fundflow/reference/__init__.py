"""Reference data as files, loaded through one small typed module.

``classification.csv`` is the 政府收支分类科目 catalogue keyed by (year, kind, code). Codes and names change from
year to year, so every lookup names a year. The ``source`` column records where each row was read from
(``seed:004`` = printed in that seed document, ``knowledge`` = the published MOF catalogue as generally known,
not yet checked against a printed source). No machine-readable catalogue exists publicly, hence our own file.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources


class Kind(StrEnum):
    """The four classifications: functional (类/款/项), government and departmental economic, income."""

    FUNCTION = "function"
    GOV_ECONOMIC = "gov_economic"
    DEPT_ECONOMIC = "dept_economic"
    INCOME = "income"


@dataclass(frozen=True, slots=True)
class Entry:
    year: int
    kind: Kind
    code: str
    name: str
    level: int
    parent: str
    source: str


@dataclass(frozen=True)
class Catalogue:
    """One year's catalogue. ``year`` is the year whose rows were used (see :func:`catalogue`)."""

    year: int
    entries: dict[tuple[Kind, str], Entry]

    def get(self, kind: Kind | str, code: str) -> Entry | None:
        return self.entries.get((Kind(kind), code))

    def name(self, kind: str, code: str) -> str | None:
        """The catalogue name of a code, or None when the code is unknown (the checker reports that)."""
        entry = self.get(kind, code)
        return entry.name if entry else None

    def codes_named(self, kind: str, name: str) -> list[str]:
        """Codes of ``kind`` whose catalogue name is exactly ``name`` (to suggest what a typo meant)."""
        return sorted(code for (k, code), e in self.entries.items() if k == Kind(kind) and e.name == name)

    def classes(self, kind: str) -> list[tuple[str, str]]:
        """Level-1 codes with names, in code order: the 类 rows a disclosure table prints even when empty."""
        rows = [e for (k, _), e in self.entries.items() if k == Kind(kind) and e.level == 1]
        return [(e.code, e.name) for e in sorted(rows, key=lambda e: e.code)]


@cache
def _all_entries() -> tuple[Entry, ...]:
    text = resources.files("fundflow.reference").joinpath("classification.csv").read_text(encoding="utf-8")
    return tuple(
        Entry(int(r["year"]), Kind(r["kind"]), r["code"], r["name"], int(r["level"]), r["parent"], r["source"])
        for r in csv.DictReader(text.splitlines())
    )


def years() -> list[int]:
    """The years the catalogue holds."""
    return sorted({e.year for e in _all_entries()})


@cache
def catalogue(year: int) -> Catalogue:
    """The catalogue for ``year``; for a year not held, the latest earlier one (or the earliest held).

    Falling back keeps checking possible for a new year's document before its catalogue is added; the returned
    ``Catalogue.year`` says which year was actually used, so callers can tell the user.
    """
    held = years()
    chosen = max((y for y in held if y <= year), default=held[0])
    return Catalogue(chosen, {(e.kind, e.code): e for e in _all_entries() if e.year == chosen})
