"""``fundflow issue``: issue an approved allocation plan as a budget-indicator document (预算指标文件)."""

from __future__ import annotations

import datetime
from typing import Annotated

import typer
from rich.console import Console

from fundflow.cli.base import app, fail, usage_error
from fundflow.cli.web import setup_django
from fundflow.core.errors import PlanError


def _parse_date(text: str | None) -> datetime.date | None:
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise usage_error(f"--date：日期“{text}”格式不对，应如 2021-01-08") from None


@app.command("issue")
def issue_command(
    plan_id: Annotated[int, typer.Argument(help="分配方案编号（网页地址中的数字）")],
    doc_no: Annotated[str, typer.Option("--doc-no", help="文号（如 塔地财社〔2021〕87号；默认取方案的文号）")] = "",
    prefix: Annotated[str, typer.Option("--prefix", help="文号前缀（如 塔地财社），按年度自动编号")] = "",
    date: Annotated[str | None, typer.Option("--date", help="发文日期 YYYY-MM-DD（默认今天）")] = None,
    user: Annotated[str | None, typer.Option("--user", help="以此用户名义下达（默认为方案的审定人）")] = None,
) -> None:
    """下达已审定的分配方案：生成一份预算指标文件，每个接收地区或预算单位一条指标（金额以元计）。

    错误（未审定、已下达、文号格式不对或重复、超过来源指标可用余额等）逐条列出，退出码 2，不写入任何数据。
    """
    doc_date = _parse_date(date)
    setup_django()
    from django.contrib.auth import get_user_model

    from fundflow.allocations.models import AllocationPlan
    from fundflow.allocations.services import ServiceError
    from fundflow.ledger.services import DocFields, issue_plan

    plan = AllocationPlan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise usage_error(f"没有编号为 {plan_id} 的分配方案")
    if user:
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise usage_error(f"没有用户“{user}”")
    elif plan.approved_by is not None:
        actor = plan.approved_by
    else:
        raise usage_error("该方案尚未审定；请用 --user 指定下达人")
    try:
        document = issue_plan(user=actor, plan=plan, doc=DocFields(doc_no=doc_no, prefix=prefix, doc_date=doc_date))
    except ServiceError as exc:
        if exc.problems:
            raise fail(PlanError(exc.problems)) from None
        raise usage_error(exc.message) from None
    console = Console(highlight=False)
    console.print(f"已下达：{document.doc_no}（{document.title}）", markup=False)
    for ind in document.indicators.select_related("rec_region", "rec_unit"):
        holder = (ind.rec_unit or ind.rec_region).name
        console.print(f"  {ind.bgt_id}  {holder}  {ind.amount} 元  {ind.get_status_display()}", markup=False)
