"""Pages of documents and indicators (预算指标文件, 指标): lists, the document in its official layout, issuing an
approved plan, receiving, re-allocating and amending.

Views are thin: reads go through ``fundflow.ledger.selectors`` (404 alike for missing and not-yours), permission
gates through ``fundflow.ledger.rules`` (403 on a visible object the user may not act on), writes through
``fundflow.ledger.services``, whose refusals reach ``fundflow.platform.handlers`` (no try/except here).
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import yaml
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fundflow.accounts.scope import profile_of
from fundflow.allocations.models import AllocationPlan
from fundflow.allocations.selectors import access_plan, plans_visible_to
from fundflow.allocations.spec_templates import SPEC_TEMPLATES
from fundflow.ledger import services
from fundflow.ledger.forms import AmendForm, IssueForm, ReallocateForm, ReceiveForm
from fundflow.ledger.models import Document, Indicator, PlanSource
from fundflow.ledger.selectors import (
    access_document,
    access_indicator,
    documents_visible_to,
    indicators_visible_to,
)
from fundflow.platform.downloads import XLSX, download
from fundflow.platform.errors import ServiceError
from fundflow.platform.handlers import on_refusal

PAGE_SIZE = 50


def _gate(request: HttpRequest, perm: str, obj: Any, message: str) -> None:
    """403 on a visible object the user may not act on (read-only roles, another region's object)."""
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied(message)


# ---------------------------------------------------------------- documents


def filter_documents(user: Any, params: Any) -> tuple[QuerySet[Document], dict[str, str]]:
    """The documents list's query bar (业务年度, 地区, 资金名称, 是否直达资金), read from the URL so a query can be
    bookmarked. 地区 matches the issuer or the holder of a line the user sees; fund and marker look at those lines."""
    query = {k: params.get(k, "").strip() for k in ("year", "region", "fund", "direct")}
    docs = documents_visible_to(user)
    lines = indicators_visible_to(user)
    if query["year"].isdigit():
        docs = docs.filter(fiscal_year=int(query["year"]))
    if query["region"]:
        r = query["region"]
        held = lines.filter(Q(holder_region__code=r) | Q(holder_region__name=r)).values("document_id")
        docs = docs.filter(Q(issuer__code=r) | Q(issuer__name=r) | Q(pk__in=held))
    if query["fund"]:
        docs = docs.filter(pk__in=lines.filter(fund__icontains=query["fund"]).values("document_id"))
    if query["direct"] in ("1", "0"):
        direct = lines.exclude(marker_code="").values("document_id")
        docs = docs.filter(pk__in=direct) if query["direct"] == "1" else docs.exclude(pk__in=direct)
    return docs.select_related("issuer"), query


@login_required
@require_GET
def document_list(request: HttpRequest) -> HttpResponse:
    docs, query = filter_documents(request.user, request.GET)
    page = Paginator(docs, PAGE_SIZE).get_page(request.GET.get("page"))
    docs_on_page = list(page.object_list)
    sums = {
        row["document_id"]: row
        for row in indicators_visible_to(request.user)
        .filter(document__in=docs_on_page)
        .values("document_id")
        .annotate(total=Sum("amount"), lines=Count("id"), fund=Min("fund"), marker=Max("marker_name"))
    }
    rows = [(d, sums.get(d.pk, {})) for d in docs_on_page]
    return render(
        request,
        "ledger/document_list.html",
        {"rows": rows, "page": page, "query": query, "querystring": _without_page(request), **_pending(request)},
    )


def _without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _pending(request: HttpRequest) -> dict[str, Any]:
    """How many indicators wait for this user's region to receive them (shown next to the 待接收 link)."""
    profile = profile_of(request.user)  # type: ignore[arg-type]
    if profile is None or not profile.is_finance:
        return {"pending_count": None}
    count = Indicator.objects.filter(rec_region_id=profile.region_id, status=Indicator.Status.PENDING).count()
    return {"pending_count": count}


def _document_context(request: HttpRequest, document: Document) -> dict[str, Any]:
    user = request.user
    lines = list(
        indicators_visible_to(user)
        .filter(document=document)
        .select_related("rec_region", "rec_unit", "parent", "reduces")
        .order_by("id")
    )
    visible_docs = documents_visible_to(user)
    basis = [(b, visible_docs.filter(pk=b.pk).exists()) for b in document.basis.order_by("doc_date", "id")]
    plan = document.plan if document.plan_id and plans_visible_to(user).filter(pk=document.plan_id).exists() else None
    markers = sorted({f"{i.marker_code} {i.marker_name}" for i in lines if i.marker_code})
    codes = {
        label: sorted({getattr(i, field) for i in lines if getattr(i, field)})
        for field, label in (
            ("income_code", "收入科目"),
            ("tp_func_code", "转移支付功能科目"),
            ("exp_func_code", "支出功能科目"),
            ("gov_eco_code", "政府经济分类"),
            ("dep_eco_code", "部门经济分类"),
        )
    }
    return {
        "document": document,
        "lines": [(i, user.has_perm("ledger.receive_indicator", i)) for i in lines],
        "total": sum((i.amount for i in lines), Decimal("0.00")),
        "basis": basis,
        "plan": plan,
        "markers": markers,
        "codes": [(label, values) for label, values in codes.items() if values],
        "funds": sorted({i.fund for i in lines}),
        "amends": document.amends
        if document.amends_id and visible_docs.filter(pk=document.amends_id).exists()
        else None,
        "amendments": list(visible_docs.filter(amends=document).order_by("doc_date", "id")),
        "can_amend": user.has_perm("ledger.amend_document", document),
    }


@login_required
@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = access_document(request.user, pk)
    return render(request, "ledger/document_detail.html", _document_context(request, document))


@login_required
@require_GET
def document_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The lines the user sees, amounts exact in 元 (the page shows 万元)."""
    from openpyxl import Workbook

    from fundflow.io.xlsx_write import save_workbook

    document = access_document(request.user, pk)
    context = _document_context(request, document)
    wb = Workbook()
    ws = wb.create_sheet("指标", 0)
    wb.remove(wb.worksheets[1])
    ws.append(["文号", document.doc_no])
    ws.append(["标题", document.title])
    ws.append(["单位", "元"])
    ws.append(["指标编号", "接收方", "资金名称", "项目名称", "直达资金标识", "支出功能科目", "金额（元）", "上级文号"])
    for ind, _ in context["lines"]:
        holder = ind.rec_unit.name if ind.rec_unit else ind.rec_region.name
        marker = f"{ind.marker_code} {ind.marker_name}".strip()
        ws.append(
            [ind.bgt_id, holder, ind.fund, ind.project_name, marker, ind.exp_func_code, ind.amount, ind.sup_doc_no]
        )
        ws.cell(row=ws.max_row, column=7).number_format = "0.00"
    ws.append(["合计", "", "", "", "", "", context["total"], ""])
    ws.cell(row=ws.max_row, column=7).number_format = "0.00"
    buffer = io.BytesIO()
    save_workbook(wb, buffer)
    return download(buffer.getvalue(), f"{document.doc_no}.xlsx", XLSX)


def _amend_refused(request: HttpRequest, exc: ServiceError, pk: int) -> HttpResponse:
    document = access_document(request.user, pk)
    form = _amend_form(request, document)
    form.is_valid()
    context = {**_document_context(request, document), "form": form, "problems": exc.problems}
    return render(request, "ledger/document_amend.html", context, status=400)


def _amend_form(request: HttpRequest, document: Document) -> AmendForm:
    lines = list(document.indicators.filter(kind=Indicator.Kind.NORMAL).select_related("rec_region", "rec_unit"))
    initial = {"number": document.prefix, "title": ""}
    return AmendForm(
        request.POST or None,
        lines=lines,
        initial=initial,
        basis_choices=documents_visible_to(request.user),
    )


@login_required
@require_http_methods(["GET", "POST"])
@on_refusal(_amend_refused)
def document_amend(request: HttpRequest, pk: int) -> HttpResponse:
    """追加 / 调减 / 收回: a new document linked to this one (an issued document itself is never edited)."""
    document = access_document(request.user, pk)
    _gate(request, "ledger.amend_document", document, "只有发文地区的财政部门可以调整该文件")
    form = _amend_form(request, document)
    if request.method == "POST" and form.is_valid():
        lines = [services.AmendLine(ind, amount) for ind, amount in form.amounts()]
        new = services.amend(
            user=request.user,
            document=document,
            kind=form.cleaned_data["kind"],
            lines=lines,
            doc=form.doc_fields(),
        )
        messages.success(request, f"已印发{new.get_kind_display()}文件 {new.doc_no}。")
        return redirect("ledger:document-detail", pk=new.pk)
    context = {**_document_context(request, document), "form": form, "problems": ()}
    return render(request, "ledger/document_amend.html", context, status=400 if form.is_bound else 200)


# ---------------------------------------------------------------- issuing a plan


def issue_form(request: HttpRequest, plan: AllocationPlan) -> IssueForm:
    """The 下达 form of a plan: 文号 from the plan, title from the plan, 主送 the lines' recipients."""
    initial = {
        "number": plan.document_number or "",
        "title": plan.title,
        "budget_year": plan.year,
    }
    form = IssueForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        basis_choices=documents_visible_to(request.user),
    )
    if PlanSource.objects.filter(plan=plan).exists():
        form.inherit()
    return form


def _issue_refused(request: HttpRequest, exc: ServiceError, pk: int) -> HttpResponse:
    plan = access_plan(request.user, pk)
    form = issue_form(request, plan)
    form.is_valid()
    return render(request, "ledger/plan_issue.html", _issue_context(plan, form, exc.problems), status=400)


def _issue_context(plan: AllocationPlan, form: IssueForm, problems: Any = ()) -> dict[str, Any]:
    source = PlanSource.objects.filter(plan=plan).select_related("indicator").first()
    return {"plan": plan, "form": form, "problems": problems, "source": source.indicator if source else None}


@login_required
@require_http_methods(["GET", "POST"])
@on_refusal(_issue_refused)
def plan_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """下达预算指标文件: an approved plan becomes one document with one indicator per recipient line."""
    plan = access_plan(request.user, pk)
    _gate(request, "ledger.issue_from_plan", plan, "只有编制该方案地区的财政部门可以下达")
    form = issue_form(request, plan)
    if request.method == "POST" and form.is_valid():
        document = services.issue_plan(user=request.user, plan=plan, doc=form.doc_fields(), attrs=form.attrs())
        count = document.indicators.count()
        messages.success(request, f"已下达预算指标文件 {document.doc_no}，共 {count} 条指标。")
        return redirect("ledger:document-detail", pk=document.pk)
    status = 400 if form.is_bound else 200
    return render(request, "ledger/plan_issue.html", _issue_context(plan, form), status=status)


# ---------------------------------------------------------------- indicators


@login_required
@require_GET
def indicator_list(request: HttpRequest) -> HttpResponse:
    """指标 the user sees; ``?view=pending`` lists those waiting for the user's own region to receive them."""
    inds = indicators_visible_to(request.user).select_related("issuer", "rec_region", "rec_unit", "document")
    query = {k: request.GET.get(k, "").strip() for k in ("view", "year", "fund")}
    profile = profile_of(request.user)  # type: ignore[arg-type]
    if query["view"] == "pending":
        region_id = profile.region_id if profile is not None and profile.role != "unit" else None
        inds = inds.filter(rec_region_id=region_id, status=Indicator.Status.PENDING)
    if query["year"].isdigit():
        inds = inds.filter(fiscal_year=int(query["year"]))
    if query["fund"]:
        inds = inds.filter(fund__icontains=query["fund"])
    page = Paginator(inds.order_by("-fiscal_year", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(i, request.user.has_perm("ledger.receive_indicator", i)) for i in page.object_list]
    return render(
        request,
        "ledger/indicator_list.html",
        {"rows": rows, "page": page, "query": query, "querystring": _without_page(request), **_pending(request)},
    )


def _history(indicator: Indicator) -> list[dict[str, Any]]:
    """Who changed what on the indicator (its receipt): each change with the value before and after."""
    records = list(indicator.history.select_related("history_user").order_by("-history_date", "-history_id"))
    out = []
    for record, previous in zip(records, [*records[1:], None], strict=True):
        changes = []
        if previous is not None:
            for f in ("status", "received_at", "received_by_id", "received_income_code"):
                old, new = getattr(previous, f), getattr(record, f)
                if old != new:
                    changes.append((f, _shown(f, old), _shown(f, new)))
        out.append({"record": record, "created": previous is None, "changes": changes})
    return out


FIELD_LABELS = {
    "status": "状态",
    "received_at": "接收时间",
    "received_by_id": "接收人",
    "received_income_code": "收入科目",
}


def _shown(field: str, value: Any) -> str:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    if value in (None, ""):
        return "（空）"
    if field == "status":
        return str(Indicator.Status(value).label)
    if field == "received_at":
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if field == "received_by_id":
        user = get_user_model().objects.filter(pk=value).first()
        return user.get_username() if user else str(value)
    return str(value)


@login_required
@require_GET
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    indicator = access_indicator(user, pk)
    visible = indicators_visible_to(user)
    parent = indicator.parent if indicator.parent_id and visible.filter(pk=indicator.parent_id).exists() else None
    children = list(
        visible.filter(parent=indicator).select_related("rec_region", "rec_unit", "document").order_by("id")
    )
    source_plans = plans_visible_to(user).filter(ledger_source__indicator=indicator)
    history = [
        {**h, "changes": [(FIELD_LABELS[f], old, new) for f, old, new in h["changes"]]} for h in _history(indicator)
    ]
    return render(
        request,
        "ledger/indicator_detail.html",
        {
            "indicator": indicator,
            "parent": parent,
            "parent_hidden": indicator.parent_id is not None and parent is None,
            "children": children,
            "reductions": list(visible.filter(reduces=indicator).select_related("document")),
            "figures": services.figures_of(indicator),
            "payments": indicator.payments.count(),
            "plans": list(source_plans),
            "history": history,
            "can_receive": user.has_perm("ledger.receive_indicator", indicator),
            "can_reallocate": user.has_perm("ledger.reallocate_indicator", indicator),
            "receive_form": ReceiveForm(initial={"income_code": indicator.income_code}),
            "reallocate_form": ReallocateForm(initial={"title": _reallocation_title(indicator)}),
        },
    )


@login_required
@require_POST
def indicator_receive(request: HttpRequest, pk: int) -> HttpResponse:
    """确认接收 (booked under the income code given); refusals (already received) name their rule."""
    indicator = access_indicator(request.user, pk)
    _gate(request, "ledger.receive_gate", indicator, "只有接收地区的财政部门可以接收该指标")
    form = ReceiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "收入科目有误：" + "；".join(e for errs in form.errors.values() for e in errs))
        return redirect("ledger:indicator-detail", pk=indicator.pk)
    got = services.receive(user=request.user, indicator=indicator, income_code=form.cleaned_data["income_code"])
    messages.success(request, f"已接收指标 {got.bgt_id}（收入科目 {got.received_income_code or '—'}）。")
    return redirect("ledger:indicator-detail", pk=got.pk)


def _reallocation_title(indicator: Indicator) -> str:
    return f"{indicator.fiscal_year}年{indicator.fund}分配表"


def reallocation_spec(indicator: Indicator, method: str, title: str) -> str:
    """Starting parameters of a re-allocation plan: the method's sample with the title and the indicator's year
    (fund and total are set by the service from the indicator)."""
    spec = yaml.safe_load(SPEC_TEMPLATES.get(method, SPEC_TEMPLATES["factor"]))
    spec["title"] = title
    spec["year"] = indicator.fiscal_year
    return yaml.safe_dump(spec, allow_unicode=True, sort_keys=False)


@login_required
@require_POST
def indicator_reallocate(request: HttpRequest, pk: int) -> HttpResponse:
    """再分配: a plan for this received indicator (its fund and total taken from it), then the plan's page."""
    indicator = access_indicator(request.user, pk)
    _gate(request, "ledger.reallocate_gate", indicator, "只有持有该指标地区的财政部门可以再分配")
    form = ReallocateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写分配表标题并选择分配方法")
        return redirect("ledger:indicator-detail", pk=indicator.pk)
    spec = reallocation_spec(indicator, form.cleaned_data["method"], form.cleaned_data["title"])
    plan = services.plan_from_indicator(user=request.user, indicator=indicator, spec_yaml=spec)
    messages.success(request, f"已按指标 {indicator.bgt_id} 新建分配方案，资金名称和总额取自该指标。")
    return redirect("allocations:plan-detail", pk=plan.pk)
