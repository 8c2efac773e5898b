"""Regions form a tree; ``path`` (codes joined by '/') makes "this region and below" one indexed prefix query."""

from __future__ import annotations

from django.db import models


class Region(models.Model):
    class Level(models.TextChoices):
        REGION = "region", "自治区"
        PREFECTURE = "prefecture", "地州市"
        COUNTY = "county", "县市区"

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("级次", max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField("路径", max_length=255, db_index=True, editable=False)
    aliases = models.JSONField("别名", default=list, blank=True)
    former_codes = models.JSONField("曾用代码", default=list, blank=True)
    note = models.CharField("说明", max_length=255, blank=True)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def is_within(self, other: Region) -> bool:
        """True when this region is ``other`` or lies below it."""
        return self.path == other.path or self.path.startswith(other.path + "/")


class BudgetUnit(models.Model):
    """A 预算单位 such as 塔城地区医疗保障局, belonging to one region."""

    code = models.CharField("单位代码", max_length=32, unique=True)
    name = models.CharField("单位名称", max_length=128)
    region = models.ForeignKey(Region, verbose_name="所属地区", on_delete=models.PROTECT, related_name="units")
    kind = models.CharField("类别", max_length=64, blank=True)
    aliases = models.JSONField("别名", default=list, blank=True)

    class Meta:
        verbose_name = "预算单位"
        verbose_name_plural = "预算单位"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
