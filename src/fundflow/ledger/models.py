"""The budget-indicator ledger (指标账): documents, the indicators they carry down the chain, treasury payments
against them, and the warnings raised on them. See docs/ledger.md for the design.

Money is NUMERIC(18,2) in 元. Every table carries ``fiscal_year`` and an owning region so it can later be
partitioned by year and distributed by region code (docs/scaling.md). Documents and indicators are never edited
after creation except for the receipt of an indicator and the matching of a waiting payment; changes to amounts
go through amendment documents.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from fundflow.allocations.models import AllocationPlan
from fundflow.regions.models import BudgetUnit, Region

MONEY = {"max_digits": 18, "decimal_places": 2}


class DirectFundMarker(models.Model):
    """直达资金标识 (reference data): a code-name pair such as ("01", "中央直达资金")."""

    code = models.CharField("代码", max_length=8)
    name = models.CharField("名称", max_length=64)
    scope = models.CharField("适用级次", max_length=16, blank=True)

    class Meta:
        verbose_name = "直达资金标识"
        verbose_name_plural = "直达资金标识"
        ordering = ["scope", "code"]
        constraints = [models.UniqueConstraint(fields=["code", "name"], name="ledger_marker_code_name_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DocumentSequence(models.Model):
    """The last 号 used per 文号 prefix and year; read under select_for_update when numbering."""

    prefix = models.CharField("文号前缀", max_length=64)
    year = models.PositiveIntegerField("年度")
    last_number = models.PositiveIntegerField("已用最大号", default=0)

    class Meta:
        verbose_name = "文号序列"
        verbose_name_plural = "文号序列"
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="ledger_sequence_prefix_year_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.last_number}号"


class Document(models.Model):
    """预算指标文件. Never edited after creation: it changes only through amendment documents (``amends``)."""

    class Kind(models.TextChoices):
        ISSUE = "issue", "下达"
        ADD = "add", "追加"
        REDUCE = "reduce", "调减"
        RECALL = "recall", "收回"
        EXTERNAL = "external", "外部导入"

    issuer = models.ForeignKey(
        Region, verbose_name="发文地区", on_delete=models.PROTECT, related_name="ledger_documents"
    )
    issuer_office = models.CharField("发文机关", max_length=128, blank=True)
    doc_no = models.CharField("文号", max_length=100, unique=True)
    prefix = models.CharField("文号前缀", max_length=64, blank=True)
    year = models.PositiveIntegerField("文号年度", null=True, blank=True)
    number = models.PositiveIntegerField("文号序号", null=True, blank=True)
    title = models.CharField("标题", max_length=360)
    doc_date = models.DateField("发文日期")
    main_recipients = models.TextField("主送", blank=True)
    basis = models.ManyToManyField(
        "self", verbose_name="依据", symmetrical=False, blank=True, related_name="based_on_by"
    )
    basis_text = models.TextField("依据（系统外文件）", blank=True)
    cc = models.TextField("抄送", blank=True)
    attachments = models.JSONField("附件", default=list, blank=True)
    advance = models.BooleanField("提前下达", default=False)
    budget_year = models.PositiveIntegerField("预算年度")
    kind = models.CharField("类别", max_length=16, choices=Kind.choices, default=Kind.ISSUE)
    amends = models.ForeignKey(
        "self", verbose_name="所调整文件", null=True, blank=True, on_delete=models.PROTECT, related_name="amendments"
    )
    plan = models.ForeignKey(
        AllocationPlan,
        verbose_name="分配方案",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_documents",
    )
    fiscal_year = models.PositiveIntegerField("业务年度")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "预算指标文件"
        verbose_name_plural = "预算指标文件"
        ordering = ["-fiscal_year", "-doc_date", "-id"]
        constraints = [
            # A plan is issued once (amendments of its document carry no plan).
            models.UniqueConstraint(fields=["plan"], condition=Q(plan__isnull=False), name="ledger_document_plan_once"),
        ]
        indexes = [models.Index(fields=["issuer", "fiscal_year"], name="ledger_doc_issuer_year")]

    def __str__(self) -> str:
        return self.doc_no


class Indicator(models.Model):
    """指标: one line of a document, held by a region or a budget unit, carved from its parent indicator.

    Identity follows the national data model: ``bgt_id`` (BGT_ID), ``ori_bgt_id`` (ORI_BGT_ID), ``cor_doc_no`` /
    ``sup_doc_no`` (COR_BGT_DOC_NO / SUP_BGT_DOC_NO), ``issuer`` (MOF_DIV_CODE), ``rec_region`` (REC_DIV_CODE).
    """

    class Kind(models.TextChoices):
        NORMAL = "normal", "指标"
        REDUCTION = "reduction", "扣回"

    class Status(models.TextChoices):
        PENDING = "pending", "待接收"
        RECEIVED = "received", "已接收"

    bgt_id = models.CharField("指标编号", max_length=38, unique=True)
    fiscal_year = models.PositiveIntegerField("预算年度")
    document = models.ForeignKey(Document, verbose_name="文件", on_delete=models.PROTECT, related_name="indicators")
    cor_doc_no = models.CharField("本级文号", max_length=100)
    sup_doc_no = models.CharField("上级文号", max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name="来源指标", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    ori_bgt_id = models.CharField("来源指标编号", max_length=38, blank=True)
    issuer = models.ForeignKey(
        Region, verbose_name="下达方", on_delete=models.PROTECT, related_name="issued_indicators"
    )
    rec_region = models.ForeignKey(
        Region,
        verbose_name="接收地区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="received_indicators",
    )
    rec_unit = models.ForeignKey(
        BudgetUnit,
        verbose_name="接收单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    holder_region = models.ForeignKey(
        Region, verbose_name="持有地区", on_delete=models.PROTECT, related_name="held_indicators"
    )
    fund = models.CharField("资金名称", max_length=255)
    project_name = models.CharField("项目名称", max_length=255, blank=True)
    project_code = models.CharField("项目代码", max_length=21, blank=True)
    amount = models.DecimalField("金额（元）", **MONEY)
    kind = models.CharField("类别", max_length=16, choices=Kind.choices, default=Kind.NORMAL)
    reduces = models.ForeignKey(
        "self", verbose_name="扣回指标", null=True, blank=True, on_delete=models.PROTECT, related_name="reductions"
    )
    income_code = models.CharField("收入科目", max_length=13, blank=True)
    tp_func_code = models.CharField("转移支付功能科目", max_length=13, blank=True)
    exp_func_code = models.CharField("支出功能科目", max_length=13, blank=True)
    gov_eco_code = models.CharField("政府经济分类", max_length=11, blank=True)
    dep_eco_code = models.CharField("部门经济分类", max_length=11, blank=True)
    marker_code = models.CharField("直达资金标识代码", max_length=8, blank=True)
    marker_name = models.CharField("直达资金标识", max_length=64, blank=True)
    advance = models.BooleanField("提前下达", default=False)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    received_at = models.DateTimeField("接收时间", null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_income_code = models.CharField("接收收入科目", max_length=13, blank=True)
    plan_line = models.JSONField("分配方案行", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "指标"
        verbose_name_plural = "指标"
        ordering = ["fiscal_year", "bgt_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="normal", amount__gt=0) | Q(kind="reduction", amount__lt=0),
                name="ledger_indicator_amount_sign",
            ),
            models.CheckConstraint(
                condition=Q(kind="normal") | Q(reduces__isnull=False), name="ledger_reduction_has_target"
            ),
            models.CheckConstraint(
                condition=Q(rec_region__isnull=False) | Q(rec_unit__isnull=False), name="ledger_indicator_recipient"
            ),
        ]
        indexes = [
            models.Index(fields=["fiscal_year", "fund"], name="ledger_ind_year_fund"),
            models.Index(fields=["holder_region", "fiscal_year"], name="ledger_ind_holder_year"),
            # 直达资金监控: one fund and year, aggregated by holder and issuer without touching the table
            # (PostgreSQL covering index; other databases get the plain key).
            models.Index(
                fields=["fund", "fiscal_year"],
                include=["amount", "rec_region", "rec_unit", "issuer", "holder_region", "parent", "document"],
                name="ledger_ind_monitor",
            ),
        ]

    def __str__(self) -> str:
        return self.bgt_id

    @property
    def is_direct(self) -> bool:
        """A direct-fund indicator carries a marker (blank = not a direct fund)."""
        return bool(self.marker_code)


class PlanSource(models.Model):
    """The received indicator an allocation plan re-allocates (one plan, one source).

    Kept on the ledger side so the allocations app does not depend on the ledger: an allocation plan without a
    row here is a plan made from scratch.
    """

    plan = models.OneToOneField(
        AllocationPlan, verbose_name="分配方案", on_delete=models.CASCADE, related_name="ledger_source"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name="来源指标", on_delete=models.PROTECT, related_name="reallocation_plans"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "分配方案来源指标"
        verbose_name_plural = "分配方案来源指标"

    def __str__(self) -> str:
        return f"{self.plan} ← {self.indicator}"


class ImportBatch(models.Model):
    class Kind(models.TextChoices):
        INDICATORS = "indicators", "指标"
        PAYMENTS = "payments", "支付"

    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    filename = models.CharField("文件名", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    rows = models.PositiveIntegerField("行数", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="导入人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("导入时间", auto_now_add=True)
    report = models.JSONField("导入报告", default=dict, blank=True)

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "sha256"], name="ledger_batch_kind_sha")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"


class Payment(models.Model):
    """国库集中支付. Append-only: the only change after import is matching a waiting (待匹配) row."""

    class Status(models.TextChoices):
        MATCHED = "matched", "已匹配"
        UNMATCHED = "unmatched", "待匹配"

    # No FK indexes of their own (db_index=False): payer_region_id leads ledger_payment_natural_key and
    # indicator_id leads ledger_pay_monitor, which serve every lookup (and the PROTECT checks) an FK index would.
    payer_region = models.ForeignKey(
        Region, verbose_name="付款地区", on_delete=models.PROTECT, related_name="payments", db_index=False
    )
    pay_app_no = models.CharField("支付凭证号", max_length=60)
    pay_date = models.DateField("支付日期")
    fiscal_year = models.PositiveIntegerField("业务年度")
    indicator = models.ForeignKey(
        Indicator,
        verbose_name="指标",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        db_index=False,
    )
    bgt_id = models.CharField("指标编号", max_length=38)
    agency_name = models.CharField("付款单位", max_length=255)
    payee = models.CharField("收款人", max_length=255, blank=True)
    amount = models.DecimalField("金额（元）", **MONEY)
    ori_pay_app_no = models.CharField("原凭证号", max_length=60, blank=True)
    eco_code = models.CharField("经济科目", max_length=11, blank=True)
    func_code = models.CharField("功能科目", max_length=13, blank=True)
    use_des = models.CharField("用途", max_length=255, blank=True)
    batch = models.ForeignKey(
        ImportBatch, verbose_name="导入批次", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.MATCHED)
    unmatched_reason = models.CharField("待匹配原因", max_length=255, blank=True)

    class Meta:
        verbose_name = "国库集中支付"
        verbose_name_plural = "国库集中支付"
        ordering = ["pay_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["payer_region", "pay_app_no"], name="ledger_payment_natural_key"),
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_payment_amount_nonzero"),
        ]
        indexes = [
            models.Index(fields=["payer_region", "fiscal_year", "pay_date"], name="ledger_pay_region_year_date"),
            # Queries ask for the waiting rows only (matching, the upload page); matched ones are the bulk.
            models.Index(fields=["status"], condition=Q(status="unmatched"), name="ledger_pay_unmatched"),
            # 直达资金监控 and trace: an indicator's payments up to a date, summed from the index alone.
            models.Index(fields=["indicator", "pay_date"], include=["amount", "status"], name="ledger_pay_monitor"),
        ]

    def __str__(self) -> str:
        return self.pay_app_no


class WarningRule(models.Model):
    class Severity(models.TextChoices):
        ERROR = "error", "错误"
        WARNING = "warning", "警告"

    rule_id = models.CharField("规则编号", max_length=64, unique=True)
    parameters = models.JSONField("参数", default=dict, blank=True)
    severity = models.CharField("严重程度", max_length=16, choices=Severity.choices, default=Severity.WARNING)
    enabled = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "预警规则"
        verbose_name_plural = "预警规则"
        ordering = ["rule_id"]

    def __str__(self) -> str:
        return self.rule_id


class Warning(models.Model):
    """预警 (the domain's name; shadows the builtin ``Warning`` only inside this module)."""

    class Status(models.TextChoices):
        OPEN = "open", "未处理"
        VERIFIED = "verified", "已核实"
        FIXED = "fixed", "已整改"

    class SubjectKind(models.TextChoices):
        INDICATOR = "indicator", "指标"
        PAYMENT = "payment", "支付"

    rule_id = models.CharField("规则编号", max_length=64)
    severity = models.CharField("严重程度", max_length=16, choices=WarningRule.Severity.choices)
    subject_kind = models.CharField("对象类别", max_length=16, choices=SubjectKind.choices)
    subject_id = models.PositiveBigIntegerField("对象编号")
    region = models.ForeignKey(
        Region, verbose_name="所属地区", on_delete=models.PROTECT, related_name="ledger_warnings"
    )
    fiscal_year = models.PositiveIntegerField("业务年度")
    message = models.CharField("预警内容", max_length=500)
    details = models.JSONField("详情", default=dict, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    note = models.TextField("处理说明", blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    created_at = models.DateTimeField("产生时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "预警"
        verbose_name_plural = "预警"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_id", "subject_kind", "subject_id"], name="ledger_warning_once_per_subject"
            )
        ]
        indexes = [
            models.Index(fields=["region", "fiscal_year", "status"], name="ledger_warn_region_year_status"),
        ]

    @property
    def rule_title(self) -> str:
        """The rule's short Chinese name (its id when it has none)."""
        from fundflow.core.ledger.rules import RULES

        rule = RULES.get(self.rule_id)
        return rule.title if rule is not None and rule.title else self.rule_id

    def __str__(self) -> str:
        return f"{self.rule_id} {self.subject_kind}#{self.subject_id}"
