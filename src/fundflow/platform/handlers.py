"""The one error path: service refusals become responses here, never in a view.

- The API: ``api_exception_handler`` (REST_FRAMEWORK["EXCEPTION_HANDLER"]) answers a ServiceError with
  ``{"detail", "problems"}`` and 400, 403 (ActionNotAllowed) or 409 (ConflictError).
- Pages: a view that redraws its page on a refusal (the form with each problem at its row) says so with
  ``@on_refusal(handler)``; anything else reaches ``ServiceErrorMiddleware``, which answers ActionNotAllowed as
  Django's 403 page and other refusals with the Chinese refusal page (400/409) listing the problems.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from fundflow.platform.errors import ActionNotAllowed, ServiceError, problems_body

View = TypeVar("View", bound=Callable[..., HttpResponse])


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus service refusals as ``{"detail": …, "problems": […]}`` with their status."""
    if isinstance(exc, ServiceError):
        set_rollback()
        return Response(problems_body(exc), status=exc.status)
    return exception_handler(exc, context)


def on_refusal(handler: Callable[..., HttpResponse]) -> Callable[[View], View]:
    """Answer a refused write by drawing a page again: the refusal's message is flashed, then
    ``handler(request, exc, *args, **kwargs)`` (the view's own arguments) renders the answer — typically the
    page with ``exc.problems`` at their rows and status 400, or a redirect for a stale version (ConflictError).

    A permission refusal (ActionNotAllowed) is never redrawn: it goes on to the middleware and becomes 403.
    """

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except ActionNotAllowed:
                raise
            except ServiceError as exc:
                messages.error(request, exc.message)
                return handler(request, exc, *args, **kwargs)

        return cast(View, wrapped)

    return decorate


class ServiceErrorMiddleware:
    """Service refusals that no view redraws: 403 (Django's page, as ``PermissionDenied``), else 400/409 with
    the message and every problem listed (templates/refusal.html)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ActionNotAllowed):
            raise PermissionDenied(exception.message) from exception
        if isinstance(exception, ServiceError):
            context = {"message": exception.message, "problems": exception.problems}
            return render(request, "refusal.html", context, status=exception.status)
        return None
