"""Writes to the ledger: numbering documents, issuing approved plans, receiving, amending, re-allocating.

Every service checks with ``fundflow.core.ledger`` first and writes in one transaction; a refusal raises
``ServiceError`` carrying the core's problems (rule id + Chinese message with the figures) and writes nothing.
Documents and indicators are never edited afterwards, except an indicator's receipt (recorded by simple-history).

Routing of plan lines (docs/ledger.md): an indicator always goes one step down the hierarchy. A line whose
recipient is a region below the issuer's direct children (a county in a 自治区 plan) is issued to the child on
its path (the prefecture), summed per child; the prefecture re-issues it to its counties with its own document.
A budget unit of the issuer's own region receives its line directly (received on issue).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import yaml
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from fundflow.accounts.scope import profile_of
from fundflow.allocations.models import AllocationPlan
from fundflow.allocations.services import core_plan, plan_create
from fundflow.core.errors import Problem
from fundflow.core.ledger import docno
from fundflow.core.ledger.balances import IndicatorFigures, check_issue, check_positive, check_reduction
from fundflow.core.ledger.chain import Identity, check_document_funds, check_inherited
from fundflow.core.ledger.rules import problem
from fundflow.core.money import Unit
from fundflow.core.plan import SettlementMethod
from fundflow.io.xlsx_write import formula_problem, formula_texts
from fundflow.ledger.models import Document, DocumentSequence, Indicator, PlanSource
from fundflow.platform.errors import ServiceError
from fundflow.regions.models import BudgetUnit, Region

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def _refuse(message: str, problems: Sequence[Problem]) -> None:
    if problems:
        raise ServiceError(message, problems)


def _formula_problems(*fields: Any) -> list[Problem]:
    """Texts of a new document or its indicators that a spreadsheet could run as a formula: refused on entry,
    as every import and allocation input is (their exports write text as text, this keeps the data clean)."""
    texts = dict.fromkeys(t for f in fields for t in formula_texts(f))
    return [formula_problem("input.formula-text", t, None) for t in texts]


def _with_user(obj: Any, user: Any) -> Any:
    """simple-history records ``user`` as who made the change (outside a web request too)."""
    obj._history_user = user if getattr(user, "pk", None) else None
    return obj


def _finance_region(user: Any) -> Region:
    """The region a finance user acts for; others are refused."""
    profile = profile_of(user)
    if profile is None or not profile.is_finance:
        raise ServiceError("您没有权限进行此操作")
    return profile.region  # type: ignore[no-any-return]


# ---------------------------------------------------------------- numbering


def _next_in_sequence(prefix: str, year: int) -> int:
    """Take the next number of (prefix, year) under a row lock: two concurrent issues never get the same 号."""
    DocumentSequence.objects.get_or_create(prefix=prefix, year=year)
    seq = DocumentSequence.objects.select_for_update().get(prefix=prefix, year=year)
    seq.last_number += 1
    seq.save(update_fields=["last_number"])
    return seq.last_number


def assign_doc_no(*, prefix: str = "", year: int, doc_no: str = "") -> tuple[str, str, int | None, int | None]:
    """(doc_no, prefix, year, number) for a new document; call inside the writing transaction.

    With ``doc_no`` (a number entered for a document issued outside the system, or printed already): normalised,
    validated (``ledger.doc-no-format``) and unique (``ledger.doc-no-taken``); its sequence is moved past it so
    automatic numbering never hands it out again. Without: the next number of ``prefix`` and ``year``.
    """
    if doc_no.strip():
        text = docno.normalise(doc_no)
        parsed = docno.parse(text)
        if parsed is None:
            raise ServiceError("文号有误", [problem("ledger.doc-no-format", doc_no=doc_no.strip())])
        if Document.objects.filter(doc_no=text).exists():
            raise ServiceError("文号有误", [problem("ledger.doc-no-taken", doc_no=text)])
        DocumentSequence.objects.get_or_create(prefix=parsed.prefix, year=parsed.year)
        seq = DocumentSequence.objects.select_for_update().get(prefix=parsed.prefix, year=parsed.year)
        if seq.last_number < parsed.seq:
            seq.last_number = parsed.seq
            seq.save(update_fields=["last_number"])
        return text, parsed.prefix, parsed.year, parsed.seq
    if not prefix.strip() or any(c.isspace() for c in prefix.strip()):
        raise ServiceError("文号有误", [problem("ledger.doc-no-format", doc_no=f"{prefix}〔{year}〕")])
    prefix = prefix.strip()
    while True:  # skip numbers taken by hand-entered documents of another spelling history
        number = _next_in_sequence(prefix, year)
        text = docno.format_doc_no(prefix, year, number)
        if not Document.objects.filter(doc_no=text).exists():
            return text, prefix, year, number


def _new_bgt_id(issuer: Region, year: int) -> str:
    """``{issuer code}{year}{seq:010d}`` — the seq is a DocumentSequence row of its own per issuer and year."""
    return f"{issuer.code}{year}{_next_in_sequence(f'#BGT{issuer.code}', year):010d}"


# ---------------------------------------------------------------- balances


def figures_of(indicator: Indicator) -> IndicatorFigures:
    """The figures behind an indicator's available balance, read from the database (元)."""
    children = indicator.children.aggregate(s=Sum("amount"))["s"] or ZERO
    reductions = indicator.reductions.aggregate(s=Sum("amount"))["s"] or ZERO
    paid = indicator.payments.filter(status="matched").aggregate(s=Sum("amount"))["s"] or ZERO
    return IndicatorFigures(indicator.amount, reductions=reductions, issued_children=children, paid_net=paid)


def identity_of(indicator: Indicator) -> Identity:
    return Identity(indicator.marker_code, indicator.marker_name, indicator.fund, indicator.project_name)


@dataclasses.dataclass(frozen=True)
class IndicatorAttrs:
    """What a new top-level indicator carries besides amount and recipient (inherited when there is a parent)."""

    project_name: str = ""
    project_code: str = ""
    income_code: str = ""
    tp_func_code: str = ""
    exp_func_code: str = ""
    gov_eco_code: str = ""
    dep_eco_code: str = ""
    marker_code: str = ""
    marker_name: str = ""

    @classmethod
    def of(cls, indicator: Indicator) -> IndicatorAttrs:
        return cls(**{f.name: getattr(indicator, f.name) for f in dataclasses.fields(cls)})


@dataclasses.dataclass(frozen=True)
class DocFields:
    """The document's own fields; ``doc_no`` blank = numbered automatically from ``prefix``."""

    title: str = ""
    doc_no: str = ""
    prefix: str = ""
    doc_date: datetime.date | None = None
    issuer_office: str = ""
    main_recipients: str = ""
    cc: str = ""
    basis: tuple[Document, ...] = ()
    basis_text: str = ""
    attachments: tuple[str, ...] = ()
    advance: bool | None = None  # None: the plan's year is after the document's year
    budget_year: int | None = None


def _create_document(
    *,
    user: Any,
    issuer: Region,
    fields: DocFields,
    kind: str,
    year: int,
    plan: AllocationPlan | None = None,
    amends: Document | None = None,
    default_title: str = "",
) -> Document:
    doc_date = fields.doc_date or timezone.localdate()
    doc_no, prefix, doc_year, number = assign_doc_no(prefix=fields.prefix, year=doc_date.year, doc_no=fields.doc_no)
    advance = fields.advance if fields.advance is not None else year > doc_date.year
    document = _with_user(
        Document(
            issuer=issuer,
            issuer_office=fields.issuer_office,
            doc_no=doc_no,
            prefix=prefix,
            year=doc_year,
            number=number,
            title=(fields.title or default_title)[:360],
            doc_date=doc_date,
            main_recipients=fields.main_recipients,
            basis_text=fields.basis_text,
            cc=fields.cc,
            attachments=list(fields.attachments),
            advance=advance,
            budget_year=fields.budget_year or year,
            kind=kind,
            amends=amends,
            plan=plan,
            fiscal_year=year,
            created_by=user if getattr(user, "pk", None) else None,
        ),
        user,
    )
    document.save()
    if fields.basis:
        document.basis.set(fields.basis)
    return document


# ---------------------------------------------------------------- issuing a plan


@dataclasses.dataclass
class _Line:
    """Plan lines routed to one holder: a region one level down, or a budget unit of the issuer's region."""

    region: Region | None
    unit: BudgetUnit | None
    amount: Decimal
    names: list[str]
    group: str

    @property
    def label(self) -> str:
        return (self.unit or self.region).name  # type: ignore[union-attr]


def _child_on_path(issuer: Region, region: Region) -> Region | None:
    """The direct child of ``issuer`` on the way to ``region`` (``region`` itself when it is one)."""
    if region.pk == issuer.pk or not region.is_within(issuer):
        return None
    codes = region.path.split("/")
    child_code = codes[len(issuer.path.split("/"))]
    return region if region.code == child_code else Region.objects.get(code=child_code)


def _route(issuer: Region, region: Region | None, unit: BudgetUnit | None) -> tuple[Region | None, BudgetUnit | None]:
    if unit is not None:
        if unit.region_id == issuer.pk:
            return None, unit
        return _child_on_path(issuer, unit.region), None
    return (_child_on_path(issuer, region) if region is not None else None), None


def _plan_lines(plan: AllocationPlan) -> tuple[list[_Line], list[Problem]]:
    """The plan's result lines in 元, routed and summed per holder (positive and negative kept apart)."""
    result = plan.result_json or {}
    factor = Unit(result.get("unit", plan.unit_label)).yuan_factor
    recipients = {(r.group, r.name): r for r in plan.recipients.select_related("region", "unit__region")}
    groups = {g.name: g for g in Region.objects.filter(name__in={ln.get("group") or "" for ln in result["lines"]})}
    issuer = plan.region
    routed: dict[tuple[int | None, int | None, bool], _Line] = {}
    problems = []
    for ln in result["lines"]:
        amount = (Decimal(ln["amount"]) * factor).quantize(CENT)
        if amount == 0:
            continue
        group = ln.get("group") or ""
        r = recipients.get((group, ln["recipient"]))
        region, unit = _route(issuer, r.region if r else None, r.unit if r else None)
        if region is None and unit is None and group in groups:
            region = _child_on_path(issuer, groups[group])
        if region is None and unit is None:
            problems.append(problem("ledger.recipient-unlinked", recipient=ln["recipient"]))
            continue
        key = (region.pk if region else None, unit.pk if unit else None, amount > 0)
        line = routed.setdefault(key, _Line(region, unit, ZERO, [], group))
        line.amount += amount
        line.names.append(ln["recipient"])
    return list(routed.values()), problems


def _reduction_target(plan: AllocationPlan, line: _Line) -> Indicator | None:
    """The advance indicator a negative settlement line reduces: same fund, issuer and recipient; when the plan
    names its advance document (settlement's ``advance_document``), from that document."""
    found = Indicator.objects.filter(
        kind=Indicator.Kind.NORMAL, fund=plan.fund, issuer=plan.region, rec_region=line.region, rec_unit=line.unit
    )
    method = core_plan(plan).method
    if isinstance(method, SettlementMethod) and method.advance_document:
        found = found.filter(cor_doc_no=docno.normalise(method.advance_document))
    return found.order_by("-advance", "-id").first()


@transaction.atomic
def issue_plan(
    *, user: Any, plan: AllocationPlan, doc: DocFields | None = None, attrs: IndicatorAttrs | None = None
) -> Document:
    """Issue an approved plan as one document with one indicator per holder (amounts in 元 from its result).

    ``doc.doc_no`` defaults to the plan's 文号 when it has one. A plan made from a received indicator
    (``PlanSource``) issues children of it: they inherit its identity and codes and must fit its available
    balance. Negative settlement lines become reductions (扣回) of the advance indicator they settle.
    """
    doc = doc or DocFields()
    issuer = _finance_region(user)
    plan = AllocationPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.region_id != issuer.pk:
        raise ServiceError("您没有权限进行此操作")
    if plan.status != AllocationPlan.Status.APPROVED or not plan.result_json:
        raise ServiceError("不能下达", [problem("ledger.plan-not-approved", title=plan.title)])
    issued = plan.ledger_documents.first()
    if issued is not None:
        raise ServiceError("不能下达", [problem("ledger.plan-issued", title=plan.title, doc_no=issued.doc_no)])
    if not doc.doc_no and not doc.prefix and plan.document_number:
        doc = dataclasses.replace(doc, doc_no=plan.document_number)
    lines, problems = _plan_lines(plan)
    problems += _formula_problems(doc, attrs)
    _refuse("不能下达", problems)

    source = PlanSource.objects.filter(plan=plan).select_related("indicator").first()
    parent = Indicator.objects.select_for_update().get(pk=source.indicator.pk) if source else None
    identity = (
        identity_of(parent)
        if parent
        else Identity(
            (attrs or IndicatorAttrs()).marker_code,
            (attrs or IndicatorAttrs()).marker_name,
            plan.fund,
            (attrs or IndicatorAttrs()).project_name,
        )
    )
    if parent is not None:
        attrs = IndicatorAttrs.of(parent)
        problems += _parent_problems(parent, issuer)
        problems += check_inherited(
            identity_of(parent), Identity(parent.marker_code, parent.marker_name, plan.fund, parent.project_name)
        )
        problems += check_issue(parent.bgt_id, figures_of(parent), [ln.amount for ln in lines if ln.amount > 0])
    attrs = attrs or IndicatorAttrs()
    problems += check_document_funds([identity])
    targets: dict[int, Indicator] = {}
    for i, ln in enumerate(lines):
        if ln.amount > 0:
            continue
        target = _reduction_target(plan, ln)
        if target is None:
            problems.append(problem("ledger.reduction-no-target", recipient=ln.label, amount=f"{ln.amount:.2f}"))
            continue
        target = Indicator.objects.select_for_update().get(pk=target.pk)
        problems += check_reduction(target.bgt_id, figures_of(target), ln.amount)
        targets[i] = target
    _refuse("不能下达", problems)

    year = plan.year
    document = _create_document(
        user=user, issuer=issuer, fields=doc, kind="issue", year=year, plan=plan, default_title=plan.title
    )
    for i, ln in enumerate(lines):
        target = targets.get(i)
        _create_indicator(
            user=user,
            document=document,
            issuer=issuer,
            region=ln.region,
            unit=ln.unit,
            amount=ln.amount,
            fund=plan.fund,
            attrs=attrs,
            parent=target.parent if target else parent,
            reduces=target,
            plan_line={"plan_id": plan.pk, "group": ln.group, "name": ln.label, "lines": ln.names},
        )
    if plan.document_number != document.doc_no:
        # The plan's 文号 is the document it was issued as (the plan list shows it; history keeps the change).
        plan.document_number = document.doc_no
        plan._history_user = user if getattr(user, "pk", None) else None  # type: ignore[attr-defined]
        plan.save(update_fields=["document_number"])
    return document


def _parent_problems(parent: Indicator, region: Region) -> list[Problem]:
    """Issuing from ``parent`` needs it received and held by ``region`` (not by one of its units)."""
    problems = []
    if parent.holder_region_id != region.pk or parent.rec_unit_id is not None:
        problems.append(problem("ledger.wrong-holder", bgt_id=parent.bgt_id, holder=region.name))
    if parent.status != Indicator.Status.RECEIVED:
        problems.append(problem("ledger.not-received", bgt_id=parent.bgt_id))
    return problems


def _create_indicator(
    *,
    user: Any,
    document: Document,
    issuer: Region,
    region: Region | None,
    unit: BudgetUnit | None,
    amount: Decimal,
    fund: str,
    attrs: IndicatorAttrs,
    parent: Indicator | None,
    reduces: Indicator | None = None,
    plan_line: dict[str, Any] | None = None,
) -> Indicator:
    now = timezone.now()
    to_unit = unit is not None
    indicator = _with_user(
        Indicator(
            bgt_id=_new_bgt_id(issuer, document.fiscal_year),
            fiscal_year=document.fiscal_year,
            document=document,
            cor_doc_no=document.doc_no,
            sup_doc_no=parent.cor_doc_no if parent else "",
            parent=parent,
            ori_bgt_id=parent.bgt_id if parent else "",
            issuer=issuer,
            rec_region=region,
            rec_unit=unit,
            holder_region=unit.region if unit is not None else region,
            fund=fund,
            amount=amount,
            kind=Indicator.Kind.REDUCTION if amount < 0 else Indicator.Kind.NORMAL,
            reduces=reduces,
            advance=document.advance,
            # Indicators to budget units, and reductions (the holder is told by the document), need no receipt.
            status=Indicator.Status.RECEIVED if to_unit or amount < 0 else Indicator.Status.PENDING,
            received_at=now if to_unit else None,
            received_by=user if to_unit and getattr(user, "pk", None) else None,
            plan_line=plan_line,
            **dataclasses.asdict(attrs),
        ),
        user,
    )
    indicator.save()
    return indicator


# ---------------------------------------------------------------- receiving, amending, re-allocating


@transaction.atomic
def receive(*, user: Any, indicator: Indicator, income_code: str = "") -> Indicator:
    """A lower region confirms an indicator issued to it (待接收 → 已接收), booked under ``income_code``."""
    region = _finance_region(user)
    fresh = Indicator.objects.select_for_update().get(pk=indicator.pk)
    if fresh.rec_region_id != region.pk:
        raise ServiceError("不能接收", [problem("ledger.wrong-holder", bgt_id=fresh.bgt_id, holder=region.name)])
    if fresh.status == Indicator.Status.RECEIVED:
        when = timezone.localtime(fresh.received_at).strftime("%Y-%m-%d") if fresh.received_at else ""
        raise ServiceError("不能接收", [problem("ledger.already-received", bgt_id=fresh.bgt_id, when=when)])
    fresh.status = Indicator.Status.RECEIVED
    fresh.received_at = timezone.now()
    fresh.received_by = user
    fresh.received_income_code = income_code.strip() or fresh.income_code
    _with_user(fresh, user).save()
    return fresh


@dataclasses.dataclass(frozen=True)
class AmendLine:
    """One line of an amendment: the indicator it amends and the amount (positive; a 收回 of None takes all
    that is still available)."""

    indicator: Indicator
    amount: Decimal | None


@transaction.atomic
def amend(
    *, user: Any, document: Document, kind: str, lines: Sequence[AmendLine], doc: DocFields | None = None
) -> Document:
    """An amendment document (追加 add / 调减 reduce / 收回 recall) linked to ``document`` via ``amends``.

    追加 issues a further indicator to the same recipient (from the same parent, which must have room);
    调减 and 收回 write reductions (negative rows) of the amended indicators, limited to what is available there.
    """
    issuer = _finance_region(user)
    if kind not in ("add", "reduce", "recall"):
        raise ServiceError("不能调整", [problem("ledger.amend-kind")])
    if document.issuer_id != issuer.pk:
        raise ServiceError("您没有权限进行此操作")
    problems: list[Problem] = _formula_problems(doc)
    planned: list[tuple[Indicator, Decimal]] = []
    per_parent: dict[int, list[Decimal]] = {}
    for line in lines:
        ind = Indicator.objects.select_for_update().get(pk=line.indicator.pk)
        if ind.document_id != document.pk or ind.kind != Indicator.Kind.NORMAL:
            problems.append(problem("ledger.wrong-holder", bgt_id=ind.bgt_id, holder=document.doc_no))
            continue
        figures = figures_of(ind)
        amount = line.amount if line.amount is not None else figures.available
        if kind == "add":
            problems += check_positive(amount)
            if ind.parent_id is not None:
                per_parent.setdefault(ind.parent_id, []).append(amount)
            planned.append((ind, amount))
        else:
            problems += check_reduction(ind.bgt_id, figures, -amount)
            planned.append((ind, -amount))
    for parent_id, amounts in per_parent.items():
        parent = Indicator.objects.select_for_update().get(pk=parent_id)
        problems += check_issue(parent.bgt_id, figures_of(parent), amounts)
    _refuse("不能调整", problems)
    label = Document.Kind(kind).label
    new = _create_document(
        user=user,
        issuer=issuer,
        fields=doc or DocFields(),
        kind=kind,
        year=document.fiscal_year,
        amends=document,
        default_title=f"关于{label}{document.title}的通知",
    )
    for ind, amount in planned:
        _create_indicator(
            user=user,
            document=new,
            issuer=issuer,
            region=ind.rec_region,
            unit=ind.rec_unit,
            amount=amount,
            fund=ind.fund,
            attrs=IndicatorAttrs.of(ind),
            parent=ind.parent,
            reduces=ind if amount < 0 else None,
            plan_line=ind.plan_line,
        )
    return new


@transaction.atomic
def plan_from_indicator(
    *, user: Any, indicator: Indicator, spec_yaml: str, document_number: str = ""
) -> AllocationPlan:
    """A re-allocation plan for a received indicator: its fund and total (the available balance, in the plan's
    unit) are taken from the indicator, whatever ``spec_yaml`` says; issuing it makes children of the indicator."""
    region = _finance_region(user)
    fresh = Indicator.objects.select_for_update().get(pk=indicator.pk)
    _refuse("不能再分配", _parent_problems(fresh, region))
    available = figures_of(fresh).available
    _refuse("不能再分配", check_positive(available))
    try:
        spec = yaml.safe_load(spec_yaml)
    except yaml.YAMLError:
        spec = None
    if not isinstance(spec, dict):
        raise ServiceError("分配参数有误")
    unit = Unit.parse(str(spec.get("unit", "万元")))
    spec["fund"] = fresh.fund
    spec.pop("total", None)
    spec.setdefault("year", fresh.fiscal_year)
    # The total is appended as YAML text: a Decimal has no safe_dump form, and a float would not be exact.
    total = format((available / unit.yuan_factor).normalize(), "f")
    text = yaml.safe_dump(spec, allow_unicode=True, sort_keys=False) + f"total: {total}\n"
    plan = plan_create(user=user, spec_yaml=text, document_number=document_number)
    PlanSource.objects.create(plan=plan, indicator=fresh)
    return plan
