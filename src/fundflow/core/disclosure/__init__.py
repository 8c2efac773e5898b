"""Department budget disclosure (部门预算公开): the nine tables, the narrative and the consistency checker.

Pure and typed: budget data in (model), stated tables and paragraphs out (tables, narrative), and a checker that
works on stated figures from any source (check). No I/O; readers and writers live in ``fundflow.io``.
"""

from __future__ import annotations

from fundflow.core.disclosure.check import check
from fundflow.core.disclosure.model import UnitBudget
from fundflow.core.disclosure.narrative import GLOSSARY, narrative, overview_text
from fundflow.core.disclosure.rules import RULES, Finding, Severity
from fundflow.core.disclosure.stated import CodeBook, Disclosure, TableKey
from fundflow.core.disclosure.tables import nine_tables


def generate(budget: UnitBudget, book: CodeBook) -> Disclosure:
    """The whole package for ``budget``: nine tables, 概况 and 第三部分 paragraphs, and the glossary."""
    paragraphs = overview_text(budget) + narrative(budget, book)
    return Disclosure(budget.unit, budget.year, nine_tables(budget, book), paragraphs, None, GLOSSARY)


__all__ = ["RULES", "CodeBook", "Disclosure", "Finding", "Severity", "TableKey", "UnitBudget", "check", "generate"]
