"""Creating users and giving them a role and scope. The CLI (``fundflow users``), the demo seeding and the admin
all come through here, so a role/region/unit combination that the permission rules cannot interpret is refused in
one place, with a Chinese message, before anything is written.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

from fundflow.accounts.models import Profile, Role
from fundflow.regions.models import BudgetUnit, Region
from fundflow.regions.selectors import region_by_name

# The level a finance role works at: its region must be of that level (a 县市财政局 user in a 地州市 would see
# the whole prefecture).
ROLE_LEVEL: dict[Any, Any] = {
    Role.REGION_FINANCE: Region.Level.REGION,
    Role.PREFECTURE_FINANCE: Region.Level.PREFECTURE,
    Role.COUNTY_FINANCE: Region.Level.COUNTY,
}


class AccountError(Exception):
    """A refusal the administrator can act on (Chinese ``message``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class NewUser:
    user: Any
    password: str
    generated: bool  # the password was generated here and must be shown once


def role_choices() -> str:
    return "、".join(f"{value}（{label}）" for value, label in Role.choices)


def parse_role(text: str) -> Role:
    """A role by its value (``county_finance``) or its Chinese label (县市财政局)."""
    for value, label in Role.choices:
        if text.strip() in (value, label):
            return Role(value)
    raise AccountError(f"没有角色“{text}”。可用角色：{role_choices()}")


def resolve_region(text: str) -> Region:
    """A region by 区划代码 (654200), name (塔城地区) or alias (沙湾县 → 沙湾市)."""
    text = text.strip()
    region = Region.objects.filter(code=text).first() or region_by_name(text)
    if region is None:
        raise AccountError(f"没有找到地区“{text}”。请填写区划代码或名称，如 654200 或 塔城地区。")
    return region


def resolve_unit(text: str) -> BudgetUnit:
    """A budget unit by code (654200-YB), name or alias."""
    text = text.strip()
    unit = BudgetUnit.objects.filter(code=text).first() or BudgetUnit.objects.filter(name=text).first()
    if unit is None:
        unit = next((u for u in BudgetUnit.objects.exclude(aliases=[]) if text in u.aliases), None)
    if unit is None:
        raise AccountError(f"没有找到预算单位“{text}”。请填写单位代码或名称，如 654200-YB 或 塔城地区医疗保障局。")
    return unit


def check_scope(role: Role | str, region: Region, unit: BudgetUnit | None) -> None:
    """Refuse combinations the permission rules cannot interpret."""
    role = Role(role)
    roles, levels = dict(Role.choices), dict(Region.Level.choices)
    level = ROLE_LEVEL.get(role)
    if level is not None and region.level != level:
        raise AccountError(
            f"角色“{roles[role]}”的所属地区应为{levels[level]}级，“{region.name}”（{region.code}）"
            f"是{levels[region.level]}级。"
        )
    if role == Role.UNIT:
        if unit is None:
            raise AccountError(f"角色“{roles[role]}”须指定所属预算单位（--unit）。")
        if unit.region_id != region.pk:
            raise AccountError(
                f"预算单位“{unit.name}”属于“{unit.region.name}”，不在所属地区“{region.name}”；"
                f"请将所属地区设为“{unit.region.name}”（{unit.region.code}）。"
            )
    elif unit is not None:
        raise AccountError(f"只有“{roles[Role.UNIT]}”角色可以指定所属预算单位，角色“{roles[role]}”不能指定。")


def _check_password(password: str, user: Any) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise AccountError("密码不符合要求：" + "；".join(str(m) for m in exc.messages)) from None


@transaction.atomic
def user_add(
    *,
    username: str,
    role: Role | str,
    region: Region,
    unit: BudgetUnit | None = None,
    office: str = "",
    password: str | None = None,
) -> NewUser:
    """Create a user with its profile. Without a password one is generated (to be shown once)."""
    user_model = get_user_model()
    username = username.strip()
    if not username:
        raise AccountError("用户名不能为空。")
    if user_model.objects.filter(username=username).exists():
        raise AccountError(f"用户“{username}”已存在；修改角色请用 fundflow users set-role。")
    check_scope(role, region, unit)
    generated = password is None
    password = secrets.token_urlsafe(12) if password is None else password
    user = user_model(username=username)
    _check_password(password, user)
    user.set_password(password)
    user.save()
    Profile.objects.create(user=user, role=Role(role), region=region, unit=unit, office=office)
    return NewUser(user, password, generated)


@transaction.atomic
def user_set_role(
    *,
    username: str,
    role: Role | str,
    region: Region | None = None,
    unit: BudgetUnit | None = None,
    office: str | None = None,
) -> Profile:
    """Change a user's role and scope; the region is kept unless given. A user without a profile gets one."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise AccountError(f"没有用户“{username}”。")
    profile = Profile.objects.filter(user=user).first()
    if region is None:
        if profile is None:
            raise AccountError(f"用户“{username}”还没有所属地区，请用 --region 指定。")
        region = profile.region
    check_scope(role, region, unit)
    if profile is None:
        profile = Profile(user=user)
    profile.role = Role(role)
    profile.region = region
    profile.unit = unit
    if office is not None:
        profile.office = office
    profile.save()
    return profile


def user_unlock(*, username: str) -> int:
    """Lift a login lockout (all addresses) for ``username``; returns how many lockout records were removed."""
    from axes.utils import reset

    return int(reset(username=username))


@dataclass(frozen=True)
class UserSpec:
    """A user to ensure exists (``fundflow demo``): codes, not objects, so the caller needs no ORM."""

    username: str
    role: str
    region_code: str
    unit_code: str | None
    office: str


@transaction.atomic
def users_ensure(specs: Sequence[UserSpec], *, password: str) -> list[str]:
    """Create each user that does not exist yet, through :func:`user_add`; existing users are left alone
    (password included). Returns the names created."""
    created = []
    for spec in specs:
        if get_user_model().objects.filter(username=spec.username).exists():
            continue
        region = Region.objects.get(code=spec.region_code)
        unit = BudgetUnit.objects.get(code=spec.unit_code) if spec.unit_code else None
        user_add(
            username=spec.username, role=spec.role, region=region, unit=unit, office=spec.office, password=password
        )
        created.append(spec.username)
    return created
