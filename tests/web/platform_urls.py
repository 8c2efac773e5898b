"""Views of a pretend new app that does nothing about errors: fundflow.platform answers for it."""

from django.http import HttpResponse
from django.urls import include, path

from fundflow.core.errors import Location, Problem
from fundflow.platform.errors import ActionNotAllowed, ConflictError, ServiceError
from fundflow.platform.handlers import on_refusal
from fundflow.urls import urlpatterns as site

PROBLEM = Problem("input.not-number", "应为数字，实为“十”", Location("测试.xlsx", 3, "金额"))


def refuse(request, kind):
    if kind == "forbidden":
        raise ActionNotAllowed("您没有权限修改该账目")
    if kind == "conflict":
        raise ConflictError("该账目已被他人修改")
    raise ServiceError("有 1 处输入错误，未保存任何修改", [PROBLEM])


def redrawn(request, exc, kind):
    return HttpResponse(f"redrawn: {exc.message} / {len(exc.problems)}", status=400)


urlpatterns = [
    path("refuse/<str:kind>/", refuse),
    path("redraw/<str:kind>/", on_refusal(redrawn)(refuse)),
    path("", include(site)),
]
