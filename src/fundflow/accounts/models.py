from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings
from django.db import models

from fundflow.regions.models import BudgetUnit, Region


class Role(models.TextChoices):
    REGION_FINANCE = "region_finance", "自治区财政厅业务处室"
    PREFECTURE_FINANCE = "prefecture_finance", "地州市财政局业务科室"
    COUNTY_FINANCE = "county_finance", "县市财政局"
    UNIT = "unit", "预算单位"
    AUDITOR = "auditor", "审计（只读）"


FINANCE_ROLES = frozenset({Role.REGION_FINANCE, Role.PREFECTURE_FINANCE, Role.COUNTY_FINANCE})


class Profile(models.Model):
    """A user's role and scope. Every permission and every list goes through this scope."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    region = models.ForeignKey(Region, verbose_name="所属地区", on_delete=models.PROTECT)
    unit = models.ForeignKey(BudgetUnit, verbose_name="所属预算单位", null=True, blank=True, on_delete=models.PROTECT)
    office = models.CharField("处室/科室", max_length=128, blank=True)

    class Meta:
        verbose_name = "用户角色"
        verbose_name_plural = "用户角色"

    def __str__(self) -> str:
        return f"{self.user.get_username()}（{self.get_role_display()}，{self.region}）"

    @property
    def is_finance(self) -> bool:
        return self.role in FINANCE_ROLES


class LoginEvent(models.Model):
    """One login, logout or failed login: who, when, from which address. Written by accounts.signals only.

    The user name is kept as typed (a failed login may name no existing user); ``user`` links it when it exists.
    """

    class Kind(models.TextChoices):
        LOGIN = "login", "登录成功"
        LOGOUT = "logout", "退出"
        FAILED = "failed", "登录失败"
        LOCKED = "locked", "已锁定，拒绝登录"

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    kind = models.CharField("事件", max_length=16, choices=Kind.choices)
    username = models.CharField("用户名", max_length=150, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", null=True, blank=True, on_delete=models.SET_NULL
    )
    ip_address = models.GenericIPAddressField("来源地址", null=True, blank=True)
    user_agent = models.CharField("浏览器", max_length=255, blank=True)
    path = models.CharField("登录入口", max_length=255, blank=True)

    class Meta:
        verbose_name = "登录记录"
        verbose_name_plural = "登录记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.username} {self.get_kind_display()} {self.ip_address or ''}"


class LockedLogin(AccessAttempt):  # type: ignore[misc]
    """django-axes' failed-login counter per (user name, address), shown in the admin under a Chinese name.

    A proxy: axes owns the table; deleting a row lifts that lockout.
    """

    class Meta:
        proxy = True
        verbose_name = "登录失败与锁定"
        verbose_name_plural = "登录失败与锁定"
        ordering = ["-attempt_time"]
