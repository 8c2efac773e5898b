"""Site-wide views that belong to no app: the health check and the Chinese CSRF failure page."""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger("fundflow.site")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Readiness for load balancers and `fundflow serve` checks: 200 when the database answers and is migrated.

    No login (probes carry no session) and no details beyond ok/error, so it tells an outsider nothing useful.
    """
    database = "ok"
    migrations = "unknown"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        migrations = "pending" if plan else "ok"
    except DatabaseError:
        logger.exception("health check: database unreachable")
        database = "error"
    healthy = database == "ok" and migrations == "ok"
    body = {"status": "ok" if healthy else "error", "database": database, "migrations": migrations}
    return JsonResponse(body, status=200 if healthy else 503)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the page expired or the cookie is missing — say so in Chinese and offer a refresh."""
    logger.warning("CSRF failure on %s %s: %s", request.method, request.path, reason)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "安全校验未通过（CSRF）：请刷新页面后重试。", "code": "csrf"}, status=403)
    referer = request.META.get("HTTP_REFERER", "")
    safe = url_has_allowed_host_and_scheme(referer, {request.get_host()}, require_https=request.is_secure())
    return render(request, "403_csrf.html", {"retry_url": referer if referer and safe else request.path}, status=403)
