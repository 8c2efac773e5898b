"""The ``fundflow`` command (Typer). Every user-facing message is Chinese; input errors exit with code 2.

Each command group lives in its own module and registers itself on :data:`fundflow.cli.base.app`:
``allocation`` (``allocate``, ``check-table``), ``web`` (``init``, ``demo``, ``serve``), ``users`` (``users add``,
``list``, ``set-role``, ``unlock``). See docs/cli.md.
"""

from __future__ import annotations

from rich.console import Console

from fundflow.cli import allocation as _allocation  # noqa: F401  (registers commands)
from fundflow.cli import codes as _codes  # noqa: F401  (registers check-codes)
from fundflow.cli import disclosure as _disclosure  # noqa: F401  (registers the disclosure group)
from fundflow.cli import ledger as _ledger  # noqa: F401  (registers issue)
from fundflow.cli import ledger_imports as _ledger_imports  # noqa: F401  (indicators/regions/units import, warnings)
from fundflow.cli import monitor as _monitor  # noqa: F401  (registers monitor, trace)
from fundflow.cli import payments as _payments  # noqa: F401  (registers the payments group)
from fundflow.cli import users as _users  # noqa: F401  (registers the users group)
from fundflow.cli import web as _web  # noqa: F401  (registers commands)
from fundflow.cli.base import EXIT_INPUT, app, fail
from fundflow.core.errors import PlanError

__all__ = ["app", "main"]


def main() -> None:
    """Entry point: Typer app with a last-resort guard so users never see a traceback."""
    try:
        app()
    except PlanError as exc:  # pragma: no cover - commands catch their own
        raise SystemExit(fail(exc).exit_code) from None
    except (OSError, UnicodeError) as exc:
        Console(stderr=True, highlight=False).print(f"错误：无法读写文件：{exc}", markup=False)
        raise SystemExit(EXIT_INPUT) from None
