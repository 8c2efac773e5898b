"""The indicator import page (指标导入): upload a CSV/XLSX file, see every problem at its row, or the report."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from fundflow.ledger.indicator_import import COLUMNS_HELP, import_indicators
from fundflow.ledger.models import ImportBatch
from fundflow.platform.errors import ServiceError
from fundflow.platform.handlers import on_refusal
from fundflow.platform.predicates import is_finance
from fundflow.platform.uploads import read_upload, upload_max_rows


class UploadForm(forms.Form):
    file = forms.FileField(label="指标文件")


def _page(request: HttpRequest, status: int = 200, **extra: object) -> HttpResponse:
    batches = ImportBatch.objects.filter(kind=ImportBatch.Kind.INDICATORS, created_by=request.user)[:20]
    context = {"form": UploadForm(), "columns": COLUMNS_HELP, "batches": batches, **extra}
    return render(request, "ledger/indicator_import.html", context, status=status)


def _refused(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return _page(request, status=400, problems=exc.problems)


@login_required
@require_http_methods(["GET", "POST"])
@on_refusal(_refused)
def indicator_import(request: HttpRequest) -> HttpResponse:
    if not is_finance(request.user):
        raise PermissionDenied
    if request.method == "GET":
        return _page(request)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要导入的文件")
        return redirect("ledger:indicator-import")
    filename, content = read_upload(form.cleaned_data["file"])
    report = import_indicators(user=request.user, filename=filename, content=content, max_rows=upload_max_rows())
    messages.success(request, report.describe())
    return redirect("ledger:indicator-import")
