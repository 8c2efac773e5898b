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
def demo_command(
    no_ledger: Annotated[
        bool, typer.Option("--no-ledger", help="不载入指标账演示（不下达、不支付），以便自己从下达开始操作")
    ] = False,
) -> None:
    """初始化系统（同 fundflow init）并载入演示数据（种子文件的分配方案、单位预算、指标账及合成支付、演示用户）。

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
    for line in [] if no_ledger else _demo_ledger():
        console.print(line, markup=False)
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


# The ledger demo (指标账): 34号 issued by the 自治区 and received by 塔城地区, re-issued by 塔城 to its counties,
# 额敏县 issuing to its 医疗保障局, synthetic payments, and 32号 issued by 塔城 to 地区医疗保障局.
DEMO_DIRECT = {"marker_code": "01", "marker_name": "中央直达资金", "income_code": "1100249"}
DEMO_COUNTY_SPEC = """\
title: 塔城地区转下达2021年中央财政医疗救助补助资金分配表
year: 2021
unit: 万元
method: fixed
rounding: {places: 0, mode: half_up}
apportion: per_line
labels: {group: 地州市名称, name: 县市区名称}
"""
DEMO_UNIT_SPEC = """\
title: 额敏县2021年中央财政医疗救助补助资金分配表
year: 2021
unit: 元
method: fixed
rounding: {places: 2, mode: half_up}
apportion: per_line
labels: {name: 单位}
"""
# (indicator holder unit code, fund year, 支付凭证号, share of the indicator, date): clearly synthetic.
DEMO_PAYMENTS = [
    ("654221-YB", 2021, "DEMO-EM-2021-0001", "0.15", "2021-03-15"),
    ("654221-YB", 2021, "DEMO-EM-2021-0002", "0.20", "2021-04-20"),
    ("654221-YB", 2021, "DEMO-EM-2021-0003", "0.10", "2021-06-10"),
    ("654200-YB", 2023, "DEMO-TC-2023-0001", "0.25", "2023-05-10"),
    ("654200-YB", 2023, "DEMO-TC-2023-0002", "0.20", "2023-08-15"),
]


def _demo_ledger() -> list[str]:
    """The ledger part of the demo, each step through the ledger and allocation services and only when not done
    yet (so a second run creates nothing); returns the lines to print."""
    import datetime
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from fundflow.allocations.models import AllocationPlan
    from fundflow.ledger import services as ledger
    from fundflow.ledger.demo import synthetic_payment
    from fundflow.ledger.models import Indicator, PlanSource
    from fundflow.ledger.warnings import evaluate_warnings

    user = {u: get_user_model().objects.get(username=u) for u, *_ in DEMO_USERS}
    lines = []
    seed = AllocationPlan.objects.get(document_number="新财社〔2020〕34号")
    if not seed.ledger_documents.exists():
        attrs = ledger.IndicatorAttrs(project_name="医疗救助", exp_func_code="2101301", **DEMO_DIRECT)
        doc = ledger.issue_plan(
            user=user["demo-region"], plan=seed, doc=ledger.DocFields(doc_date=datetime.date(2020, 11, 20)), attrs=attrs
        )
        lines.append(f"演示指标账：自治区下达 {doc.doc_no}（{doc.indicators.count()} 个地州市）")
    tacheng = Indicator.objects.get(cor_doc_no="新财社〔2020〕34号", rec_region__code="654200")
    if tacheng.status == Indicator.Status.PENDING:
        tacheng = ledger.receive(user=user["demo-tacheng"], indicator=tacheng, income_code="1100249")
        lines.append(f"演示指标账：塔城地区接收指标 {tacheng.bgt_id}（{tacheng.amount} 元）")
    if not PlanSource.objects.filter(indicator=tacheng).exists():
        counties = [ln for ln in seed.result_json["lines"] if ln.get("group") == "塔城地区"]
        rows = "分组,名称,金额\n" + "".join(f"塔城地区,{ln['recipient']},{ln['amount']}\n" for ln in counties)
        plan = ledger.plan_from_indicator(user=user["demo-tacheng"], indicator=tacheng, spec_yaml=DEMO_COUNTY_SPEC)
        _demo_issue(user["demo-tacheng"], plan, rows, "塔地财社", datetime.date(2021, 1, 8))
        lines.append(f"演示指标账：塔城地区转下达 {len(counties)} 个县市")
    emin = Indicator.objects.get(parent=tacheng, rec_region__code="654221")
    if emin.status == Indicator.Status.PENDING:
        emin = ledger.receive(user=user["demo-emin"], indicator=emin, income_code="1100249")
    if not PlanSource.objects.filter(indicator=emin).exists():
        plan = ledger.plan_from_indicator(user=user["demo-emin"], indicator=emin, spec_yaml=DEMO_UNIT_SPEC)
        _demo_issue(
            user["demo-emin"], plan, f"名称,金额\n额敏县医疗保障局,{emin.amount}\n", "额财社", datetime.date(2021, 2, 1)
        )
        lines.append(f"演示指标账：额敏县下达额敏县医疗保障局 {emin.amount} 元")
    capacity = AllocationPlan.objects.get(document_number="塔地财社〔2023〕32号")
    if not capacity.ledger_documents.exists():
        _demo_approve(user["demo-tacheng"], capacity)
        attrs = ledger.IndicatorAttrs(project_name="医疗保障服务能力建设", exp_func_code="2101506", **DEMO_DIRECT)
        ledger.issue_plan(
            user=user["demo-tacheng"],
            plan=capacity,
            doc=ledger.DocFields(doc_date=datetime.date(2023, 4, 20)),
            attrs=attrs,
        )
        lines.append("演示指标账：塔城地区下达塔地财社〔2023〕32号（48.5 万元，地区医疗保障局）")
    paid = 0
    for unit_code, year, number, share, day in DEMO_PAYMENTS:
        held = Indicator.objects.filter(rec_unit__code=unit_code, fiscal_year=year).order_by("id").first()
        if held is not None:
            amount = (held.amount * Decimal(share)).quantize(Decimal("0.01"))
            made = synthetic_payment(
                indicator=held, pay_app_no=number, amount=amount, pay_date=datetime.date.fromisoformat(day)
            )
            paid += made is not None
    lines.append(f"演示支付（合成数据，用途“演示数据（合成）”）：新增 {paid}")
    report = evaluate_warnings()
    lines.append(f"预警：新增 {report.created}")
    return lines


def _demo_approve(user: object, plan: object) -> None:
    from fundflow.allocations import services as alloc

    plan.refresh_from_db()  # type: ignore[attr-defined]
    if plan.status != "approved":  # type: ignore[attr-defined]
        alloc.plan_compute(user=user, plan=plan, version=plan.version)  # type: ignore[attr-defined]
        plan.refresh_from_db()  # type: ignore[attr-defined]
        alloc.plan_approve(user=user, plan=plan, version=plan.version)  # type: ignore[attr-defined]
        plan.refresh_from_db()  # type: ignore[attr-defined]


def _demo_issue(user: object, plan: object, rows: str, prefix: str, day: object) -> None:
    """Recipients, compute, approve and issue a re-allocation plan (all through services)."""
    from fundflow.allocations import services as alloc
    from fundflow.ledger import services as ledger

    alloc.recipients_import(
        user=user,
        plan=plan,  # type: ignore[arg-type]
        filename="演示.csv",
        content=rows.encode(),
        version=plan.version,  # type: ignore[attr-defined]
    )
    _demo_approve(user, plan)
    ledger.issue_plan(user=user, plan=plan, doc=ledger.DocFields(prefix=prefix, doc_date=day))  # type: ignore[arg-type]


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
