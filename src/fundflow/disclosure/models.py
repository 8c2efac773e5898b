"""A budget unit's budget for one year, stored as the validated budget-file text (YAML, docs/disclosure.md).

The package (nine tables, narrative, glossary) is never stored: it is generated from this text on demand, so it
cannot drift from the data. History of every change is kept (django-simple-history).

``total`` is stored in 元 like every other amount in the database; budget files and pages state 万元
(``total_wan``). The model is named ``BudgetRecord`` so it is never confused with the budget value itself,
``fundflow.core.disclosure.model.UnitBudget``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from fundflow.core.money import Unit, convert, fmt
from fundflow.regions.models import BudgetUnit


def wan_text(total_yuan: Decimal | None) -> str:
    """A stored total (元) as the pages state it: 万元, two decimals."""
    return "" if total_yuan is None else fmt(convert(total_yuan, Unit.YUAN, Unit.WAN), 2)


class BudgetRecord(models.Model):
    unit = models.ForeignKey(BudgetUnit, verbose_name="预算单位", on_delete=models.PROTECT, related_name="budgets")
    year = models.PositiveIntegerField("预算年度")
    budget_yaml = models.TextField("预算数据（YAML）")
    total = models.DecimalField("支出合计（元）", max_digits=18, decimal_places=2)
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "单位预算"
        verbose_name_plural = "单位预算"
        ordering = ["-year", "unit__code"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="unit_budget_unique_year")]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.year}年预算"

    @property
    def total_wan(self) -> str:
        """支出合计 in 万元, as the budget file and the disclosure tables state it."""
        return wan_text(self.total)
