"""The shared Typer application and the error conventions every command follows."""

from __future__ import annotations

import typer
from rich.console import Console

from fundflow.core.errors import PlanError

app = typer.Typer(
    name="fundflow",
    help="财政转移支付资金分配与直达资金监控系统（fundflow）",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_INPUT = 2
# A checker found at least one error-severity finding: the report was printed in full, but a script that gates
# publication on the command (``fundflow disclosure check FILE && publish``) must stop. Warnings alone exit 0.
EXIT_FINDINGS = 1


def fail(problems: PlanError) -> typer.Exit:
    """Print every problem (one per line, with file/row/column) to stderr; exit code 2."""
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    for p in problems.problems:
        err.print(f"错误：{p.describe()}", markup=False)
    return typer.Exit(EXIT_INPUT)


def usage_error(message: str) -> typer.Exit:
    Console(stderr=True, highlight=False, soft_wrap=True).print(f"错误：{message}", markup=False)
    return typer.Exit(EXIT_INPUT)
