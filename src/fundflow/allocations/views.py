"""Pages of the allocation workflow. Views are thin: they parse the request, call a selector or a service,
and render. Every object lookup goes through ``selectors.access_plan`` (404 for missing and not-yours alike).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from fundflow.accounts.models import Role
from fundflow.accounts.scope import profile_of
from fundflow.allocations import services
from fundflow.allocations.forms import SpecForm, UploadForm, VersionForm
from fundflow.allocations.history import history_entries
from fundflow.allocations.models import AllocationPlan
from fundflow.allocations.selectors import access_plan, plans_visible_to
from fundflow.allocations.services import ConflictError, PermissionDenied, ServiceError
from fundflow.allocations.spec_form import common_from_form, common_keys_in, join_spec, remap, split_spec
from fundflow.allocations.spec_templates import METHOD_CHOICES, SPEC_TEMPLATES
from fundflow.allocations.visibility import own_lines, restrict_layout
from fundflow.core.allocation import allocate
from fundflow.core.errors import PlanError
from fundflow.core.explain import explain as explain_figure
from fundflow.core.explain import explain_own_line
from fundflow.io.layout import Layout, build_layout
from fundflow.web_forms import posted_version


@login_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = plans_visible_to(request.user)
    year = request.GET.get("year", "").strip()
    if year.isdigit():
        plans = plans.filter(year=int(year))
    query = request.GET.get("q", "").strip()
    if query:
        plans = plans.filter(title__icontains=query)
    return render(
        request,
        "allocations/plan_list.html",
        {
            "plans": plans,
            "year": year,
            "q": query,
            "can_add": request.user.has_perm("allocations.add_plan"),
            "show_totals": getattr(profile_of(request.user), "role", None) != Role.UNIT,
        },
    )


def _initial(spec_yaml: str, **extra: Any) -> dict[str, Any]:
    common, params = split_spec(spec_yaml)
    return {**dataclasses.asdict(common), "places": str(common.places), "params": params, **extra}


def _save_spec(request: HttpRequest, form: SpecForm, save: Any) -> tuple[Any, tuple[Any, ...]]:
    """Join the form into plan-file text and save it; map error rows back to the text box."""
    duplicated = common_keys_in(form.cleaned_data["params"] or "")
    if duplicated:
        messages.error(request, "分配参数文本中有应在表单中填写的项目，未保存")
        return None, tuple(duplicated)
    spec, head = join_spec(common_from_form(form.cleaned_data), form.cleaned_data["params"] or "")
    try:
        return save(spec), ()
    except ServiceError as exc:
        messages.error(request, exc.message)
        return None, remap(exc.problems, head)


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("allocations.add_plan"):
        raise DjangoPermissionDenied("只有财政部门用户可以新建分配方案")
    method = request.GET.get("method", "factor")
    form = SpecForm(request.POST or None, initial=_initial(SPEC_TEMPLATES.get(method, SPEC_TEMPLATES["factor"])))
    problems: tuple[Any, ...] = ()
    if request.method == "POST" and form.is_valid():
        plan, problems = _save_spec(
            request,
            form,
            lambda spec: services.plan_create(
                user=request.user, spec_yaml=spec, document_number=form.cleaned_data["document_number"]
            ),
        )
        if plan is not None:
            messages.success(request, "已新建分配方案，请下载模板填写分配对象后上传，或在页面中逐行填写。")
            return redirect("allocations:plan-detail", pk=plan.pk)
    context = {"form": form, "problems": problems, "methods": METHOD_CHOICES, "method": method, "plan": None}
    return render(request, "allocations/plan_form.html", context)


def _visible_layout(request: HttpRequest, plan: AllocationPlan) -> Layout | None:
    """The printed table as this user may see it (a recipient unit: only its own lines)."""
    if plan.result_json is None:
        return None
    try:
        layout = build_layout(allocate(services.core_plan(plan)), _labels(plan))
    except (PlanError, ServiceError):
        return None
    own = own_lines(request.user, plan)
    return layout if own is None else restrict_layout(layout, own)


def _detail_context(request: HttpRequest, plan: AllocationPlan, **extra: Any) -> dict[str, Any]:
    layout = _visible_layout(request, plan)
    header_first, header_second = layout.header_rows() if layout else ([], [])
    spec = services.parse_spec(plan.spec_yaml)
    columns = services.input_columns(spec)
    recipients = list(plan.recipients.all())
    own = own_lines(request.user, plan)
    history = history_entries(plan)[:50]
    adjustments = list(plan.adjustments.all())
    if own is not None:
        recipients = [r for r in recipients if (r.group, r.name) in own]
        names = {f"{group} {name}".strip() for group, name in own}
        history = [h for h in history if h["label"] in names]
        adjustments = [a for a in adjustments if (a.group, a.recipient) in own]
    return {
        "plan": plan,
        "layout": layout,
        "header_first": header_first,
        "header_second": header_second,
        "columns": columns,
        "column_labels": [services.column_label(spec, c) for c in columns],
        "new_columns": [(c, services.column_label(spec, c)) for c in columns],
        "rows": [(r, [(c, services.column_label(spec, c), r.values.get(c, "")) for c in columns]) for r in recipients],
        "adjustments": adjustments,
        "history": history,
        "can_change": request.user.has_perm("allocations.change_plan", plan),
        "upload_form": UploadForm(initial={"version": plan.version}),
        **extra,
    }


def _writable_plan(request: HttpRequest, pk: int, perm: str = "allocations.change_plan") -> AllocationPlan:
    """The plan for a write: 404 when not visible, 403 when visible but not changeable (approved, read-only role)."""
    plan = access_plan(request.user, pk)
    if not request.user.has_perm(perm, plan):
        raise DjangoPermissionDenied("该分配方案已审定或不在您的修改权限范围内")
    return plan


def _attachment(filename: str) -> str:
    """A download named in Chinese (RFC 5987), e.g. 提前下达2021年…分配表.xlsx."""
    from urllib.parse import quote

    return f"attachment; filename*=UTF-8''{quote(filename)}"


def _refused(request: HttpRequest, plan: AllocationPlan, exc: ServiceError, where: str) -> HttpResponse:
    """Show the plan page again with the refusal and every problem at its row and column (nothing was saved)."""
    messages.error(request, exc.message)
    context = _detail_context(request, plan, **{where: exc.problems})
    return render(request, "allocations/plan_detail.html", context, status=400)


def _labels(plan: AllocationPlan) -> dict[str, str]:
    return dict(services.parse_spec(plan.spec_yaml).labels)


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access_plan(request.user, pk)
    return render(request, "allocations/plan_detail.html", _detail_context(request, plan))


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _writable_plan(request, pk)
    initial = _initial(plan.spec_yaml, document_number=plan.document_number, version=plan.version)
    form = SpecForm(request.POST or None, initial=initial)
    problems: tuple[Any, ...] = ()
    if request.method == "POST" and form.is_valid():
        saved, problems = _save_spec(
            request,
            form,
            lambda spec: (
                services.plan_update_spec(
                    user=request.user,
                    plan=plan,
                    spec_yaml=spec,
                    document_number=form.cleaned_data["document_number"],
                    version=form.cleaned_data["version"] or 0,
                )
                or True
            ),
        )
        if saved:
            messages.success(request, "分配参数已保存。")
            return redirect("allocations:plan-detail", pk=plan.pk)
    return render(request, "allocations/plan_form.html", {"form": form, "problems": problems, "plan": plan})


@login_required
@require_GET
def template_download(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access_plan(request.user, pk)
    response = HttpResponse(
        services.template_xlsx(plan, own_lines(request.user, plan)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = _attachment(f"{plan.title}-分配对象模板.xlsx")
    return response


@login_required
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _writable_plan(request, pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要上传的文件")
        return redirect("allocations:plan-detail", pk=plan.pk)
    upload_file = form.cleaned_data["file"]
    try:
        report = services.recipients_import(
            user=request.user,
            plan=plan,
            filename=upload_file.name,
            content=upload_file.read(),
            version=form.cleaned_data["version"],
        )
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from None
    except ServiceError as exc:
        return _refused(request, plan, exc, "upload_problems")
    if report.changed:
        messages.success(request, f"已导入 {report.rows} 个分配对象。请重新计算。")
    else:
        messages.info(request, f"文件内容与现有 {report.rows} 个分配对象完全相同，未作任何修改。")
    return redirect("allocations:plan-detail", pk=plan.pk)


@login_required
@require_POST
def inputs_save(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _writable_plan(request, pk)
    cells: dict[tuple[int, str], str] = {}
    for key, value in request.POST.items():
        if key.startswith("cell:"):
            _, row_id, column = key.split(":", 2)
            if row_id.isdigit():
                cells[(int(row_id), column)] = value
    try:
        changed = services.recipients_update(user=request.user, plan=plan, cells=cells, version=posted_version(request))
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from None
    except ServiceError as exc:
        return _refused(request, plan, exc, "input_problems")
    messages.success(request, f"已保存 {changed} 处修改。" if changed else "没有修改。")
    return redirect("allocations:plan-detail", pk=plan.pk)


@login_required
@require_POST
def recipient_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _writable_plan(request, pk)
    values = {k.removeprefix("new:"): v for k, v in request.POST.items() if k.startswith("new:")}
    try:
        row = services.recipient_add(
            user=request.user,
            plan=plan,
            group=request.POST.get("group", ""),
            name=request.POST.get("name", ""),
            values=values,
            version=posted_version(request),
        )
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from None
    except ServiceError as exc:
        return _refused(request, plan, exc, "input_problems")
    messages.success(request, f"已新增“{row.name}”。请重新计算。")
    return redirect("allocations:plan-detail", pk=plan.pk)


def _versioned_action(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    plan = _writable_plan(request, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请求缺少版本号，请刷新页面后重试")
        return redirect("allocations:plan-detail", pk=plan.pk)
    try:
        action(user=request.user, plan=plan, version=form.cleaned_data["version"])
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from None
    except ConflictError as exc:
        messages.error(request, exc.message)
    except ServiceError as exc:
        return _refused(request, plan, exc, "input_problems")
    else:
        messages.success(request, done)
    return redirect("allocations:plan-detail", pk=plan.pk)


@login_required
@require_POST
def compute(request: HttpRequest, pk: int) -> HttpResponse:
    return _versioned_action(request, pk, services.plan_compute, "计算完成。")


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _versioned_action(request, pk, services.plan_approve, "已审定，方案已锁定。")


@login_required
@require_GET
def export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    import tempfile
    from pathlib import Path

    from fundflow.io.xlsx_allocation import write_xlsx

    plan = access_plan(request.user, pk)
    layout = _visible_layout(request, plan)
    if layout is None:
        messages.error(request, "尚未计算，无法导出")
        return redirect("allocations:plan-detail", pk=plan.pk)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "allocation.xlsx"
        write_xlsx(layout, path)
        data = path.read_bytes()
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = _attachment(f"{plan.title}.xlsx")
    return response


@login_required
@require_GET
def explain(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access_plan(request.user, pk)
    who = request.GET.get("who", "")
    lines = None
    own = own_lines(request.user, plan)
    allowed = own is None or any(who in (name, f"{group}/{name}") for group, name in own)
    if plan.result_json is not None and allowed:
        result = allocate(services.core_plan(plan))
        # A recipient unit: its own line without the pot, the totals or anyone else's figures.
        lines = explain_figure(result, who) if own is None else explain_own_line(result, who)
    return render(
        request, "allocations/explain.html", {"plan": plan, "who": who, "lines": lines}, status=200 if lines else 404
    )
