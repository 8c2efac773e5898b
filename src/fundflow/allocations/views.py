"""Pages of the allocation workflow. Views are thin: they parse the request, call a selector or a service,
and render. Every object lookup goes through ``selectors.access_plan`` (404 for missing and not-yours alike). Service
refusals are answered by ``fundflow.platform.handlers``: a view that redraws its page says how with ``on_refusal``.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
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
from fundflow.allocations.method_form import MethodForms, merged_initial
from fundflow.allocations.models import AllocationPlan
from fundflow.allocations.selectors import access_plan, adjustments_visible_to, plans_visible_to
from fundflow.allocations.spec_form import (
    COMMON_KEYS,
    common_from_form,
    common_keys_in,
    join_spec,
    remap,
    split_spec,
    without_keys,
)
from fundflow.allocations.spec_templates import METHOD_CHOICES, SPEC_TEMPLATES
from fundflow.allocations.visibility import own_lines, restrict_layout
from fundflow.core.allocation import allocate
from fundflow.core.errors import PlanError, Problem
from fundflow.core.explain import explain as explain_figure
from fundflow.core.explain import explain_own_line
from fundflow.core.plan import Plan
from fundflow.core.result import AllocationResult
from fundflow.io.layout import Layout, build_layout
from fundflow.io.plan_yaml import ROW_KEYS
from fundflow.platform.downloads import XLSX, download
from fundflow.platform.errors import ConflictError, ServiceError
from fundflow.platform.handlers import on_refusal
from fundflow.platform.uploads import read_upload
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


def _method_forms(request: HttpRequest, spec_yaml: str) -> MethodForms:
    """The per-method forms: bound when the page was saved through them, else filled from ``spec_yaml``."""
    if request.method == "POST" and request.POST.get("editor") == "form":
        return MethodForms(request.POST)
    samples = [services.parse_spec(text) for text in SPEC_TEMPLATES.values()]
    return MethodForms(initial=merged_initial(services.parse_spec(spec_yaml), samples))


def _spec_forms(request: HttpRequest, plan: AllocationPlan | None) -> tuple[SpecForm, MethodForms, dict[str, Any]]:
    """The plan-parameter page's forms (bound on POST) and its extra context: a new plan starts from the sample
    of the chosen method, an existing one from its own parameters."""
    if plan is None:
        method = request.GET.get("method", "factor")
        source = SPEC_TEMPLATES.get(method, SPEC_TEMPLATES["factor"])
        initial = _initial(source, editor="form")
        extra: dict[str, Any] = {"methods": METHOD_CHOICES, "method": method, "plan": None}
    else:
        source = plan.spec_yaml
        initial = _initial(source, document_number=plan.document_number, version=plan.version, editor="form")
        extra = {"plan": plan}
    return SpecForm(request.POST or None, initial=initial), _method_forms(request, source), extra


def _posted_spec(
    request: HttpRequest, form: SpecForm, methods: MethodForms
) -> tuple[str | None, tuple[Any, ...], Callable[[tuple[Any, ...]], tuple[Any, ...]]]:
    """Join the valid form into plan-file text: ``(spec, problems, place)`` where ``place`` maps a service's
    error rows back to the form field or text-box line. ``spec`` is None when the form itself is refused.

    The parameters come from the per-method form (``editor=form``) or, in the advanced view, from the text box.
    """
    lines = None
    if form.cleaned_data.get("editor") == "form":
        if not methods.is_valid():
            messages.error(request, "分配参数有误，未保存")
            return None, (), tuple
        params, lines = methods.params(form.cleaned_data["method"])
    else:
        params = form.cleaned_data["params"] or ""
        duplicated = common_keys_in(params)
        if duplicated:
            messages.error(request, "分配参数文本中有应在表单中填写的项目，未保存")
            return None, tuple(duplicated), tuple
    spec, head = join_spec(common_from_form(form.cleaned_data), params)

    def place(problems: tuple[Any, ...]) -> tuple[Any, ...]:
        remapped = remap(problems, head)
        return tuple(methods.place(remapped, lines) if lines is not None else remapped)

    return spec, (), place


def _spec_refused(request: HttpRequest, exc: ServiceError, pk: int | None = None) -> HttpResponse:
    """The parameter page again with every problem at its field or text-box line (nothing was saved)."""
    form, methods, extra = _spec_forms(request, None if pk is None else _writable_plan(request, pk))
    form.is_valid()  # it was valid when the save was tried: the refusal came from the service
    _, _, place = _posted_spec(request, form, methods)
    return render(request, "allocations/plan_form.html", _form_context(form, methods, place(exc.problems), **extra))


def _form_context(form: SpecForm, method_forms: MethodForms, problems: tuple[Any, ...], **extra: Any) -> dict[str, Any]:
    return {"form": form, "methods_form": method_forms, "problems": problems, **extra}


@login_required
@on_refusal(_spec_refused)
def plan_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("allocations.add_plan"):
        raise DjangoPermissionDenied("只有财政部门用户可以新建分配方案")
    form, methods, extra = _spec_forms(request, None)
    problems: tuple[Any, ...] = ()
    if request.method == "POST" and form.is_valid():
        spec, problems, _ = _posted_spec(request, form, methods)
        if spec is not None:
            plan = services.plan_create(
                user=request.user, spec_yaml=spec, document_number=form.cleaned_data["document_number"]
            )
            messages.success(request, "已新建分配方案，请下载模板填写分配对象后上传，或在页面中逐行填写。")
            return redirect("allocations:plan-detail", pk=plan.pk)
    return render(request, "allocations/plan_form.html", _form_context(form, methods, problems, **extra))


_RESULTS: OrderedDict[tuple[Any, ...], AllocationResult] = OrderedDict()
_RESULTS_KEPT = 32
_RESULTS_LOCK = threading.Lock()


def _stored_result(plan: AllocationPlan) -> AllocationResult | None:
    """The computed result of the plan's stored version, computed once and kept for later pages of that version.

    Every write bumps the version, so (plan, version, time computed) names the inputs exactly: a refused upload or
    edit (nothing written) redraws the page from the kept result instead of computing the whole allocation again.
    """
    if plan.result_json is None:
        return None
    key = (plan.pk, plan.version, plan.computed_at, plan.total)
    with _RESULTS_LOCK:
        if key in _RESULTS:
            _RESULTS.move_to_end(key)
            return _RESULTS[key]
    if services.spec_problems(plan.spec_yaml):
        return None  # stored parameters the current rules refuse: the page says so instead of drawing a table
    try:
        result = allocate(services.core_plan(plan))
    except PlanError:
        return None
    with _RESULTS_LOCK:
        _RESULTS[key] = result
        while len(_RESULTS) > _RESULTS_KEPT:
            _RESULTS.popitem(last=False)
    return result


def _visible_layout(request: HttpRequest, plan: AllocationPlan) -> Layout | None:
    """The printed table as this user may see it (a recipient unit: only its own lines)."""
    result = _stored_result(plan)
    if result is None:
        return None
    layout = build_layout(result, _labels(plan))
    own = own_lines(request.user, plan)
    return layout if own is None else restrict_layout(layout, own)


SPEC_BROKEN = "分配参数不符合当前规则，请在“修改参数”中更正"


def _spec_problems(plan: AllocationPlan) -> tuple[Problem, ...]:
    """What the current rules refuse in the stored parameters: none, unless the plan was saved before a rule
    existed (e.g. ``recipients :`` in the text before row keys were refused however spelled)."""
    return services.spec_problems(plan.spec_yaml)


def _detail_context(request: HttpRequest, plan: AllocationPlan, **extra: Any) -> dict[str, Any]:
    spec_problems = _spec_problems(plan)
    if spec_problems:
        return _broken_detail_context(request, plan, spec_problems, **extra)
    layout = _visible_layout(request, plan)
    header_first, header_second = layout.header_rows() if layout else ([], [])
    spec = services.parse_spec(plan.spec_yaml)
    columns = services.input_columns(spec)
    recipients, history = _readable_rows(request, plan)
    return {
        "plan": plan,
        "layout": layout,
        "header_first": header_first,
        "header_second": header_second,
        "columns": columns,
        "column_labels": [services.column_label(spec, c) for c in columns],
        "new_columns": [(c, services.column_label(spec, c)) for c in columns],
        "rows": [(r, [(c, services.column_label(spec, c), r.values.get(c, "")) for c in columns]) for r in recipients],
        **_adjustment_context(request, plan, spec),
        "history": history,
        "can_change": request.user.has_perm("allocations.change_plan", plan),
        "can_enter": request.user.has_perm("allocations.change_plan", plan),
        "upload_form": UploadForm(initial={"version": plan.version}),
        **extra,
    }


def _readable_rows(request: HttpRequest, plan: AllocationPlan) -> tuple[list[Any], list[dict[str, Any]]]:
    """The recipient rows and the latest history the user may read (a recipient unit: its own lines only)."""
    recipients = list(plan.recipients.all())
    own = own_lines(request.user, plan)
    history = history_entries(plan)[:50]
    if own is not None:
        recipients = [r for r in recipients if (r.group, r.name) in own]
        names = {f"{group} {name}".strip() for group, name in own}
        history = [h for h in history if h["label"] in names]
    return recipients, history


def _broken_detail_context(
    request: HttpRequest, plan: AllocationPlan, problems: tuple[Problem, ...], **extra: Any
) -> dict[str, Any]:
    """The plan page when its stored parameters no longer parse: names, history and the way to the edit page;
    no table, inputs or adjustments (they all need the parameters), and nothing may be entered."""
    recipients, history = _readable_rows(request, plan)
    return {
        "plan": plan,
        "layout": None,
        "spec_problems": problems,
        "header_first": [],
        "header_second": [],
        "columns": [],
        "column_labels": [],
        "new_columns": [],
        "rows": [(r, []) for r in recipients],
        "adjustments": [],
        "adjustment_rows": [],
        "adjustment_parts": [],
        "adjustment_targets": [],
        "adjustment_places": 0,
        "history": history,
        "can_change": request.user.has_perm("allocations.change_plan", plan),
        "can_enter": False,
        "upload_form": UploadForm(initial={"version": plan.version}),
        **extra,
    }


def _adjustment_context(request: HttpRequest, plan: AllocationPlan, spec: Plan) -> dict[str, Any]:
    """The 尾差调整 section: the adjustments this user may read, and for writers the form over all of them."""
    from fundflow.core.allocation import part_names

    places = spec.rounding.places
    labels = services.recipient_labels(plan)
    adjustments = adjustments_visible_to(request.user, plan)
    parts = list(part_names(spec))
    parts += [a.part for a in adjustments if a.part not in parts]  # a part since renamed stays visible (and refused)
    rows = [
        services.AdjustmentRow(
            a.pk, services.adjustment_label(a, labels), a.part, services.delta_text(a.delta, places), a.reason
        )
        for a in adjustments
    ]
    return {
        "adjustments": [
            {
                "group": a.group,
                "recipient": a.recipient,
                "part": a.part,
                "delta": ("+" if a.delta > 0 else "") + services.delta_text(a.delta, places),
                "reason": a.reason,
            }
            for a in adjustments
        ],
        "adjustment_rows": _adjustment_rows(rows, parts),
        "adjustment_parts": parts,
        "adjustment_targets": list(labels.values()),
        "adjustment_places": places,
    }


NEW_ADJUSTMENT_ROWS = 2  # enough for a balanced pair; any balanced set is a sum of such pairs


def _adjustment_rows(
    rows: list[services.AdjustmentRow], parts: list[str], problems: tuple[Any, ...] = (), blank: bool = True
) -> list[dict[str, Any]]:
    """Form rows (numbered as the service numbers them) with each problem next to its field."""
    single_part = parts[0] if len(parts) == 1 else ""
    if blank:
        rows = rows + [services.AdjustmentRow(part=single_part)] * NEW_ADJUSTMENT_ROWS
    out = []
    for number, row in enumerate(rows, start=1):
        errors: dict[str, list[str]] = {}
        for p in problems:
            field = services.adjustment_field(p)
            if field is not None and p.location.row == number:
                errors.setdefault(field, []).append(p.message)
        out.append({"number": number, "row": row, "errors": errors})
    return out


def _writable_plan(request: HttpRequest, pk: int, perm: str = "allocations.change_plan") -> AllocationPlan:
    """The plan for a write: 404 when not visible, 403 when visible but not changeable (approved, read-only role)."""
    plan = access_plan(request.user, pk)
    if not request.user.has_perm(perm, plan):
        raise DjangoPermissionDenied("该分配方案已审定或不在您的修改权限范围内")
    return plan


def _plan_page_refused(where: str) -> Callable[..., HttpResponse]:
    """A refusal handler: the plan page again with every problem at its row and column under ``where``
    (upload_problems, input_problems); nothing was saved."""

    def refused(request: HttpRequest, exc: ServiceError, pk: int) -> HttpResponse:
        plan = access_plan(request.user, pk)
        context = _detail_context(request, plan, **{where: exc.problems})
        return render(request, "allocations/plan_detail.html", context, status=400)

    return refused


def _labels(plan: AllocationPlan) -> dict[str, str]:
    return dict(services.parse_spec(plan.spec_yaml).labels)


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access_plan(request.user, pk)
    return render(request, "allocations/plan_detail.html", _detail_context(request, plan))


@login_required
@on_refusal(_spec_refused)
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _writable_plan(request, pk)
    problems: tuple[Any, ...] = _spec_problems(plan)
    if problems:
        initial, readable, problems = _broken_edit(plan, problems)
        if request.method != "POST":
            messages.error(request, SPEC_BROKEN)
        form, methods = SpecForm(request.POST or None, initial=initial), _method_forms(request, readable)
        extra: dict[str, Any] = {"plan": plan}
    else:
        form, methods, extra = _spec_forms(request, plan)
    if request.method == "POST" and form.is_valid():
        spec, problems, _ = _posted_spec(request, form, methods)
        if spec is not None:
            services.plan_update_spec(
                user=request.user,
                plan=plan,
                spec_yaml=spec,
                document_number=form.cleaned_data["document_number"],
                version=form.cleaned_data["version"] or 0,
            )
            messages.success(request, "分配参数已保存。")
            return redirect("allocations:plan-detail", pk=plan.pk)
    return render(request, "allocations/plan_form.html", _form_context(form, methods, problems, **extra))


def _broken_edit(plan: AllocationPlan, problems: tuple[Problem, ...]) -> tuple[dict[str, Any], str, tuple[Any, ...]]:
    """The edit page of a plan whose stored parameters no longer parse: the advanced text view holding the stored
    text as it is (so the user sees and removes what is refused), with its problems at the text box's lines.

    The form fields come from the stored text without the row keys saved before they were refused, when that
    parses; else from the plan's own fields over the method's sample. Returns (initial, text for the method
    forms, problems)."""
    stripped = without_keys(plan.spec_yaml, ROW_KEYS)
    readable = (
        SPEC_TEMPLATES.get(plan.method, SPEC_TEMPLATES["factor"]) if services.spec_problems(stripped) else stripped
    )
    common, _ = split_spec(readable)
    if readable is not stripped:
        common = dataclasses.replace(common, title=plan.title, fund=plan.fund, year=plan.year)
    params = without_keys(plan.spec_yaml, COMMON_KEYS)
    spec, head = join_spec(common, params)
    problems = remap(services.spec_problems(spec), head) or problems
    initial = {
        **dataclasses.asdict(common),
        "places": str(common.places),
        "params": params,
        "document_number": plan.document_number,
        "version": plan.version,
        "editor": "text",
    }
    return initial, readable, problems


@login_required
@require_GET
def template_download(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access_plan(request.user, pk)
    if _spec_problems(plan):
        messages.error(request, SPEC_BROKEN)
        return redirect("allocations:plan-detail", pk=plan.pk)
    return download(services.template_xlsx(plan, own_lines(request.user, plan)), f"{plan.title}-分配对象模板.xlsx")


@login_required
@require_POST
@on_refusal(_plan_page_refused("upload_problems"))
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _writable_plan(request, pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要上传的文件")
        return redirect("allocations:plan-detail", pk=plan.pk)
    filename, content = read_upload(form.cleaned_data["file"])
    report = services.recipients_import(
        user=request.user, plan=plan, filename=filename, content=content, version=form.cleaned_data["version"]
    )
    if report.changed:
        messages.success(request, f"已导入 {report.rows} 个分配对象。请重新计算。")
    else:
        messages.info(request, f"文件内容与现有 {report.rows} 个分配对象完全相同，未作任何修改。")
    return redirect("allocations:plan-detail", pk=plan.pk)


@login_required
@require_POST
@on_refusal(_plan_page_refused("input_problems"))
def inputs_save(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _writable_plan(request, pk)
    cells: dict[tuple[int, str], str] = {}
    for key, value in request.POST.items():
        if key.startswith("cell:"):
            _, row_id, column = key.split(":", 2)
            if row_id.isdigit():
                cells[(int(row_id), column)] = value
    changed = services.recipients_update(user=request.user, plan=plan, cells=cells, version=posted_version(request))
    messages.success(request, f"已保存 {changed} 处修改。" if changed else "没有修改。")
    return redirect("allocations:plan-detail", pk=plan.pk)


@login_required
@require_POST
@on_refusal(_plan_page_refused("input_problems"))
def recipient_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _writable_plan(request, pk)
    values = {k.removeprefix("new:"): v for k, v in request.POST.items() if k.startswith("new:")}
    row = services.recipient_add(
        user=request.user,
        plan=plan,
        group=request.POST.get("group", ""),
        name=request.POST.get("name", ""),
        values=values,
        version=posted_version(request),
    )
    messages.success(request, f"已新增“{row.name}”。请重新计算。")
    return redirect("allocations:plan-detail", pk=plan.pk)


_ADJUSTMENT_KEY = re.compile(r"^adj-(\d+)-(id|recipient|part|delta|reason|delete)$")


def _posted_adjustments(request: HttpRequest) -> list[services.AdjustmentRow]:
    """The form's rows ``adj-<n>-<field>`` in row order."""
    fields: dict[int, dict[str, str]] = {}
    for key, value in request.POST.items():
        if match := _ADJUSTMENT_KEY.match(key):
            fields.setdefault(int(match[1]), {})[match[2]] = value
    rows = []
    for number in sorted(fields):
        f = fields[number]
        ident = f.get("id", "").strip()
        rows.append(
            services.AdjustmentRow(
                id=int(ident) if ident.isdigit() else None,
                recipient=f.get("recipient", ""),
                part=f.get("part", ""),
                delta=f.get("delta", ""),
                reason=f.get("reason", ""),
                delete="delete" in f,
            )
        )
    return rows


def _adjustments_refused(request: HttpRequest, exc: ServiceError, pk: int) -> HttpResponse:
    """The plan page with the posted 尾差调整 rows as they were, each error next to its field."""
    context = _detail_context(request, access_plan(request.user, pk))
    rows = _posted_adjustments(request)
    context["adjustment_rows"] = _adjustment_rows(rows, context["adjustment_parts"], exc.problems, blank=False)
    context["adjustment_problems"] = [p for p in exc.problems if services.adjustment_field(p) is None]
    return render(request, "allocations/plan_detail.html", context, status=400)


@login_required
@require_POST
@on_refusal(_adjustments_refused)
def adjustments_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the 尾差调整 form: all rows at once, or nothing with each error next to its field."""
    plan = _writable_plan(request, pk)
    rows = _posted_adjustments(request)
    changed = services.adjustments_save(user=request.user, plan=plan, rows=rows, version=posted_version(request))
    if changed:
        messages.success(request, f"已保存 {changed} 处尾差调整的修改。请重新计算。")
    else:
        messages.info(request, "尾差调整没有修改。")
    return redirect("allocations:plan-detail", pk=plan.pk)


def _versioned_action(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    plan = _writable_plan(request, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请求缺少版本号，请刷新页面后重试")
        return redirect("allocations:plan-detail", pk=plan.pk)
    action(user=request.user, plan=plan, version=form.cleaned_data["version"])
    messages.success(request, done)
    return redirect("allocations:plan-detail", pk=plan.pk)


def _versioned_refused(request: HttpRequest, exc: ServiceError, pk: int) -> HttpResponse:
    """A stale version: back to the plan page with the message; else the page with every problem."""
    if isinstance(exc, ConflictError):
        return redirect("allocations:plan-detail", pk=pk)
    return _plan_page_refused("input_problems")(request, exc, pk)


@login_required
@require_POST
@on_refusal(_versioned_refused)
def compute(request: HttpRequest, pk: int) -> HttpResponse:
    return _versioned_action(request, pk, services.plan_compute, "计算完成。")


@login_required
@require_POST
@on_refusal(_versioned_refused)
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _versioned_action(request, pk, services.plan_approve, "已审定，方案已锁定。")


@login_required
@require_GET
def export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    import io

    from fundflow.io.xlsx_allocation import write_xlsx

    plan = access_plan(request.user, pk)
    layout = _visible_layout(request, plan)
    if layout is None:
        messages.error(request, SPEC_BROKEN if _spec_problems(plan) else "尚未计算，无法导出")
        return redirect("allocations:plan-detail", pk=plan.pk)
    buffer = io.BytesIO()  # written in memory: no temporary file
    write_xlsx(layout, buffer)
    return download(buffer.getvalue(), f"{plan.title}.xlsx", XLSX)


@login_required
@require_GET
def explain(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access_plan(request.user, pk)
    who = request.GET.get("who", "")
    lines = None
    own = own_lines(request.user, plan)
    allowed = own is None or any(who in (name, f"{group}/{name}") for group, name in own)
    result = _stored_result(plan) if allowed and not _spec_problems(plan) else None
    if result is not None:
        # A recipient unit: its own line without the pot, the totals or anyone else's figures.
        lines = explain_figure(result, who) if own is None else explain_own_line(result, who)
    return render(
        request, "allocations/explain.html", {"plan": plan, "who": who, "lines": lines}, status=200 if lines else 404
    )
