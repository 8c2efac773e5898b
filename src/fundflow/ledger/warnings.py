"""Evaluating the warning rules (预警) over the ledger and the workflow of a warning (未处理 → 已核实 / 已整改).

Which rules run, with which parameters and severity, is data (``WarningRule`` rows; the defaults below are loaded
by ``fundflow init``). The conditions themselves are the pure functions of ``fundflow.core.ledger.warnings``;
here SQL narrows the candidates set-based (payments are never scanned row by row in Python) and the pure
condition words each finding. A warning is unique per (rule, subject): evaluating again creates only new ones and
never reopens or rewrites a warning someone has handled, even when its condition has gone away meanwhile.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import DecimalField, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from fundflow.accounts.scope import profile_of
from fundflow.core.ledger import warnings as conditions
from fundflow.core.ledger.chain import Identity
from fundflow.core.ledger.warnings import Finding
from fundflow.ledger.models import Indicator, Payment, Warning, WarningRule
from fundflow.ledger.selectors import subtree_q
from fundflow.platform.errors import ActionNotAllowed, ServiceError
from fundflow.regions.models import Region

# rule id → (default parameters, default severity). Schedule: month → percent spent by the start of that month.
DEFAULT_RULES: dict[str, tuple[dict[str, Any], str]] = {
    "warn.not-reallocated": ({"days": conditions.DEFAULT_REALLOCATION_DAYS}, "warning"),
    "warn.spending-behind": ({"schedule": {"4": "25", "7": "50", "10": "75", "12": "90"}}, "warning"),
    "warn.identity-mismatch": ({}, "error"),
    "warn.code-mismatch": ({}, "warning"),
    "warn.paid-before-year": ({}, "error"),
}
MONEY = DecimalField(max_digits=18, decimal_places=2)
ZERO = Decimal("0.00")


@dataclasses.dataclass(frozen=True)
class RulesReport:
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def warning_rules_load() -> RulesReport:
    """Create the default rules that are missing; existing rows (parameters a bureau has tuned) are left alone."""
    created = 0
    for rule_id, (parameters, severity) in DEFAULT_RULES.items():
        _, made = WarningRule.objects.get_or_create(
            rule_id=rule_id, defaults={"parameters": parameters, "severity": severity}
        )
        created += made
    return RulesReport(created, 0, len(DEFAULT_RULES) - created)


@dataclasses.dataclass(frozen=True)
class EvaluationReport:
    as_of: datetime.date
    created: int
    by_rule: Mapping[str, int]


@dataclasses.dataclass(frozen=True)
class _Hit:
    kind: str  # Warning.SubjectKind
    subject_id: int
    region_id: int
    fiscal_year: int
    finding: Finding
    label: str  # 指标编号 or 支付凭证号, shown as the warning's subject


def evaluate_warnings(as_of: datetime.date | None = None, regions: Iterable[Region] | None = None) -> EvaluationReport:
    """Run every enabled rule as of ``as_of`` (default today) over the ledger, or over the subjects held or paid in
    ``regions`` and below; store a warning per new (rule, subject). Returns how many were created per rule."""
    as_of = as_of or timezone.localdate()
    scope = list(regions) if regions is not None else None
    rules = {r.rule_id: r for r in WarningRule.objects.filter(enabled=True)}
    by_rule: dict[str, int] = {}
    for rule_id, rule in sorted(rules.items()):
        evaluate = _EVALUATORS.get(rule_id)
        if evaluate is None:
            continue
        hits = evaluate(rule.parameters or {}, as_of, scope)
        by_rule[rule_id] = _store(rule, hits)
    return EvaluationReport(as_of, sum(by_rule.values()), by_rule)


# Beyond this many regions touched, one evaluation over their common ancestor beats a query OR-ing every subtree.
MAX_SCOPE_REGIONS = 50


def scope_of(region_ids: Iterable[int]) -> list[Region] | None:
    """The smallest list of regions whose subtrees cover ``region_ids`` (a region under another listed one is
    dropped); past ``MAX_SCOPE_REGIONS`` their common ancestor, or None (everything) when they share none."""
    regions = sorted(Region.objects.filter(pk__in=set(region_ids)), key=lambda r: r.path)
    covering: list[Region] = []
    for region in regions:  # sorted by path: an ancestor comes before its descendants
        if not covering or not region.is_within(covering[-1]):
            covering.append(region)
    if len(covering) <= MAX_SCOPE_REGIONS:
        return covering
    common = covering[0].path.split("/")
    for region in covering[1:]:
        parts = region.path.split("/")
        n = 0
        while n < min(len(common), len(parts)) and common[n] == parts[n]:
            n += 1
        common = common[:n]
    if not common:
        return None
    return list(Region.objects.filter(path="/".join(common)))


def evaluate_after_payments(*, batch_id: int | None = None, user: Any = None) -> int:
    """Evaluate the rules for the regions a payments import (``batch_id``) or a re-match (``user``'s region
    subtree; None = everything) touched, once its write transaction has committed. Returns warnings created."""
    if batch_id is not None:
        payer_ids = Payment.objects.filter(batch_id=batch_id).values_list("payer_region_id", flat=True).distinct()
        scope = scope_of(payer_ids)
    else:
        profile = profile_of(user) if user is not None else None
        scope = [profile.region] if profile is not None else None
    if scope == []:
        return 0
    return evaluate_warnings(regions=scope).created


def _store(rule: WarningRule, hits: list[_Hit]) -> int:
    """Insert the warnings whose (rule, subject) is new; existing ones — open or handled — stay as they are."""
    if not hits:
        return 0
    seen = set(
        Warning.objects.filter(rule_id=rule.rule_id, subject_id__in=[h.subject_id for h in hits]).values_list(
            "subject_kind", "subject_id"
        )
    )
    fresh = [h for h in hits if (h.kind, h.subject_id) not in seen]
    bulk_create_with_history(
        [
            Warning(
                rule_id=rule.rule_id,
                severity=rule.severity,
                subject_kind=h.kind,
                subject_id=h.subject_id,
                region_id=h.region_id,
                fiscal_year=h.fiscal_year,
                message=h.finding.message[:500],
                details={"subject": h.label, **{k: str(v) for k, v in h.finding.parameters.items()}},
            )
            for h in fresh
        ],
        Warning,
        ignore_conflicts=True,  # a concurrent evaluation may have inserted the same (rule, subject)
    )
    return len(fresh)


def _in_scope(queryset: QuerySet[Any], field: str, scope: list[Region] | None) -> QuerySet[Any]:
    if scope is None:
        return queryset
    q = Q(pk__in=[])
    for region in scope:
        q |= subtree_q(field, region)
    return queryset.filter(q)


def _paid_subquery() -> Subquery:
    paid = (
        Payment.objects.filter(indicator=OuterRef("pk"), status=Payment.Status.MATCHED)
        .values("indicator")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    return Subquery(paid, output_field=MONEY)


def _not_reallocated(params: Mapping[str, Any], as_of: datetime.date, scope: list[Region] | None) -> list[_Hit]:
    """Direct-fund indicators held by a region, received more than N days ago, with nothing issued onward."""
    days = int(params.get("days", conditions.DEFAULT_REALLOCATION_DAYS))
    cutoff = datetime.datetime.combine(as_of - datetime.timedelta(days=days), datetime.time.min)
    candidates = _in_scope(
        Indicator.objects.filter(
            kind=Indicator.Kind.NORMAL,
            status=Indicator.Status.RECEIVED,
            rec_unit__isnull=True,
            received_at__lt=timezone.make_aware(cutoff),
        )
        .exclude(marker_code="")
        .exclude(Exists(Indicator.objects.filter(parent=OuterRef("pk"), kind=Indicator.Kind.NORMAL))),
        "holder_region",
        scope,
    )
    hits = []
    for ind in candidates.only("pk", "bgt_id", "received_at", "holder_region_id", "fiscal_year", "marker_code"):
        received_on = timezone.localtime(ind.received_at).date() if ind.received_at else None
        for f in conditions.not_reallocated(
            ind.bgt_id,
            is_direct=True,
            received_on=received_on,
            issued_children=ZERO,
            as_of=as_of,
            limit_days=days,
        ):
            hits.append(_Hit("indicator", ind.pk, ind.holder_region_id, ind.fiscal_year, f, ind.bgt_id))
    return hits


def _spending_behind(params: Mapping[str, Any], as_of: datetime.date, scope: list[Region] | None) -> list[_Hit]:
    """Direct-fund indicators where the money is spent (no children: held for spending) paid below the schedule
    of their budget year; a year that is over is held to 100 %."""
    schedule = {int(m): Decimal(str(p)) for m, p in (params.get("schedule") or {}).items()}
    reductions = (
        Indicator.objects.filter(reduces=OuterRef("pk")).values("reduces").annotate(s=Sum("amount")).values("s")
    )
    candidates = _in_scope(
        Indicator.objects.filter(
            kind=Indicator.Kind.NORMAL, status=Indicator.Status.RECEIVED, fiscal_year__lte=as_of.year
        )
        .exclude(marker_code="")
        .exclude(Exists(Indicator.objects.filter(parent=OuterRef("pk"), kind=Indicator.Kind.NORMAL)))
        .annotate(
            paid=Coalesce(_paid_subquery(), Value(ZERO), output_field=MONEY),
            reduced=Coalesce(Subquery(reductions, output_field=MONEY), Value(ZERO), output_field=MONEY),
        ),
        "holder_region",
        scope,
    )
    hits = []
    for ind in candidates:
        rule_schedule = schedule if ind.fiscal_year == as_of.year else {1: Decimal(100)}
        received = ind.amount + ind.reduced
        for f in conditions.spending_behind(received=received, spent=ind.paid, schedule=rule_schedule, as_of=as_of):
            hits.append(_Hit("indicator", ind.pk, ind.holder_region_id, ind.fiscal_year, f, ind.bgt_id))
    return hits


_IDENTITY = ("marker_code", "marker_name", "fund", "project_name")


def _identity_mismatch(params: Mapping[str, Any], as_of: datetime.date, scope: list[Region] | None) -> list[_Hit]:
    """Indicators whose marker, fund or project name differ from the upper indicator their 上级指标编号 names —
    an import whose upper indicator arrived later (issuing and linked imports refuse such a difference)."""
    upper = Indicator.objects.filter(bgt_id=OuterRef("ori_bgt_id"))
    differs = upper.exclude(**{f: OuterRef(f) for f in _IDENTITY})
    candidates = _in_scope(
        Indicator.objects.exclude(ori_bgt_id="").filter(Exists(differs)), "holder_region", scope
    ).annotate(**{f"up_{f}": Subquery(upper.values(f)[:1]) for f in _IDENTITY})
    hits = []
    for ind in candidates:
        parent = Identity(*(getattr(ind, f"up_{f}") for f in _IDENTITY))
        child = Identity(*(getattr(ind, f) for f in _IDENTITY))
        findings = conditions.identity_mismatch(parent, child)
        if findings:
            joined = Finding(findings[0].rule, "；".join(f.message for f in findings), findings[0].parameters)
            hits.append(_Hit("indicator", ind.pk, ind.holder_region_id, ind.fiscal_year, joined, ind.bgt_id))
    return hits


def _prefix_mismatch(paid: str, expected: str) -> Q:
    """Both codes given and neither a prefix of the other (2101202 under 21012 matches)."""
    return (
        ~Q(**{paid: ""})
        & ~Q(**{expected: ""})
        & ~Q(**{f"{paid}__startswith": F(expected)})
        & ~Q(**{f"{expected}__startswith": F(paid)})
    )


def _code_mismatch(params: Mapping[str, Any], as_of: datetime.date, scope: list[Region] | None) -> list[_Hit]:
    candidates = _in_scope(
        Payment.objects.filter(indicator__isnull=False, pay_date__lte=as_of).filter(
            _prefix_mismatch("func_code", "indicator__exp_func_code")
            | _prefix_mismatch("eco_code", "indicator__gov_eco_code")
        ),
        "payer_region",
        scope,
    ).select_related("indicator")
    hits = []
    for pay in candidates:
        ind = pay.indicator
        findings = conditions.code_mismatch(
            func_code=pay.func_code,
            eco_code=pay.eco_code,
            expected_func=ind.exp_func_code,  # type: ignore[union-attr]
            expected_eco=ind.gov_eco_code,  # type: ignore[union-attr]
        )
        if findings:
            joined = Finding(findings[0].rule, "；".join(f.message for f in findings), findings[0].parameters)
            hits.append(_Hit("payment", pay.pk, pay.payer_region_id, pay.fiscal_year, joined, pay.pay_app_no))
    return hits


def _paid_before_year(params: Mapping[str, Any], as_of: datetime.date, scope: list[Region] | None) -> list[_Hit]:
    candidates = _in_scope(
        Payment.objects.filter(
            indicator__advance=True, pay_date__year__lt=F("indicator__fiscal_year"), pay_date__lte=as_of
        ),
        "payer_region",
        scope,
    ).select_related("indicator")
    hits = []
    for pay in candidates:
        ind = pay.indicator
        for f in conditions.paid_before_year(
            ind.bgt_id,  # type: ignore[union-attr]
            advance=True,
            budget_year=ind.fiscal_year,  # type: ignore[union-attr]
            pay_date=pay.pay_date,
        ):
            hits.append(_Hit("payment", pay.pk, pay.payer_region_id, pay.fiscal_year, f, pay.pay_app_no))
    return hits


_EVALUATORS = {
    "warn.not-reallocated": _not_reallocated,
    "warn.spending-behind": _spending_behind,
    "warn.identity-mismatch": _identity_mismatch,
    "warn.code-mismatch": _code_mismatch,
    "warn.paid-before-year": _paid_before_year,
}


# ---------------------------------------------------------------- workflow

HANDLED = {"verified", "fixed"}  # Warning.Status values a handler may set


def can_handle(user: Any, warning: Warning) -> bool:
    """Finance users of the warning's region or above; auditors and units read only."""
    profile = profile_of(user)
    return bool(profile is not None and profile.is_finance and warning.region.is_within(profile.region))


@transaction.atomic
def handle_warning(*, user: Any, warning: Warning, status: str, note: str) -> Warning:
    """Record who verified (已核实) or fixed (已整改) a warning, when, and the note; history keeps each step.

    A verified warning may later be marked fixed; a fixed one is closed.
    """
    fresh = Warning.objects.select_for_update().select_related("region").get(pk=warning.pk)
    if not can_handle(user, fresh):
        raise ActionNotAllowed("您没有权限处理此预警（仅所属地区的财政部门可处理，审计为只读）")
    if status not in HANDLED:
        raise ServiceError("处理结果应为“已核实”或“已整改”")
    if fresh.status == Warning.Status.FIXED or fresh.status == status:
        raise ServiceError(f"该预警已是“{fresh.get_status_display()}”，不能再改为“{Warning.Status(status).label}”")
    if not note.strip():
        raise ServiceError("请填写处理说明")
    fresh.status = status
    fresh.note = note.strip()
    fresh.handled_by = user
    fresh.handled_at = timezone.now()
    fresh._history_user = user  # type: ignore[attr-defined]
    fresh.save()
    return fresh


def subject_label(w: Warning) -> str:
    """“指标 6542002021…” / “支付 ZF001”: the subject as its users know it."""
    return f"{w.get_subject_kind_display()} {w.details.get('subject') or w.subject_id}"


def warning_json(w: Warning) -> dict[str, Any]:
    """The JSON shape of one warning (CLI ``--format json`` and the page's download)."""
    return {
        "id": w.pk,
        "rule": w.rule_id,
        "severity": w.severity,
        "region": w.region.code,
        "subject": subject_label(w),
        "message": w.message,
        "status": w.get_status_display(),
        "created_at": timezone.localtime(w.created_at).isoformat(timespec="seconds"),
        "handled_by": w.handled_by.get_username() if w.handled_by else None,
        "handled_at": timezone.localtime(w.handled_at).isoformat(timespec="seconds") if w.handled_at else None,
        "note": w.note,
    }
