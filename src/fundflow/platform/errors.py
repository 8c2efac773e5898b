"""The refusals a service raises. Views and the API never translate them by hand: ``fundflow.platform.handlers``
turns them into the Chinese pages (400/403/409) and JSON bodies in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fundflow.core.errors import Problem


class ServiceError(Exception):
    """A refusal the user can act on (400); ``problems`` carry row/column details when there are any."""

    status = 400

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = tuple(problems)


class ConflictError(ServiceError):
    """A stale optimistic-locking version or a clash with data saved meanwhile (409): reload and redo."""

    status = 409


class ActionNotAllowed(ServiceError):
    """The user may not do this (403). Named apart from Django's ``PermissionDenied``, which it used to shadow."""

    status = 403


def problems_body(exc: ServiceError) -> dict[str, Any]:
    """The JSON body of a refusal: ``{"detail": message, "problems": [{"rule", "message", "where"}, …]}``."""
    return {
        "detail": exc.message,
        "problems": [
            {"rule": p.rule, "message": p.message, "where": p.location.describe() if p.location else ""}
            for p in exc.problems
        ],
    }
