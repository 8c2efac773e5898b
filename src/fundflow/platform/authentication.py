"""The API's session authentication, refusing a missing or wrong CSRF token in Chinese.

DRF checks the CSRF token of a session-authenticated API call itself (Django's CSRF_FAILURE_VIEW is never
reached) and answers "CSRF Failed: …" in English; the reason stays in the log only.
"""

from __future__ import annotations

import logging

from rest_framework import authentication, exceptions
from rest_framework.request import Request

logger = logging.getLogger(__name__)

CSRF_REFUSED = "安全校验未通过（CSRF）：请刷新页面后重试。"


class SessionAuthentication(authentication.SessionAuthentication):
    def enforce_csrf(self, request: Request) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as exc:
            logger.warning("CSRF failure on %s %s: %s", request.method, request.path, exc.detail)
            raise exceptions.PermissionDenied(CSRF_REFUSED, code="csrf") from None
