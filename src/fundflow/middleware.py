"""A database lock timeout is "busy, try again", not a server error.

Two writers meet: SQLite's second writer waits the busy timeout and then fails with "database is locked";
PostgreSQL's waits ``lock_timeout`` (SQLSTATE 55P03), or loses a serialization / deadlock check (40001, 40P01).
Nothing was saved (the transaction rolled back), so the honest answer is 503 with Retry-After and a Chinese
page that says to retry — JSON for /api/ — never a 500 with a traceback in the log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger("fundflow.busy")

BUSY_MESSAGE = "系统繁忙，请稍后重试。"
RETRY_AFTER_SECONDS = 5
# lock_not_available, serialization_failure, deadlock_detected
BUSY_SQLSTATES = {"55P03", "40001", "40P01"}
SQLITE_BUSY_TEXTS = ("database is locked", "database table is locked", "database is busy")


def is_database_busy(exc: BaseException) -> bool:
    """True for a lock timeout or a lost lock conflict on SQLite or PostgreSQL (Django wraps the driver's error)."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__ or exc
    if getattr(cause, "sqlstate", None) in BUSY_SQLSTATES:  # psycopg 3
        return True
    text = str(exc).lower()
    return any(t in text for t in SQLITE_BUSY_TEXTS)


def busy_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON ``{"detail": …}`` for the API (as DRF errors look), the Chinese page otherwise."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": BUSY_MESSAGE, "code": "busy"}, status=503)
    else:
        html = render_to_string("503.html", {"message": BUSY_MESSAGE}, request=request)
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseBusyMiddleware:
    """Turns a lock timeout raised by a view (DRF re-raises it too) into :func:`busy_response`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_busy(exception):
            return None
        logger.warning("database busy on %s %s: %s", request.method, request.path, exception)
        response = busy_response(request)
        # Logged above as a warning; without this django.request logs every 503 again as an ERROR.
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response
