"""预警 pages: the list (scoped by ``warnings_visible_to``), handling a warning (已核实 / 已整改), evaluating now.

Reads go through the ledger selectors (another region's warning is 404 like a missing one); who may handle is the
service's decision (``handle_warning`` refuses auditors and units with 403).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from fundflow.accounts.scope import profile_of
from fundflow.ledger.models import Warning
from fundflow.ledger.selectors import access_warning, warnings_visible_to
from fundflow.ledger.warnings import can_handle, evaluate_warnings, handle_warning, subject_label, warning_json
from fundflow.platform.downloads import download
from fundflow.platform.predicates import is_finance

STATUSES = dict(Warning.Status.choices)


@login_required
@require_GET
def warning_list(request: HttpRequest) -> HttpResponse:
    warnings = warnings_visible_to(request.user).select_related("region", "handled_by").order_by("-id")
    status = request.GET.get("status", "")
    if status in STATUSES:
        warnings = warnings.filter(status=status)
    if request.GET.get("format") == "json":
        body = json.dumps([warning_json(w) for w in warnings], ensure_ascii=False, indent=2)
        return download(body.encode(), "预警.json", "application/json")
    rows = [(w, subject_label(w), can_handle(request.user, w)) for w in warnings[:500]]
    context = {"rows": rows, "status": status, "statuses": STATUSES, "can_evaluate": is_finance(request.user)}
    return render(request, "ledger/warning_list.html", context)


@login_required
@require_POST
def warning_handle(request: HttpRequest, pk: int) -> HttpResponse:
    warning = access_warning(request.user, pk)
    handled = handle_warning(
        user=request.user, warning=warning, status=request.POST.get("status", ""), note=request.POST.get("note", "")
    )
    messages.success(request, f"预警 {handled.pk} 已标记为“{handled.get_status_display()}”")
    return redirect("ledger:warning-list")


@login_required
@require_POST
def warning_evaluate(request: HttpRequest) -> HttpResponse:
    """Evaluate the rules now over the user's region and below (finance only)."""
    if not is_finance(request.user):
        raise PermissionDenied
    profile = profile_of(request.user)  # type: ignore[arg-type]
    report = evaluate_warnings(as_of=timezone.localdate(), regions=[profile.region])  # type: ignore[union-attr]
    messages.success(request, f"已检查：新增预警 {report.created} 条")
    return redirect("ledger:warning-list")
