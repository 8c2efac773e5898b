"""``fundflow payments import``: import treasury payments (国库集中支付) from a CSV or XLSX file, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from fundflow.cli.base import app, fail, usage_error
from fundflow.cli.web import setup_django
from fundflow.core.errors import PlanError

payments_app = typer.Typer(
    help="国库集中支付：导入支付数据（CSV/XLSX），未匹配指标的支付进入待匹配队列",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(payments_app, name="payments")
PROGRESS_FROM_BYTES = 4 << 20  # files smaller than this import without a progress bar


@payments_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="支付文件（.csv 或 .xlsx）")],
    region: Annotated[
        str, typer.Option("--region", help="付款地区代码或名称（文件没有“付款地区/MOF_DIV_CODE”列时必填）")
    ] = "",
    user: Annotated[str | None, typer.Option("--user", help="以此用户名义导入（只能导入其管辖地区的支付）")] = None,
    rematch_after: Annotated[bool, typer.Option("--rematch", help="导入后为待匹配的支付重新匹配指标")] = False,
) -> None:
    """导入国库集中支付数据：先校验整个文件，再一次性写入；有错误时逐条列出（文件、行、列），退出码 2，不写入任何数据。

    指标编号不存在、指标不属于付款地区或尚未接收的支付进入“待匹配”队列并注明原因；重复导入同一文件不会重复写入。
    """
    if not file.exists():
        raise usage_error(f"找不到文件 {file}")
    setup_django()
    from django.contrib.auth import get_user_model

    from fundflow.ledger.payments import import_payments, rematch
    from fundflow.platform.errors import ServiceError

    actor = None
    if user:
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise usage_error(f"没有用户“{user}”")
    size = file.stat().st_size
    progress = Progress(
        TextColumn("导入支付"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=size < PROGRESS_FROM_BYTES,
    )
    try:
        with progress:
            task = progress.add_task("import", total=size)
            report = import_payments(
                user=actor,
                filename=file.name,
                source=file,
                region=region or None,
                on_read=lambda n: progress.advance(task, n),
            )
        matched_later = rematch(user=actor) if rematch_after else 0
    except ServiceError as exc:
        if exc.problems:
            err = Console(stderr=True, highlight=False, soft_wrap=True)
            err.print(f"错误：{exc.message}", markup=False)
            raise fail(PlanError(exc.problems)) from None
        raise usage_error(exc.message) from None
    console = Console(highlight=False)
    if report.already_imported:
        console.print(f"文件 {file.name} 已导入过（SHA-256 相同），未重复写入。", markup=False)
        return
    console.print(
        f"已导入 {file.name}：{report.rows} 行，新增 {report.inserted} 笔（已匹配 {report.matched}，"
        f"待匹配 {report.unmatched}），与已有数据相同 {report.unchanged} 笔，净额 {report.amount} 元，"
        f"用时 {report.seconds} 秒" + (f"；新增预警 {report.warnings} 条" if report.warnings else ""),
        markup=False,
    )
    for w in report.waiting:
        console.print(f"  待匹配：第 {w['row']} 行 {w['pay_app_no']} 指标 {w['bgt_id']}：{w['reason']}", markup=False)
    if rematch_after:
        console.print(f"重新匹配：{matched_later} 笔待匹配支付已匹配到指标", markup=False)
