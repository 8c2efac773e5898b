"""Structured logging on stdout: one JSON object per line (production), and a handler that follows ``sys.stdout``.

Standard library only — the formatter is a few lines, not worth a dependency (python-json-logger would add
nothing we use). Fields: ``time`` (ISO 8601 with offset), ``level``, ``logger``, ``message``; ``exc_info`` as the
formatted traceback in ``traceback``; for django.request records also ``status_code``, ``method`` and ``path``.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (tracebacks are escaped inside the string)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status_code"] = status
        request = getattr(record, "request", None)
        if request is not None:
            entry["method"] = getattr(request, "method", None)
            path = getattr(request, "get_full_path", None)
            entry["path"] = path() if callable(path) else None
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["traceback"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler bound to whatever ``sys.stdout`` is at emit time.

    A plain ``StreamHandler(sys.stdout)`` keeps the stream it was configured with; when stdout is replaced
    afterwards (pytest's capture, a redirecting supervisor) it would write to a closed or stale stream.
    """

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    @property
    def stream(self) -> TextIO:
        return sys.stdout

    @stream.setter
    def stream(self, value: TextIO) -> None:
        """Ignored: the stream is always the current ``sys.stdout``."""
