from __future__ import annotations

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
