"""Audit every login, logout and failed login into :class:`~fundflow.accounts.models.LoginEvent`.

Django sends these signals from every login path (the login page, the admin login, DRF's token view), so one
receiver each covers them all. Axes turns away a locked-out user by failing the login without checking the
password; such a failure is recorded as ``locked`` rather than ``failed`` so that the admin can tell a guessed
password from a refused one. Axes' own receivers are connected first (the import below), so when ours runs the
failure has been counted: more failures than the limit means the user was locked before this attempt; the
attempt that reaches the limit is a plain failure.
"""

from __future__ import annotations

from typing import Any

import axes.signals  # noqa: F401  (connect axes' receivers before ours: see above)
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address, get_failure_limit
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from fundflow.accounts.models import LoginEvent


def _where(request: Any) -> dict[str, Any]:
    """Address, browser and path of the request; empty when there is none (tests' force_login, scripts)."""
    meta = getattr(request, "META", None)
    if not meta:
        return {"ip_address": None, "user_agent": "", "path": ""}
    return {
        "ip_address": get_client_ip_address(request) or None,
        "user_agent": str(meta.get("HTTP_USER_AGENT", ""))[:255],
        "path": str(getattr(request, "path", ""))[:255],
    }


@receiver(user_logged_in, dispatch_uid="fundflow-audit-login")
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    LoginEvent.objects.create(kind=LoginEvent.Kind.LOGIN, username=user.get_username(), user=user, **_where(request))


@receiver(user_logged_out, dispatch_uid="fundflow-audit-logout")
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:  # logging out without being logged in
        return
    LoginEvent.objects.create(kind=LoginEvent.Kind.LOGOUT, username=user.get_username(), user=user, **_where(request))


@receiver(user_login_failed, dispatch_uid="fundflow-audit-login-failed")
def audit_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username") or "")[:150]
    locked = request is not None and AxesProxyHandler.get_failures(request, credentials) > get_failure_limit(
        request, credentials
    )
    LoginEvent.objects.create(
        kind=LoginEvent.Kind.LOCKED if locked else LoginEvent.Kind.FAILED,
        username=username,
        user=get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: username}).first()
        if username
        else None,
        **_where(request),
    )
