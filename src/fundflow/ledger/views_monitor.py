"""直达资金监控 and 指标追溯 pages. Reads only, each scoped through ``fundflow.ledger.selectors``: a region user
sees its region subtree's rows, a unit user its own line; drill-downs and traces list only what the user may see.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from fundflow.accounts.models import Role
from fundflow.accounts.scope import profile_of
from fundflow.io.monitor_xlsx import monitor_workbook
from fundflow.ledger import monitoring
from fundflow.ledger.selectors import (
    access_document,
    access_indicator,
    indicators_visible_to,
    payments_visible_to,
    regions_visible_to,
)
from fundflow.platform.downloads import download

FIGURES = {
    "received": "上级下达",
    "allocated_own": "分配本级",
    "allocated_lower": "分配下级",
    "spent_own": "本级支出",
    "spent_total": "支出合计",
}


@dataclasses.dataclass(frozen=True)
class Query:
    """The query bar: 业务年度, 资金名称, 截止日期 (all in the URL so a view can be bookmarked and shared)."""

    year: int | None
    fund: str
    as_of: datetime.date
    funds: list[str]
    years: list[int]

    def params(self, **extra: str) -> str:
        return urlencode({"year": self.year or "", "fund": self.fund, "as_of": self.as_of.isoformat(), **extra})


def _query(request: HttpRequest) -> Query:
    """The query bar's values; a page opened without them shows the latest year and a fund that has figures in
    that year (not the first fund of all years, which may have none then — an empty first page)."""
    visible = indicators_visible_to(request.user)
    funds, years = monitoring.funds_and_years(visible)
    fund = request.GET.get("fund", "").strip()
    try:
        year: int | None = int(request.GET.get("year", ""))
    except ValueError:
        pool = visible.filter(fund=fund) if fund else visible
        year = pool.order_by("-fiscal_year").values_list("fiscal_year", flat=True).first()
    if not fund and year is not None:
        fund = visible.filter(fiscal_year=year).order_by("fund").values_list("fund", flat=True).first() or ""
    try:
        as_of = datetime.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        as_of = datetime.date.today()
    return Query(year, fund, as_of, funds, years)


def _monitor(request: HttpRequest, q: Query) -> monitoring.Monitor | None:
    profile = profile_of(request.user)
    if profile is None or q.year is None or not q.fund:
        return None
    if profile.role == Role.UNIT:
        if profile.unit is None:
            return monitoring.Monitor(q.fund, q.year, q.as_of, [])
        return monitoring.monitor(fund=q.fund, year=q.year, as_of=q.as_of, unit=profile.unit)
    return monitoring.monitor(fund=q.fund, year=q.year, as_of=q.as_of, within=profile.region)


def _bar(value: str | None) -> int:
    """A progress bar's width in percent (0–100) for a percent string."""
    return 0 if value is None else max(0, min(100, round(Decimal(value))))


@login_required
@require_GET
def monitor_page(request: HttpRequest) -> HttpResponse:
    q = _query(request)
    result = _monitor(request, q)
    rows = []
    for row in result.rows if result else []:
        data = row.as_json()
        links = {key: reverse("ledger:monitor-drill") + "?" + q.params(region=row.code, figure=key) for key in FIGURES}
        bars = [_bar(data["allocation_progress"]), _bar(data["spending_progress"])]
        depth = {"自治区": 0, "地州市": 1, "县市区": 2}.get(row.level, 0)
        rows.append({"row": data, "links": links, "bars": bars, "depth": depth})
    return render(
        request,
        "ledger/monitor.html",
        {"q": q, "rows": rows, "export": reverse("ledger:monitor-export") + "?" + q.params(), "has_query": result},
    )


@login_required
@require_GET
def monitor_export(request: HttpRequest) -> HttpResponse:
    q = _query(request)
    result = _monitor(request, q)
    if result is None:
        raise Http404("请先选择业务年度和资金名称")
    buffer = io.BytesIO()
    monitor_workbook(result.as_json(), buffer)
    return download(buffer.getvalue(), f"{q.year}年{q.fund}直达资金监控表（截止{q.as_of.isoformat()}）.xlsx")


@login_required
@require_GET
def monitor_drill(request: HttpRequest) -> HttpResponse:
    """The indicators (upper and lower 文号 side by side) and payments behind one figure of one region."""
    q = _query(request)
    figure = request.GET.get("figure", "")
    code = request.GET.get("region", "")
    if figure not in FIGURES or q.year is None:
        raise Http404("未找到该监控数据")
    profile = profile_of(request.user)
    indicators = indicators_visible_to(request.user)
    payments = payments_visible_to(request.user)
    if profile is not None and profile.role == Role.UNIT:
        # A unit's own line: every figure is its own indicators and their payments.
        if profile.unit is None or code != profile.unit.code:
            raise Http404("未找到该监控数据")
        name = profile.unit.name
        shown = indicators.filter(fund=q.fund, fiscal_year=q.year, document__doc_date__lte=q.as_of)
        paid = payments.filter(indicator__in=shown.values("pk"), status="matched", pay_date__lte=q.as_of)
        if figure in ("allocated_own", "allocated_lower"):
            shown = shown.none()
    else:
        region = regions_visible_to(request.user).filter(code=code).first()
        if region is None:
            raise Http404("未找到该监控数据")
        name = region.name
        args: dict[str, Any] = {"fund": q.fund, "year": q.year, "as_of": q.as_of, "region": region, "figure": figure}
        shown = monitoring.drill_indicators(queryset=indicators, **args)
        paid = monitoring.drill_payments(queryset=payments, **args)
    shown = shown.select_related("issuer", "rec_region", "rec_unit", "document").order_by("cor_doc_no", "bgt_id")
    paid = paid.select_related("indicator", "payer_region").order_by("pay_date", "id")
    spent = figure in ("spent_own", "spent_total")
    return render(
        request,
        "ledger/monitor_drill.html",
        {
            "q": q,
            "name": name,
            "figure_label": FIGURES[figure],
            "indicators": shown[:1000],
            "payments": paid[:1000] if spent else [],
            "spent": spent,
            "back": reverse("ledger:monitor") + "?" + q.params(),
        },
    )


@login_required
@require_GET
def trace_indicator_page(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = access_indicator(request.user, pk)
    tree = monitoring.trace_indicator(indicator, indicators_visible_to(request.user))
    return render(
        request,
        "ledger/trace.html",
        {"title": f"指标追溯：{indicator.bgt_id}", "subject": indicator, "trees": [tree], "trace": tree},
    )


@login_required
@require_GET
def trace_document_page(request: HttpRequest, pk: int) -> HttpResponse:
    document = access_document(request.user, pk)
    data = monitoring.trace_document(document, indicators_visible_to(request.user))
    return render(
        request,
        "ledger/trace.html",
        {"title": f"文件追溯：{document.doc_no}", "document": data, "trees": data["indicators"], "trace": data},
    )
