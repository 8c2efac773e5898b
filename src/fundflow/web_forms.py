"""Small request helpers shared by the web apps."""

from __future__ import annotations

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest


class BadVersion(SuspiciousOperation):
    """A posted optimistic-locking version that is not a number (a tampered or broken form).

    Django answers a SuspiciousOperation with 400 and the 400.html page; nothing is saved.
    """


def posted_version(request: HttpRequest) -> int:
    """The ``version`` the page was rendered with; BadVersion when it is missing or not a number."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        raise BadVersion from None


BAD_VERSION_MESSAGE = "请求缺少有效的版本号，未保存任何修改。请刷新页面后重试。"
