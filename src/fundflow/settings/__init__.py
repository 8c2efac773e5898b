"""Django settings for fundflow, one module per environment (see docs/architecture.md and docs/deployment.md).

- ``fundflow.settings.base`` — the embedded default (``fundflow serve`` on one machine, ``make run``):
  SQLite in the data directory, plain HTTP on loopback.
- ``fundflow.settings.production`` — base plus HTTPS-only cookies, HSTS, SSL redirect, idle session
  timeout and a mandatory secret key; for a server reached over the network.
- ``fundflow.settings.test`` — base with a fixed secret key, for the test suite (pyproject points at it).

Importing any of them has no side effects: nothing is created on disk. ``fundflow init`` (and ``fundflow demo``)
create the data directory and the secret key file. Environment parsing lives in :mod:`fundflow.settings.env`.
"""
