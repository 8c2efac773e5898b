"""``fundflow users``: create real users, list them, change their role and scope, lift a login lockout.

Every write goes through :mod:`fundflow.accounts.services`, which refuses role/region/unit combinations the
permission rules cannot interpret; this module only parses options and prints.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from fundflow.cli.base import app, usage_error
from fundflow.cli.web import setup_django

users_app = typer.Typer(
    help="用户管理：新建用户并指定角色和所属地区/单位、列出用户、修改角色、解除登录锁定",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(users_app, name="users")

ROLE_HELP = (
    "角色：region_finance（自治区财政厅业务处室）、prefecture_finance（地州市财政局业务科室）、"
    "county_finance（县市财政局）、unit（预算单位）、auditor（审计（只读））；也可写中文名称"
)


def _read_password() -> str:
    line = sys.stdin.readline()
    password = line.rstrip("\r\n")
    if not password:
        raise usage_error("--password-stdin：标准输入中没有密码（应为一行）")
    return password


@users_app.command("add")
def add_command(
    username: Annotated[str, typer.Argument(help="用户名（登录名）")],
    role: Annotated[str, typer.Option("--role", help=ROLE_HELP)],
    region: Annotated[str, typer.Option("--region", help="所属地区：区划代码或名称，如 654200 或 塔城地区")],
    unit: Annotated[str | None, typer.Option("--unit", help="所属预算单位（预算单位角色必填）：单位代码或名称")] = None,
    office: Annotated[str, typer.Option("--office", help="处室/科室")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="从标准输入读取密码（一行）；不用此项则生成随机密码并显示一次")
    ] = False,
) -> None:
    """新建用户，并指定角色、所属地区（及预算单位）。"""
    setup_django()
    from fundflow.accounts import services

    password = _read_password() if password_stdin else None
    try:
        new = services.user_add(
            username=username,
            role=services.parse_role(role),
            region=services.resolve_region(region),
            unit=services.resolve_unit(unit) if unit else None,
            office=office,
            password=password,
        )
    except services.AccountError as exc:
        raise usage_error(exc.message) from None
    profile = new.user.profile
    console = Console(highlight=False, soft_wrap=True)
    console.print(f"已新建用户 {new.user.username}：{_scope(profile)}", markup=False)
    if new.generated:
        console.print(f"初始密码（仅显示这一次，请转交本人并提醒修改）：{new.password}", markup=False)


@users_app.command("set-role")
def set_role_command(
    username: Annotated[str, typer.Argument(help="用户名")],
    role: Annotated[str, typer.Option("--role", help=ROLE_HELP)],
    region: Annotated[str | None, typer.Option("--region", help="所属地区（不填则不变）：区划代码或名称")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="所属预算单位（预算单位角色必填）")] = None,
    office: Annotated[str | None, typer.Option("--office", help="处室/科室（不填则不变）")] = None,
) -> None:
    """修改用户的角色、所属地区和预算单位。"""
    setup_django()
    from fundflow.accounts import services

    try:
        profile = services.user_set_role(
            username=username,
            role=services.parse_role(role),
            region=services.resolve_region(region) if region else None,
            unit=services.resolve_unit(unit) if unit else None,
            office=office,
        )
    except services.AccountError as exc:
        raise usage_error(exc.message) from None
    Console(highlight=False, soft_wrap=True).print(f"已修改用户 {username}：{_scope(profile)}", markup=False)


@users_app.command("list")
def list_command() -> None:
    """列出全部用户及其角色、所属地区和预算单位。"""
    setup_django()
    from fundflow.accounts.scope import profile_of
    from fundflow.accounts.selectors import users_with_profiles

    headers = ("用户名", "角色", "所属地区", "预算单位", "处室/科室", "状态", "最近登录")
    rows: list[tuple[str, ...]] = []
    for user in users_with_profiles():
        profile = profile_of(user)
        last = user.last_login.astimezone().strftime("%Y-%m-%d %H:%M") if user.last_login else "从未登录"
        state = "停用" if not user.is_active else ("管理员" if user.is_superuser else "正常")
        if profile is None:
            rows.append((user.username, "（未指定）", "", "", "", state, last))
            continue
        rows.append(
            (
                user.username,
                profile.get_role_display(),
                f"{profile.region.name}（{profile.region.code}）",
                profile.unit.name if profile.unit else "",
                profile.office,
                state,
                last,
            )
        )
    table = Table(header_style="bold")
    for column in headers:
        table.add_column(column, no_wrap=True)
    for row in rows:
        table.add_row(*row)
    # Wide enough that no cell is cut: the widest cell of each column plus borders and padding.
    width = sum(max(cell_len(t) for t in col) for col in zip(headers, *rows, strict=True)) + 3 * len(headers) + 1
    Console(highlight=False, width=width).print(table)


@users_app.command("unlock")
def unlock_command(username: Annotated[str, typer.Argument(help="用户名")]) -> None:
    """解除用户因多次登录失败而被锁定的状态（所有来源地址）。"""
    setup_django()
    from fundflow.accounts import services

    removed = services.user_unlock(username=username)
    message = f"已解除用户 {username} 的登录锁定" if removed else f"用户 {username} 没有被锁定的记录"
    Console(highlight=False, soft_wrap=True).print(message, markup=False)


def _scope(profile: object) -> str:
    from fundflow.accounts.models import Profile

    assert isinstance(profile, Profile)
    unit = f"，预算单位 {profile.unit.name}" if profile.unit else ""
    return f"{profile.get_role_display()}，所属地区 {profile.region.name}（{profile.region.code}）{unit}"
