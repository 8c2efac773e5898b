"""Checking published allocation tables.

* :mod:`.factor` — factor-method (因素法) tables: sums, recomputation with each apportionment, reproducing plan;
* :mod:`.generic` — every other table (standard, settlement, fixed, sums-only): the kind is recognised from the
  headers and the arithmetic, then :mod:`.sums`, :mod:`.standard` and :mod:`.settlement` check it.
"""

from fundflow.core.table_check.factor import (
    CellDiff,
    MethodOutcome,
    SumFinding,
    TableReport,
    build_plan,
    check_table,
    compare,
    describe,
    short_key,
)

__all__ = [
    "CellDiff",
    "MethodOutcome",
    "SumFinding",
    "TableReport",
    "build_plan",
    "check_table",
    "compare",
    "describe",
    "short_key",
]
