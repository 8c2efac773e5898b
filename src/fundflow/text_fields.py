"""Checks for text that the web pages and the API write into model CharFields.

The limit is read from the model field itself, so a form, a serializer and a service cannot drift from the
database column: on PostgreSQL an over-long value is an error (a 500 if it gets that far), on SQLite it would be
stored silently. Single-line fields (titles, names, notes, document numbers) refuse control characters, so a
CR/LF cannot split a download's file name or a printed line.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.exceptions import ValidationError

from fundflow.core.errors import Location, Problem


def max_length(model: Any, field: str) -> int:
    """The model field's ``max_length`` (the database column's size)."""
    length = model._meta.get_field(field).max_length
    assert isinstance(length, int), f"{model.__name__}.{field} has no max_length"
    return length


def label(model: Any, field: str) -> str:
    return str(model._meta.get_field(field).verbose_name)


def has_control(text: str) -> bool:
    """True when ``text`` holds a control or format character (CR, LF, tab, NUL, bidi overrides …)."""
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text)


def text_problems(model: Any, field: str, value: str, where: Location | None = None) -> list[Problem]:
    """What is wrong with ``value`` for ``model.field``: too long for its column, or not a single line."""
    problems = []
    limit = max_length(model, field)
    name = label(model, field)
    if len(value) > limit:
        problems.append(
            Problem("text.too-long", f"“{name}”最多 {limit} 个字，实为 {len(value)} 个字", _at(where, name))
        )
    if has_control(value):
        problems.append(
            Problem("text.control-character", f"“{name}”应为一行文字，不能含换行符、制表符等控制字符", _at(where, name))
        )
    return problems


def _at(where: Location | None, name: str) -> Location | None:
    if where is None or where.column is not None:
        return where
    return where.at_column(name)


def single_line(value: str) -> None:
    """A form/serializer validator: refuse control characters in a single-line field."""
    if has_control(value):
        raise ValidationError("应为一行文字，不能含换行符、制表符等控制字符")
