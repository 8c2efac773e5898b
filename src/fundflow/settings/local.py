"""The embedded default: one machine, plain HTTP on loopback (``fundflow serve``, ``make run``).

Base settings plus the secret key from ``FUNDFLOW_SECRET_KEY`` / the key file ``fundflow init`` writes; without
one, Django does not start and the message says to run ``fundflow init``.
"""

from __future__ import annotations

from fundflow.settings.base import *  # noqa: F403
from fundflow.settings.base import DATA_DIR
from fundflow.settings.env import require_secret_key

SECRET_KEY = require_secret_key(DATA_DIR)
