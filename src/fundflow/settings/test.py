"""The test suite's settings (pyproject's DJANGO_SETTINGS_MODULE): base with a fixed key, nothing read from disk."""

from __future__ import annotations

from fundflow.settings.base import *  # noqa: F403

SECRET_KEY = "fundflow-test-only-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
