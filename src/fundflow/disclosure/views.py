"""Pages of budget disclosure (预算公开). Views are thin: parse the request, call a selector or a service, render.
Every budget lookup goes through ``selectors.access_budget`` (404 for missing and not-yours alike), every unit
lookup through ``selectors.access_unit``. Service refusals are answered by ``fundflow.platform.handlers``: a
view that redraws its page says how with ``on_refusal``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from fundflow.core.disclosure import RULES
from fundflow.core.disclosure.rules import Finding
from fundflow.core.errors import PlanError
from fundflow.core.money import fmt
from fundflow.disclosure import services
from fundflow.disclosure.forms import CheckForm, ImportForm
from fundflow.disclosure.models import BudgetRecord, wan_text
from fundflow.disclosure.selectors import access_budget, access_unit, budgets_visible_to, units_visible_to
from fundflow.io.disclosure_grid import layout
from fundflow.platform.downloads import DOCX, PDF, XLSX, download
from fundflow.platform.errors import ConflictError, ServiceError
from fundflow.platform.handlers import on_refusal
from fundflow.platform.uploads import read_upload
from fundflow.web_forms import posted_version


def _writable_units(request: HttpRequest) -> list[Any]:
    return [u for u in units_visible_to(request.user).select_related("region") if _can_change(request, u)]


def _can_change(request: HttpRequest, obj: object) -> bool:
    return bool(request.user.has_perm("disclosure.change_budget", obj))


def _list_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    budgets = budgets_visible_to(request.user)
    year = request.GET.get("year", "").strip()
    if year.isdigit():
        budgets = budgets.filter(year=int(year))
    query = request.GET.get("q", "").strip()
    if query:
        budgets = budgets.filter(unit__name__icontains=query)
    return {"budgets": budgets, "year": year, "q": query, "units": _writable_units(request), **extra}


@login_required
@require_GET
def budget_list(request: HttpRequest) -> HttpResponse:
    return render(request, "disclosure/budget_list.html", _list_context(request))


@login_required
@require_GET
def template_download(request: HttpRequest) -> HttpResponse:
    from fundflow.io.disclosure_budget_xlsx import budget_template_bytes

    return download(budget_template_bytes(), "部门预算数据模板.xlsx", XLSX)


def _import_refused(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    """The list page with every problem of the refused import (nothing was saved)."""
    context = _list_context(request, import_problems=exc.problems)
    return render(request, "disclosure/budget_list.html", context, status=400)


@login_required
@require_POST
@on_refusal(_import_refused)
def budget_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid() or form.cleaned_data["unit"] is None:
        messages.error(request, "请选择预算单位和要导入的文件")
        return redirect("disclosure:budget-list")
    unit = access_unit(request.user, form.cleaned_data["unit"])
    if not _can_change(request, unit):
        raise DjangoPermissionDenied("您没有权限导入该单位的预算")
    filename, content = read_upload(form.cleaned_data["file"])
    report = services.budget_import(user=request.user, unit=unit, filename=filename, content=content, version=None)
    _report(request, report)
    return redirect("disclosure:budget-detail", pk=report.budget.pk)


def _report(request: HttpRequest, report: services.ImportReport) -> None:
    b = report.budget
    if report.created:
        messages.success(request, f"已导入 {b.unit.name} {b.year}年预算。")
    elif report.changed:
        messages.success(request, f"已更新 {b.unit.name} {b.year}年预算。")
    else:
        messages.info(request, "文件内容与现有预算完全相同，未作任何修改。")


def _grid(table: Any) -> dict[str, Any]:
    """The table as the template draws it: header rows with their merged cells (colspan/rowspan), then rows."""
    drawn = layout(table)
    spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in drawn.merges}
    covered = {
        (r, c)
        for r0, c0, r1, c1 in drawn.merges
        for r in range(r0, r1 + 1)
        for c in range(c0, c1 + 1)
        if (r, c) != (r0, c0)
    }
    header = [
        [(text, *spans.get((r, c), (1, 1))) for c, text in enumerate(row) if (r, c) not in covered]
        for r, row in enumerate(drawn.grid[: drawn.header])
    ]
    body = []
    for row in drawn.grid[drawn.header :]:
        total = any(c.strip() in ("合计", "收入总计", "支出总计", "项目支出合计") for c in row)
        body.append({"total": total, "cells": [(c, _numeric(c)) for c in row]})
    return {"header": header, "body": body}


def _numeric(text: str) -> bool:
    from fundflow.io.numbers import parse_decimal

    if not text.strip():
        return False
    try:
        parse_decimal(text)
    except ValueError:
        return False
    return "." in text


def _detail_context(request: HttpRequest, budget: BudgetRecord, **extra: Any) -> dict[str, Any]:
    data, _ = services.load(budget)
    generated, findings, book = services.package(budget)
    tables = [
        {"number": key.number, "heading": key.heading, "notes": t.notes, **_grid(t)}
        for key, t in generated.tables.items()
    ]
    lines = [
        {
            "index": i,
            "function": ln.function,
            "function_name": book.name("function", ln.function) or "",
            "economic": ln.economic,
            "economic_name": book.name("dept_economic", ln.economic) or "",
            "nature": ln.nature.value,
            "source": ln.source.value,
            "project": ln.project,
            "amount": fmt(ln.amount),
        }
        for i, ln in enumerate(data.lines)
    ]
    return {
        "budget": budget,
        "data": data,
        "package": generated,
        "tables": tables,
        "overview": [p for p in generated.paragraphs if p.section == "概况"],
        "narrative": [p for p in generated.paragraphs if p.section != "概况"],
        "findings": [_finding_row(f) for f in findings],
        "lines": lines,
        "can_change": _can_change(request, budget),
        "history": _history(budget),
        **extra,
    }


def _history(budget: BudgetRecord) -> list[dict[str, Any]]:
    from django.utils import timezone

    out = []
    records = list(budget.history.select_related("history_user").all()[:50])
    for record, previous in zip(records, [*records[1:], None], strict=True):
        what = "导入" if previous is None else ("修改" if previous.budget_yaml != record.budget_yaml else "保存")
        out.append(
            {
                "when": timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M:%S"),
                "who": record.history_user.get_username() if record.history_user else "系统",
                "what": what,
                "total": (wan_text(previous.total) if previous else None, wan_text(record.total)),
                "version": record.version,
            }
        )
    return out


def _finding_row(f: Finding) -> dict[str, Any]:
    w = f.where
    where = []
    if w.table is not None:
        where.append(f"{w.table.number} {w.table.heading}")
    if w.section:
        where.append(f"第三部分第{w.section}节")
    if w.row:
        where.append(f"行：{w.row}")
    if w.column:
        where.append(f"列：{w.column}")
    return {
        "rule": f.rule,
        "title": RULES[f.rule].title,
        "severity": f.severity.label,
        "fatal": f.severity.value == "fatal",
        "where": " · ".join(where),
        "line": w.line,
        "stated": None if f.stated is None else _value(f.stated),  # a blank cell shows as （空白）
        "expected": _value(f.expected),
        "message": f.message,
    }


def _value(v: object) -> str:
    if v is None:
        return ""
    return v if isinstance(v, str) else fmt(v)  # type: ignore[arg-type]


@login_required
@require_GET
def budget_detail(request: HttpRequest, pk: int) -> HttpResponse:
    budget = access_budget(request.user, pk)
    return render(request, "disclosure/budget_detail.html", _detail_context(request, budget))


@login_required
@require_GET
def package_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    budget = access_budget(request.user, pk)
    return download(services.package_xlsx(budget), f"{budget.unit.name}{budget.year}年预算公开.xlsx", XLSX)


@login_required
@require_GET
def package_docx(request: HttpRequest, pk: int) -> HttpResponse:
    budget = access_budget(request.user, pk)
    return download(services.package_docx(budget), f"{budget.unit.name}{budget.year}年预算公开.docx", DOCX)


@login_required
@require_GET
def package_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    budget = access_budget(request.user, pk)
    try:
        data = services.package_pdf(budget)
    except PlanError as exc:
        messages.error(request, "；".join(p.message for p in exc.problems))
        return redirect("disclosure:budget-detail", pk=budget.pk)
    return download(data, f"{budget.unit.name}{budget.year}年预算公开.pdf", PDF)


@login_required
@require_GET
def budget_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    budget = access_budget(request.user, pk)
    return download(services.budget_xlsx(budget), f"{budget.unit.name}{budget.year}年预算数据.xlsx", XLSX)


def _writable_budget(request: HttpRequest, pk: int) -> BudgetRecord:
    """404 when not visible, 403 when visible but read-only (auditors)."""
    budget = access_budget(request.user, pk)
    if not _can_change(request, budget):
        raise DjangoPermissionDenied("该单位预算不在您的修改权限范围内（只读）")
    return budget


def _budget_page_refused(where: str) -> Callable[..., HttpResponse]:
    """A refusal handler: back to the budget page for a stale version (the message says why), else the page
    with every problem under ``where`` (upload_problems, input_problems). Nothing was saved."""

    def refused(request: HttpRequest, exc: ServiceError, pk: int) -> HttpResponse:
        if isinstance(exc, ConflictError):
            return redirect("disclosure:budget-detail", pk=pk)
        context = _detail_context(request, access_budget(request.user, pk), **{where: exc.problems})
        return render(request, "disclosure/budget_detail.html", context, status=400)

    return refused


@login_required
@require_POST
@on_refusal(_budget_page_refused("upload_problems"))
def budget_upload(request: HttpRequest, pk: int) -> HttpResponse:
    budget = _writable_budget(request, pk)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要导入的文件")
        return redirect("disclosure:budget-detail", pk=budget.pk)
    filename, content = read_upload(form.cleaned_data["file"])
    report = services.budget_import(
        user=request.user, unit=budget.unit, filename=filename, content=content, version=form.cleaned_data["version"]
    )
    _report(request, report)
    return redirect("disclosure:budget-detail", pk=report.budget.pk)


@login_required
@require_POST
@on_refusal(_budget_page_refused("input_problems"))
def amounts_save(request: HttpRequest, pk: int) -> HttpResponse:
    budget = _writable_budget(request, pk)
    amounts = {
        int(key.removeprefix("amount:")): value
        for key, value in request.POST.items()
        if key.startswith("amount:") and key.removeprefix("amount:").isdigit()
    }
    changed = services.budget_update_amounts(
        user=request.user, budget=budget, amounts=amounts, version=posted_version(request)
    )
    messages.success(request, f"已保存 {changed} 处修改，公开表和说明已按新数据重新生成。" if changed else "没有修改。")
    return redirect("disclosure:budget-detail", pk=budget.pk)


def _edit_page(
    request: HttpRequest, budget: BudgetRecord, problems: tuple[Any, ...] = (), status: int = 200
) -> HttpResponse:
    text = request.POST.get("budget_yaml", budget.budget_yaml) if request.method == "POST" else budget.budget_yaml
    context = {"budget": budget, "text": text, "problems": problems}
    return render(request, "disclosure/budget_edit.html", context, status=status)


def _edit_refused(request: HttpRequest, exc: ServiceError, pk: int) -> HttpResponse:
    """The edit page with the posted text as it was and every problem (nothing was saved)."""
    return _edit_page(request, access_budget(request.user, pk), exc.problems, status=400)


@login_required
@on_refusal(_edit_refused)
def budget_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the whole budget as budget-file text (docs/disclosure.md), validated like an imported file."""
    budget = _writable_budget(request, pk)
    if request.method == "POST":
        text = request.POST.get("budget_yaml", budget.budget_yaml)
        changed = services.budget_update_text(
            user=request.user, budget=budget, text=text, version=posted_version(request)
        )
        messages.success(request, "已保存，公开表和说明已按新数据重新生成。" if changed else "没有修改。")
        return redirect("disclosure:budget-detail", pk=budget.pk)
    return _edit_page(request, budget)


def _check_refused(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    """The check page with why the file could not be read (nothing is stored either way)."""
    context = {"form": CheckForm(request.POST, request.FILES), "problems": exc.problems}
    return render(request, "disclosure/check.html", context, status=400)


@login_required
@on_refusal(_check_refused)
def check_page(request: HttpRequest) -> HttpResponse:
    """Upload a disclosure and list every finding. Any logged-in user; nothing is stored."""
    form = CheckForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form}
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            errors = [str(e) for e in form.errors.get("file", [])]
            messages.error(request, "；".join(errors) if errors else "请选择要核对的文件")
            status = 400
        else:
            filename, content = read_upload(form.cleaned_data["file"])
            d, findings, book = services.check_upload(filename, content)
            context.update(
                {
                    "checked": d,
                    "filename": filename,
                    "findings": [_finding_row(f) for f in findings],
                    "fatal": sum(1 for f in findings if f.severity.value == "fatal"),
                    "warnings": sum(1 for f in findings if f.severity.value != "fatal"),
                    "catalogue_year": book.year,
                    "table_count": len(d.tables),
                    "paragraph_count": len(d.paragraphs),
                }
            )
    return render(request, "disclosure/check.html", context, status=status)
