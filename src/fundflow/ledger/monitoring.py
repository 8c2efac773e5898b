"""直达资金监控 and trace: set-based reads of the ledger, shaped for pages, the CLI and JSON.

Monitoring is one aggregate query (three ``GROUP BY`` branches joined with ``UNION ALL``: indicators by holder,
indicators by issuer, payments by the paid indicator's holder) and one query for the regions; the roll-up over
the region tree is pure (:func:`fundflow.core.ledger.progress.roll_up`). Trace is a recursive CTE over
``parent_id`` (PostgreSQL and SQLite both have ``WITH RECURSIVE``) plus one query for reductions and one for
payments of the nodes found.

Definitions (docs/ledger.md § 监控口径), for one fund program (资金名称) and budget year, as of a date (documents
dated on or before it, payments paid on or before it):

- 上级下达 ``received`` of a region: indicators it holds itself (``rec_region`` = it, no budget unit), plus
  indicators it issued without a source indicator in the ledger (the top of a chain: money that starts there);
- 分配本级 ``allocated_own``: indicators it issued to budget units; 分配下级 ``allocated_lower``: to lower regions;
- 支出 ``spent_own``: matched payments on indicators held at this level (its own and its units');
- reductions (扣回, negative rows with the reduced indicator's recipient, issuer and parent) count with their
  sign: they lower the holder's ``received`` and the issuer's allocation by the same amount.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from fundflow.core.ledger.balances import IndicatorFigures
from fundflow.core.ledger.progress import RegionFlows, RegionProgress, roll_up
from fundflow.ledger.models import Document, Indicator, Payment
from fundflow.regions.models import BudgetUnit, Region

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

# ---------------------------------------------------------------- money sums


def _sum(expr: str) -> str:
    """``SUM(expr)`` exactly: NUMERIC on PostgreSQL; integer cents on SQLite (which stores decimals as REAL)."""
    if connection.vendor == "sqlite":
        return f"SUM(CAST(ROUND(({expr}) * 100) AS INTEGER))"
    return f"SUM({expr})"


def _money(value: Any, cents: bool) -> Decimal:
    """A sum from :func:`_sum` as Decimal 元; ``cents``: the SQLite form (callers ask the vendor once, not per row)."""
    if value is None:
        return ZERO
    if cents:
        return (Decimal(int(value)) / 100).quantize(CENT)
    return Decimal(value).quantize(CENT)


# ---------------------------------------------------------------- monitoring


@dataclasses.dataclass(frozen=True)
class MonitorRow:
    """One region's line of the monitoring table (figures in 元)."""

    code: str
    name: str
    level: str
    parent: str | None
    figures: RegionProgress
    region_id: int | None = None

    def as_json(self) -> dict[str, Any]:
        f = self.figures
        return {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "parent": self.parent,
            "received": str(f.received),
            "allocated_own": str(f.allocated_own),
            "allocated_lower": str(f.allocated_lower),
            "unallocated": str(f.unallocated),
            "spent_own": str(f.spent_own),
            "spent_total": str(f.spent_total),
            "allocation_progress": f.allocation_progress,
            "spending_progress": f.spending_progress,
        }


@dataclasses.dataclass(frozen=True)
class Monitor:
    fund: str
    year: int
    as_of: datetime.date
    rows: list[MonitorRow]

    def as_json(self) -> dict[str, Any]:
        return {
            "fund": self.fund,
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "unit": "元",
            "regions": [r.as_json() for r in self.rows],
        }


_T_IND = Indicator._meta.db_table
_T_DOC = Document._meta.db_table
_T_PAY = Payment._meta.db_table
_T_REG = Region._meta.db_table


def _region_flows_sql(within: Region | None) -> tuple[str, list[Any]]:
    """The aggregate query: per region id, (received, allocated_own, allocated_lower, spent_own)."""
    scope_held = scope_issued = scope_paid = ""
    scope_params: list[str] = []
    if within is not None:
        # Region paths are codes joined by '/': "this region and below" is an equality or a prefix match.
        scope = "(r.path = %s OR r.path LIKE %s)"
        scope_params = [within.path, within.path + "/%"]
        scope_held = f" AND i.rec_region_id IN (SELECT r.id FROM {_T_REG} r WHERE {scope})"
        scope_issued = f" AND i.issuer_id IN (SELECT r.id FROM {_T_REG} r WHERE {scope})"
        scope_paid = f" AND i.holder_region_id IN (SELECT r.id FROM {_T_REG} r WHERE {scope})"
    base = f"FROM {_T_IND} i JOIN {_T_DOC} d ON d.id = i.document_id WHERE i.fund = %s AND i.fiscal_year = %s"
    # Payments per indicator of the fund, driven from the fund's indicators: an index probe of ledger_pay_monitor
    # each, whatever the planner believes about ledger_payment (a join let it start from every matched payment of
    # every fund when its statistics were stale after a bulk import: 950 ms at national scale instead of 50 ms).
    paid = (
        f"SELECT {_sum('p.amount')} FROM {_T_PAY} p"
        " WHERE p.indicator_id = i.id AND p.status = 'matched' AND p.pay_date <= %s"
    )
    root = "i.parent_id IS NULL AND NOT (i.rec_unit_id IS NULL AND i.rec_region_id = i.issuer_id)"
    sql = f"""
SELECT region_id, SUM(received), SUM(own), SUM(lower_), SUM(spent) FROM (
  SELECT i.rec_region_id AS region_id, {_sum("i.amount")} AS received, 0 AS own, 0 AS lower_, 0 AS spent
    {base} AND d.doc_date <= %s AND i.rec_unit_id IS NULL{scope_held}
   GROUP BY i.rec_region_id
  UNION ALL
  SELECT i.issuer_id, {_sum(f"CASE WHEN {root} THEN i.amount ELSE 0 END")},
         {_sum("CASE WHEN i.rec_unit_id IS NOT NULL THEN i.amount ELSE 0 END")},
         {_sum("CASE WHEN i.rec_unit_id IS NULL AND i.rec_region_id <> i.issuer_id THEN i.amount ELSE 0 END")}, 0
    {base} AND d.doc_date <= %s{scope_issued}
   GROUP BY i.issuer_id
  UNION ALL
  SELECT holder_region_id, 0, 0, 0, SUM(paid) FROM (
    SELECT i.holder_region_id, ({paid}) AS paid
      FROM {_T_IND} i WHERE i.fund = %s AND i.fiscal_year = %s{scope_paid}
  ) held GROUP BY holder_region_id HAVING SUM(paid) IS NOT NULL
) flows GROUP BY region_id"""
    return sql, scope_params


@contextlib.contextmanager
def _without_jit(cursor: Any) -> Iterator[None]:
    """PostgreSQL's JIT off for this transaction's next statement, then back as it was.

    The correlated payment probes make the planner's cost estimate large (1.2 million with fresh-import statistics)
    although the statement runs in ~40 ms; above ``jit_optimize_above_cost`` PostgreSQL then spends ~430 ms
    compiling it. Call inside ``transaction.atomic()`` (``set_config(…, true)`` lasts until the transaction ends).
    """
    if connection.vendor != "postgresql":
        yield
        return
    cursor.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
    (previous, _off) = cursor.fetchone()
    yield
    # Not on an error: the transaction is aborted then, and its rollback undoes the setting anyway.
    cursor.execute("SELECT set_config('jit', %s, true)", [previous])


def _flows(fund: str, year: int, as_of: datetime.date, within: Region | None) -> dict[int, tuple[Decimal, ...]]:
    sql, scope = _region_flows_sql(within)
    params: list[Any] = [fund, year, as_of, *scope, fund, year, as_of, *scope, as_of, fund, year, *scope]
    with transaction.atomic(), connection.cursor() as cursor, _without_jit(cursor):
        cursor.execute(sql, params)
        cents = connection.vendor == "sqlite"
        return {int(rid): tuple(_money(v, cents) for v in values) for rid, *values in cursor.fetchall()}


def monitor(
    *, fund: str, year: int, as_of: datetime.date, within: Region | None = None, unit: BudgetUnit | None = None
) -> Monitor:
    """The monitoring table for ``fund`` and ``year`` as of ``as_of``.

    ``within``: only that region's subtree (the scope of a region user); ``unit``: that budget unit's own line only
    (the scope of a unit user). Regions are listed when they (or a region below them) have a figure, parents
    before children, in region-path order.
    """
    if unit is not None:
        return Monitor(fund, year, as_of, [_unit_row(fund, year, as_of, unit)])
    flows = _flows(fund, year, as_of, within)
    # Plain tuples, not model instances: at national scale this lists 3,192 regions (instances cost ~100 ms).
    paths = Region.objects.filter(pk__in=list(flows)).values_list("path", flat=True)
    wanted = {code for path in paths for code in path.split("/")}
    found = list(
        Region.objects.filter(code__in=wanted)
        .order_by("path")
        .values_list("pk", "code", "name", "level", "parent_id", "path")
    )
    code_of = {pk: code for pk, code, *_ in found}
    if within is not None:
        found = [r for r in found if r[5] == within.path or r[5].startswith(within.path + "/")]
    listed_ids = {r[0] for r in found}
    region_flows = []
    for pk, code, _name, _level, parent_id, _path in found:
        received, own, lower, spent = flows.get(pk, (ZERO, ZERO, ZERO, ZERO))
        parent = code_of[parent_id] if parent_id in listed_ids else None
        region_flows.append(RegionFlows(code, parent, received, own, lower, spent))
    progress = roll_up(region_flows)
    levels = dict(Region.Level.choices)
    rows = [
        MonitorRow(
            code=code,
            name=name,
            level=str(levels.get(level, level)),
            parent=code_of.get(parent_id) if parent_id is not None else None,
            figures=progress[code],
            region_id=pk,
        )
        for pk, code, name, level, parent_id, _path in found
    ]
    return Monitor(fund, year, as_of, rows)


def _unit_row(fund: str, year: int, as_of: datetime.date, unit: BudgetUnit) -> MonitorRow:
    held = Indicator.objects.filter(fund=fund, fiscal_year=year, rec_unit=unit, document__doc_date__lte=as_of)
    received = sum((i.amount for i in held.only("amount")), ZERO)
    spent = sum(
        (
            p.amount
            for p in Payment.objects.filter(
                indicator__in=held.values("pk"), status=Payment.Status.MATCHED, pay_date__lte=as_of
            ).only("amount")
        ),
        ZERO,
    )
    flows = RegionFlows(unit.code, unit.region.code, received=received, spent_own=spent)
    figures = roll_up([flows])[unit.code]
    return MonitorRow(unit.code, unit.name, "预算单位", unit.region.code, figures)


def funds_and_years(indicators: Any) -> tuple[list[str], list[int]]:
    """The fund programs and years present in a queryset of indicators (for the query bar's choices)."""
    funds = sorted(set(indicators.values_list("fund", flat=True).distinct()))
    years = sorted(set(indicators.values_list("fiscal_year", flat=True).distinct()), reverse=True)
    return funds, years


# ---------------------------------------------------------------- drill-down


def drill_indicators(
    *,
    queryset: Any,
    fund: str,
    year: int,
    as_of: datetime.date,
    region: Region,
    figure: str,
) -> Any:
    """The indicators behind one monitoring figure of ``region`` (``received``, ``allocated_own`` …)."""
    base = queryset.filter(fund=fund, fiscal_year=year, document__doc_date__lte=as_of)
    if figure == "received":
        root = Q(issuer=region, parent__isnull=True) & ~Q(rec_unit__isnull=True, rec_region=region)
        return base.filter(Q(rec_region=region, rec_unit__isnull=True) | root)
    if figure == "allocated_own":
        return base.filter(issuer=region, rec_unit__isnull=False)
    if figure == "allocated_lower":
        return base.filter(issuer=region, rec_unit__isnull=True).exclude(rec_region=region)
    if figure in ("spent_own", "spent_total"):
        return base.filter(holder_region=region) if figure == "spent_own" else base.filter(_holder_below(region))
    return base.none()


def _holder_below(region: Region) -> Q:
    return Q(holder_region__path=region.path) | Q(holder_region__path__startswith=region.path + "/")


def drill_payments(*, queryset: Any, fund: str, year: int, as_of: datetime.date, region: Region, figure: str) -> Any:
    """The matched payments behind ``spent_own`` / ``spent_total`` of ``region``."""
    base = queryset.filter(
        indicator__fund=fund,
        indicator__fiscal_year=year,
        status=Payment.Status.MATCHED,
        pay_date__lte=as_of,
    )
    if figure == "spent_own":
        return base.filter(indicator__holder_region=region)
    if figure == "spent_total":
        return base.filter(
            Q(indicator__holder_region__path=region.path)
            | Q(indicator__holder_region__path__startswith=region.path + "/")
        )
    return base.none()


# ---------------------------------------------------------------- trace


def _descendants_sql(n: int) -> str:
    marks = ", ".join(["%s"] * n)
    return f"""
WITH RECURSIVE tree(id) AS (
  SELECT id FROM {_T_IND} WHERE id IN ({marks})
  UNION ALL
  SELECT c.id FROM {_T_IND} c JOIN tree t ON c.parent_id = t.id
)
SELECT id FROM tree"""


def _ancestors_sql() -> str:
    return f"""
WITH RECURSIVE up(id, parent_id, depth) AS (
  SELECT id, parent_id, 0 FROM {_T_IND} WHERE id = %s
  UNION ALL
  SELECT p.id, p.parent_id, up.depth + 1 FROM {_T_IND} p JOIN up ON p.id = up.parent_id
)
SELECT id FROM up ORDER BY depth DESC"""


def top_of(indicator: Indicator, visible: Any = None) -> Indicator:
    """The highest ancestor of ``indicator`` (the top document's line); with ``visible``, the highest one in it."""
    with connection.cursor() as cursor:
        cursor.execute(_ancestors_sql(), [indicator.pk])
        chain = [row[0] for row in cursor.fetchall()]
    if visible is not None:
        seen = set(visible.filter(pk__in=chain).values_list("pk", flat=True))
        chain = [pk for pk in chain if pk in seen]
    return Indicator.objects.get(pk=chain[0]) if chain and chain[0] != indicator.pk else indicator


def trace_nodes(roots: Sequence[Indicator], visible: Any = None) -> list[dict[str, Any]]:
    """The trees below ``roots`` (each root included), every node with its payments: the trace JSON."""
    if not roots:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_descendants_sql(len(roots)), [r.pk for r in roots])
        ids = [row[0] for row in cursor.fetchall()]
    nodes_qs = Indicator.objects.filter(pk__in=ids)
    if visible is not None:
        nodes_qs = nodes_qs.filter(pk__in=visible.values("pk"))
    nodes = list(
        nodes_qs.select_related("rec_region", "rec_unit").only(
            "bgt_id",
            "cor_doc_no",
            "sup_doc_no",
            "amount",
            "kind",
            "status",
            "parent_id",
            "reduces_id",
            "rec_region__name",
            "rec_region__code",
            "rec_unit__name",
            "rec_unit__code",
        )
    )
    by_id = {n.pk: n for n in nodes}
    reductions: dict[int, Decimal] = {}
    for reduces_id, amount in Indicator.objects.filter(reduces_id__in=list(by_id)).values_list("reduces_id", "amount"):
        reductions[reduces_id] = reductions.get(reduces_id, ZERO) + amount
    # Plain tuples, not model instances: a top indicator's tree carries thousands of payments.
    payments: dict[int, list[dict[str, Any]]] = {}
    for ind_id, no, date, payer, payee, amount in (
        Payment.objects.filter(indicator_id__in=list(by_id), status=Payment.Status.MATCHED)
        .order_by("pay_date", "id")
        .values_list("indicator_id", "pay_app_no", "pay_date", "agency_name", "payee", "amount")
    ):
        payments.setdefault(ind_id, []).append(
            {"pay_app_no": no, "pay_date": date.isoformat(), "payer": payer, "payee": payee, "amount": amount}
        )
    children: dict[int | None, list[Indicator]] = {}
    for n in sorted(nodes, key=lambda n: n.bgt_id):
        children.setdefault(n.parent_id if n.parent_id in by_id else None, []).append(n)

    def node(ind: Indicator) -> dict[str, Any]:
        kids = children.get(ind.pk, [])
        paid = payments.get(ind.pk, [])
        figures = IndicatorFigures(
            ind.amount,
            reductions=reductions.get(ind.pk, ZERO),
            issued_children=sum((k.amount for k in kids), ZERO),
            paid_net=sum((p["amount"] for p in paid), ZERO),
        )
        holder = ind.rec_unit or ind.rec_region
        return {
            "id": ind.bgt_id,
            "doc_no": ind.cor_doc_no,
            "sup_doc_no": ind.sup_doc_no,
            "holder": holder.name if holder is not None else "",
            "holder_code": holder.code if holder is not None else "",
            "kind": ind.kind,
            "amount": str(ind.amount),
            "available": str(figures.available),
            "children": [node(k) for k in kids],
            "payments": [{**p, "amount": str(p["amount"])} for p in paid],
        }

    return [node(n) for n in children.get(None, [])]


def trace_indicator(indicator: Indicator, visible: Any = None) -> dict[str, Any]:
    """The whole tree from the top document's line above ``indicator`` down to every payment."""
    top = top_of(indicator, visible)
    trees = trace_nodes([top], visible)
    return trees[0] if trees else {}


def trace_document(document: Document, visible: Any = None) -> dict[str, Any]:
    """A 文号's trace: the document and, for each of its indicators (in scope), that indicator's tree."""
    lines = document.indicators.all()
    if visible is not None:
        lines = lines.filter(pk__in=visible.values("pk"))
    roots = list(lines.order_by("bgt_id"))
    return {
        "doc_no": document.doc_no,
        "title": document.title,
        "issuer": document.issuer.name,
        "doc_date": document.doc_date.isoformat(),
        "indicators": trace_nodes(roots, visible),
    }
