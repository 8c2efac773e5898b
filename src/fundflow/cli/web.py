"""``fundflow init``, ``fundflow demo`` and ``fundflow serve``: set up, fill with demo data, and serve the web system.

Settings import writes nothing (see fundflow.settings); ``init`` is the one place that creates the data
directory and the secret key file, migrates and loads reference data. ``demo`` runs ``init`` first.
"""

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


DEFAULT_SETTINGS = "fundflow.settings.local"


def setup_django() -> None:
    """Configure Django (default: the embedded ``local`` settings); a configuration problem exits with its message."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise usage_error(str(exc)) from None


def ensure_secret_key() -> str:
    """Create the data directory and, unless a key is configured, a random secret key file (mode 0600).

    Returns what was done, for the console. Never overwrites an existing key: sessions and tokens signed with it
    stay valid across runs.
    """
    from fundflow.settings.env import configured_secret_key, data_dir, secret_key_file

    directory = data_dir()
    directory.mkdir(parents=True, exist_ok=True)
    if configured_secret_key(directory) is not None:
        return "密钥：已配置，未改变"
    path = secret_key_file(directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two concurrent inits cannot both write; the file is private from its first byte.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_urlsafe(50))
    return f"密钥：已生成 {path}"


def run_init(console: Console) -> None:
    """Data directory, secret key, migrations, reference data (regions, units, direct-fund markers); idempotent."""
    from fundflow.settings.env import data_dir

    key_note = ensure_secret_key()
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    console.print(f"数据目录：{data_dir()}", markup=False)
    console.print(key_note, markup=False)
    call_command("migrate", interactive=False, verbosity=0)
    console.print(f"数据库：已迁移到最新（{connection.vendor}）")
    from fundflow.regions.services import regions_load, units_load

    r = regions_load()
    u = units_load()
    console.print(f"行政区划：新增 {r.created}，更新 {r.updated}，未变 {r.unchanged}")
    console.print(f"预算单位：新增 {u.created}，更新 {u.updated}，未变 {u.unchanged}")
    from fundflow.ledger.reference import markers_load

    m = markers_load()
    console.print(f"直达资金标识：新增 {m.created}，更新 {m.updated}，未变 {m.unchanged}")
    from fundflow.ledger.warnings import warning_rules_load

    w = warning_rules_load()
    console.print(f"预警规则：新增 {w.created}，未变 {w.unchanged}")


@app.command("init")
def init_command() -> None:
    """初始化系统：建立数据目录和密钥文件，建立或升级数据库，载入行政区划和预算单位（不含演示数据）。

    可重复运行：已有的密钥、数据和用户不变。升级软件后运行一次即可升级数据库。
    """
    run_init(Console(highlight=False))


@app.command("demo")
def demo_command() -> None:
    """初始化系统（同 fundflow init）并载入演示数据（种子文件的分配方案、单位预算、演示用户）。

    可重复运行，不会重复创建。
    """
    console = Console(highlight=False)
    run_init(console)
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

    from fundflow.disclosure.services import budget_import
    from fundflow.platform.errors import ConflictError
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


HOST_HELP = "监听地址（对外服务时如 0.0.0.0，并设置 FUNDFLOW_ALLOWED_HOSTS）"


@app.command("serve")
def serve_command(
    port: Annotated[int, typer.Option("--port", "-p", help="端口")] = 8000,
    host: Annotated[str, typer.Option("--host", help=HOST_HELP)] = "127.0.0.1",
    threads: Annotated[int, typer.Option("--threads", min=1, max=64, help="工作线程数")] = 8,
    dev: Annotated[bool, typer.Option("--dev", help="改用 Django 开发服务器（仅供开发调试，勿用于正式环境）")] = False,
) -> None:
    """启动网页服务（默认 http://127.0.0.1:8000；生产级 WSGI 服务器 waitress，静态文件由 whitenoise 提供）。

    请先运行 fundflow init（或 fundflow demo）。数据库未迁移到最新时拒绝启动。
    """
    setup_django()
    _refuse_unmigrated()
    console = Console(highlight=False)
    console.print(f"fundflow 网页服务：http://{host}:{port}/  （Ctrl+C 停止）", markup=False)
    if dev:
        from django.core.management import call_command

        call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
        return
    from django.conf import settings
    from waitress import serve

    from fundflow.wsgi import application

    proxy = settings.FUNDFLOW_TRUSTED_PROXY
    options: dict[str, object] = {"host": host, "port": port, "threads": threads, "ident": "fundflow"}
    if proxy:
        # Only the proxy may state the client's scheme, address and host; from anyone else waitress drops them.
        options.update(
            trusted_proxy=proxy, trusted_proxy_headers={"x-forwarded-proto", "x-forwarded-for", "x-forwarded-host"}
        )
    serve(application, **options)


def _refuse_unmigrated() -> None:
    """Serving an old schema turns every page into a 500: say what to run instead."""
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        raise usage_error(f"无法连接数据库：{exc}") from None
    if pending:
        raise usage_error(f"数据库尚未初始化或需要升级（{len(pending)} 项迁移未执行）：请先运行 fundflow init。")
