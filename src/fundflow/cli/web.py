"""``fundflow demo`` and ``fundflow serve``: the web system with demo data from the seed documents."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from fundflow.cli.base import app, usage_error

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
DEMO_USERS = [
    # username, role, region code, unit code, office
    ("demo-region", "region_finance", "650000", None, "自治区财政厅社会保障处"),
    ("demo-tacheng", "prefecture_finance", "654200", None, "塔城地区财政局社会保障科"),
    ("demo-emin", "county_finance", "654221", None, "额敏县财政局"),
    ("demo-yibao", "unit", "654200", "654200-YB", "塔城地区医疗保障局"),
    ("demo-audit", "auditor", "654200", None, "塔城地区审计（只读）"),
]
DEMO_BUDGETS = [
    # budget file (examples/), unit code, importing user
    ("akto-2021-medical-security-budget.yaml", "653022-YB", "demo-region"),
]
DEMO_PLANS = [
    # example file, owning region, document number, approve?
    ("xinjiang-2021-medical-aid.yaml", "650000", "新财社〔2020〕34号", True),
    ("tacheng-2023-medical-security-capacity.yaml", "654200", "塔地财社〔2023〕32号", False),
]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundflow.settings")
    import django

    django.setup()


@app.command("demo")
def demo_command() -> None:
    """建立（或更新）内置数据库并载入演示数据（行政区划、预算单位、种子文件的分配方案、演示用户）。

    可重复运行，不会重复创建。
    """
    setup_django()
    from django.core.management import call_command

    console = Console(highlight=False)
    call_command("migrate", interactive=False, verbosity=0)
    from fundflow.regions.services import regions_load, units_load

    r = regions_load()
    u = units_load()
    console.print(f"行政区划：新增 {r.created}，更新 {r.updated}，未变 {r.unchanged}")
    console.print(f"预算单位：新增 {u.created}，更新 {u.updated}，未变 {u.unchanged}")
    password, generated = _demo_password()
    created_users = _demo_users(password)
    plans = _demo_plans()
    console.print(f"演示分配方案：新增 {plans}（已存在的不重复创建）")
    budgets = _demo_budgets()
    console.print(f"演示单位预算（预算公开）：新增 {budgets}（已存在的不重复创建）")
    if created_users:
        console.print(f"演示用户：{'、'.join(created_users)}")
        if generated:
            console.print(f"演示用户密码（仅显示这一次）：{password}", markup=False)
        else:
            console.print("演示用户密码：取自环境变量 FUNDFLOW_DEMO_PASSWORD")
    else:
        console.print("演示用户已存在，密码未改变。")


def _demo_password() -> tuple[str, bool]:
    if password := os.environ.get("FUNDFLOW_DEMO_PASSWORD"):
        return password, False
    return secrets.token_urlsafe(9), True


def _demo_users(password: str) -> list[str]:
    from fundflow.accounts.services import AccountError, UserSpec, users_ensure

    try:
        created: list[str] = users_ensure([UserSpec(*row) for row in DEMO_USERS], password=password)
    except AccountError as exc:  # e.g. FUNDFLOW_DEMO_PASSWORD too short
        raise usage_error(exc.message) from None
    return created


def _demo_plans() -> int:
    from django.contrib.auth import get_user_model

    from fundflow.allocations.services import plan_seed
    from fundflow.io.plan_writer import plan_to_yaml
    from fundflow.io.plan_yaml import load_plan

    created = 0
    for filename, region, document, approve in DEMO_PLANS:
        plan = load_plan(EXAMPLES / filename)
        owner = next(u for u, _, r, _, _ in DEMO_USERS if r == region)
        record = plan_seed(
            user=get_user_model().objects.get(username=owner),
            plan=plan,
            spec_yaml=plan_to_yaml(plan, rows=False),
            document_number=document,
            approve=approve,
        )
        created += record is not None
    return created


def _demo_budgets() -> int:
    """Seed 004's budget (阿克陶县医疗保障局 2021) for the 预算公开 pages; importing it again changes nothing."""
    from django.contrib.auth import get_user_model

    from fundflow.disclosure_web.services import ConflictError, budget_import
    from fundflow.regions.models import BudgetUnit

    created = 0
    for filename, unit_code, username in DEMO_BUDGETS:
        path = EXAMPLES / filename
        try:
            report = budget_import(
                user=get_user_model().objects.get(username=username),
                unit=BudgetUnit.objects.get(code=unit_code),
                filename=path.name,
                content=path.read_bytes(),
            )
        except ConflictError:
            continue  # edited in the pages since: the demo leaves users' changes alone
        created += report.created
    return created


@app.command("serve")
def serve_command(
    port: Annotated[int, typer.Option("--port", "-p", help="端口")] = 8000,
    host: Annotated[str, typer.Option("--host", help="监听地址")] = "127.0.0.1",
) -> None:
    """启动网页服务（默认 http://127.0.0.1:8000）。"""
    setup_django()
    from django.core.management import call_command

    Console(highlight=False).print(f"fundflow 网页服务：http://{host}:{port}/  （Ctrl+C 停止）")
    call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
