"""国库集中支付 pages: upload a payments file (finance roles, for their region subtree) and the 待匹配 queue.

Reads go through ``fundflow.ledger.selectors``; the import is ``fundflow.ledger.payments.import_payments``. A
refused file redraws the page with every problem (first 50 and the count); nothing is written then.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from fundflow.accounts.scope import profile_of
from fundflow.ledger.payments import import_payments, rematch
from fundflow.ledger.selectors import payments_visible_to, regions_visible_to
from fundflow.platform.errors import ActionNotAllowed, ServiceError
from fundflow.platform.handlers import on_refusal
from fundflow.platform.uploads import read_upload


class PaymentsUploadForm(forms.Form):
    file = forms.FileField(label="支付文件（.csv 或 .xlsx）")
    region = forms.CharField(
        label="付款地区", required=False, help_text="文件没有“付款地区”列时，整份文件的付款地区（默认为本地区）"
    )


def _page(
    request: HttpRequest, form: PaymentsUploadForm, *, report: Any = None, problems: Any = (), status: int = 200
) -> HttpResponse:
    waiting = (
        payments_visible_to(request.user)
        .filter(status="unmatched")
        .select_related("payer_region")
        .order_by("pay_date", "id")[:200]
    )
    profile = profile_of(request.user)  # type: ignore[arg-type]
    context = {
        "form": form,
        "report": report,
        "problems": problems,
        "waiting": waiting,
        "can_import": bool(profile and profile.is_finance),
        "regions": regions_visible_to(request.user).count(),
    }
    return render(request, "ledger/payments.html", context, status=status)


def _refused(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return _page(request, PaymentsUploadForm(), problems=exc.problems, status=400)


@login_required
@require_http_methods(["GET", "POST"])
@on_refusal(_refused)
def payments_page(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, PaymentsUploadForm())
    profile = profile_of(request.user)  # type: ignore[arg-type]
    if profile is None or not profile.is_finance:
        raise ActionNotAllowed("只有财政部门用户可以导入国库集中支付数据")
    if request.POST.get("action") == "rematch":
        count = rematch(user=request.user)
        messages.success(request, f"重新匹配完成：{count} 笔待匹配支付已匹配到指标。")
        return _page(request, PaymentsUploadForm())
    form = PaymentsUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要上传的文件")
        return _page(request, form, status=400)
    filename, content = read_upload(form.cleaned_data["file"])
    region = form.cleaned_data["region"].strip() or profile.region.code
    report = import_payments(user=request.user, filename=filename, source=content, region=region)
    if report.already_imported:
        messages.info(request, f"文件 {filename} 已导入过，未重复写入。")
    else:
        messages.success(
            request,
            f"已导入 {report.inserted} 笔支付（已匹配 {report.matched}，待匹配 {report.unmatched}），"
            f"与已有数据相同 {report.unchanged} 笔。" + (f"新增预警 {report.warnings} 条。" if report.warnings else ""),
        )
    return _page(request, PaymentsUploadForm(), report=report)
