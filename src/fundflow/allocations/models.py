"""An allocation plan is its parameters (the plan-file format without recipients), its recipient rows,
its manual adjustments and, once computed, the result. History of all of them is kept (django-simple-history).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from fundflow.regions.models import BudgetUnit, Region


class AllocationPlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        APPROVED = "approved", "已审定"

    region = models.ForeignKey(Region, verbose_name="编制地区", on_delete=models.PROTECT, related_name="plans")
    title = models.CharField("标题", max_length=255)
    fund = models.CharField("资金名称", max_length=255, blank=True)
    year = models.PositiveIntegerField("业务年度")
    document_number = models.CharField("文号", max_length=100, blank=True)
    method = models.CharField("分配方法", max_length=32)
    spec_yaml = models.TextField("分配参数（YAML）")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField("版本", default=1)
    result_json = models.JSONField("计算结果", null=True, blank=True, editable=False)
    total = models.DecimalField("合计（元）", max_digits=18, decimal_places=2, null=True, blank=True, editable=False)
    unit_label = models.CharField("金额单位", max_length=8, default="万元", editable=False)
    computed_at = models.DateTimeField("计算时间", null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审定人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField("审定时间", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "分配方案"
        verbose_name_plural = "分配方案"
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def method_label(self) -> str:
        """分配方法 in Chinese (因素法, 定额标准加比例分配, 结算（多退少补）, 定额下达)."""
        from fundflow.core.plan import Method

        try:
            return Method(self.method).label
        except ValueError:
            return self.method

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED


class PlanRecipient(models.Model):
    """One recipient row; ``values`` maps input column → decimal string (never float)."""

    plan = models.ForeignKey(AllocationPlan, on_delete=models.CASCADE, related_name="recipients")
    position = models.PositiveIntegerField("序号")
    group = models.CharField("分组", max_length=128, blank=True)
    name = models.CharField("名称", max_length=128)
    values = models.JSONField("数据", default=dict)
    duplicates = models.JSONField("重复人数", default=dict, blank=True)
    note = models.CharField("备注", max_length=255, blank=True)
    region = models.ForeignKey(Region, verbose_name="对应地区", null=True, blank=True, on_delete=models.PROTECT)
    unit = models.ForeignKey(BudgetUnit, verbose_name="对应预算单位", null=True, blank=True, on_delete=models.PROTECT)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "分配对象"
        verbose_name_plural = "分配对象"
        ordering = ["plan", "position"]
        constraints = [models.UniqueConstraint(fields=["plan", "group", "name"], name="recipient_unique_in_group")]


class PlanAdjustment(models.Model):
    plan = models.ForeignKey(AllocationPlan, on_delete=models.CASCADE, related_name="adjustments")
    group = models.CharField("分组", max_length=128, blank=True)
    recipient = models.CharField("分配对象", max_length=128)
    part = models.CharField("列", max_length=128)
    delta = models.DecimalField("调整数", max_digits=18, decimal_places=6)
    reason = models.CharField("理由", max_length=255)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "尾差调整"
        verbose_name_plural = "尾差调整"
