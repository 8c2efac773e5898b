"""Classification codes quoted in a notice ("1100249 医疗卫生共同财政事权转移支付收入") checked against the
政府收支分类科目 catalogue.

A notice names each budget subject as a quoted code + name pair. A code the catalogue does not hold is a
finding, with the catalogue code of the same name as the likely intended one (seed 001 prints 2030249 — class
203 is 国防 — for 2300249 医疗卫生共同财政事权转移支付支出); a known code printed with another name is a finding
too. The catalogue is passed in, so this stays pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from fundflow.core.errors import Location

# “1100249 医疗卫生共同财政事权转移支付收入” — full-width or ASCII quotes, optional space between code and name.
QUOTED_PAIR = re.compile(r"[“\"「](\d{3,7})\s*([^”\"」\d][^”\"」]*)[”\"」]")

KIND_BY_FIRST_DIGIT = {"1": "income", "2": "function", "3": "dept_economic", "5": "gov_economic"}
KIND_LABEL = {
    "income": "收入分类",
    "function": "支出功能分类",
    "dept_economic": "部门预算支出经济分类",
    "gov_economic": "政府预算支出经济分类",
}


class CodeBook(Protocol):
    """What the check needs from a catalogue (fundflow.reference.Catalogue provides it)."""

    @property
    def year(self) -> int: ...

    def name(self, kind: str, code: str) -> str | None: ...

    def codes_named(self, kind: str, name: str) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class CodeFinding:
    rule: str
    code: str
    stated_name: str
    expected: str
    message: str
    location: Location

    def describe(self) -> str:
        return f"{self.location.describe()}：{self.message}"


@dataclass(frozen=True, slots=True)
class CodeMention:
    code: str
    name: str
    location: Location


def mentions(lines: Sequence[str], file: str | None = None) -> list[CodeMention]:
    """Every quoted code + name pair, with its line and column."""
    found = []
    for number, line in enumerate(lines, start=1):
        for match in QUOTED_PAIR.finditer(line):
            found.append(
                CodeMention(match.group(1), match.group(2).strip(), Location(file, number, match.start(1) + 1))
            )
    return found


def check_codes(found: Iterable[CodeMention], book: CodeBook) -> list[CodeFinding]:
    findings = []
    for m in found:
        kind = KIND_BY_FIRST_DIGIT.get(m.code[0])
        if kind is None:
            findings.append(
                CodeFinding(
                    "code.unknown-kind",
                    m.code,
                    m.name,
                    "",
                    f"“{m.code}”不是政府收支分类科目编码（首位应为 1、2、3 或 5）",
                    m.location,
                )
            )
            continue
        catalogue_name = book.name(kind, m.code)
        if catalogue_name is None:
            same_name = book.codes_named(kind, m.name)
            hint = f"；同名科目为 {'、'.join(same_name)}，疑为笔误" if same_name else ""
            findings.append(
                CodeFinding(
                    "code.unknown",
                    m.code,
                    m.name,
                    same_name[0] if same_name else "",
                    f"“{m.code} {m.name}”：{m.code} 不在 {book.year} 年{KIND_LABEL[kind]}科目中{hint}",
                    m.location,
                )
            )
        elif catalogue_name != m.name:
            findings.append(
                CodeFinding(
                    "code.name-mismatch",
                    m.code,
                    m.name,
                    catalogue_name,
                    f"“{m.code} {m.name}”：科目 {m.code} 的名称应为“{catalogue_name}”",
                    m.location,
                )
            )
    return findings
