"""Forms of the ledger pages: what a person fills in to issue, receive, re-allocate and amend. They only parse;
the services decide (numbering, balances, inheritance) and refuse with rule ids."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from fundflow.allocations.spec_templates import METHOD_CHOICES
from fundflow.ledger.models import DirectFundMarker, Document, Indicator
from fundflow.ledger.services import DocFields, IndicatorAttrs
from fundflow.text_fields import max_length, single_line

FULL_NUMBER_MARKS = ("〔", "〕", "[", "]", "（", "）", "(", ")", "号")


def _line(model: Any, field: str, label: str, *, required: bool = False, size: int = 30) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length(model, field),
        validators=[single_line],
        widget=forms.TextInput(attrs={"size": size}),
    )


def split_number(text: str) -> tuple[str, str]:
    """``(doc_no, prefix)`` from what was typed in the 文号 box: a full number (with its year brackets or 号) is
    taken as it is — the service checks its format and that it is free —, anything else is a prefix to number
    automatically."""
    text = text.strip()
    if any(mark in text for mark in FULL_NUMBER_MARKS):
        return text, ""
    return "", text


class DocumentForm(forms.Form):
    """The fields of a new document (issue or amendment)."""

    number = forms.CharField(
        label="文号",
        max_length=max_length(Document, "doc_no"),
        validators=[single_line],
        help_text="填写文号前缀（如 塔地财社）则按年度自动编号；填写完整文号（如 塔地财社〔2021〕87号）则使用该文号",
        widget=forms.TextInput(attrs={"size": 30}),
    )
    doc_date = forms.DateField(label="发文日期", widget=forms.DateInput(attrs={"type": "date"}))
    title = _line(Document, "title", "标题", size=60)
    issuer_office = _line(Document, "issuer_office", "发文机关")
    main_recipients = forms.CharField(label="主送", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    basis = forms.ModelMultipleChoiceField(label="依据（系统内文件）", queryset=Document.objects.none(), required=False)
    basis_text = forms.CharField(label="依据（系统外文件）", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    cc = forms.CharField(label="抄送", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    attachments = forms.CharField(label="附件（每行一个）", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, basis_choices: QuerySet[Document] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("doc_date", timezone.localdate())
        super().__init__(*args, **kwargs)
        if basis_choices is not None:
            self.fields["basis"].queryset = basis_choices  # type: ignore[attr-defined]

    def doc_fields(self, **extra: Any) -> DocFields:
        data = self.cleaned_data
        doc_no, prefix = split_number(data["number"])
        attachments = tuple(line.strip() for line in data["attachments"].splitlines() if line.strip())
        return DocFields(
            title=data["title"],
            doc_no=doc_no,
            prefix=prefix,
            doc_date=data["doc_date"],
            issuer_office=data["issuer_office"],
            main_recipients=data["main_recipients"].strip(),
            cc=data["cc"].strip(),
            basis=tuple(data["basis"]),
            basis_text=data["basis_text"].strip(),
            attachments=attachments,
            **extra,
        )


def marker_choices() -> list[tuple[str, str]]:
    """直达资金标识 from the reference data; the value keeps code and name together (codes repeat per scope)."""
    return [("", "非直达资金")] + [(f"{m.code}|{m.name}", f"{m.code} {m.name}") for m in DirectFundMarker.objects.all()]


class IssueForm(DocumentForm):
    """下达预算指标文件 from an approved plan: the document, and for a top-level plan the indicator codes."""

    project_name = _line(Indicator, "project_name", "项目名称", size=40)
    project_code = _line(Indicator, "project_code", "项目代码")
    income_code = _line(Indicator, "income_code", "收入科目", size=14)
    tp_func_code = _line(Indicator, "tp_func_code", "转移支付功能科目", size=14)
    exp_func_code = _line(Indicator, "exp_func_code", "支出功能科目", size=14)
    gov_eco_code = _line(Indicator, "gov_eco_code", "政府经济分类", size=12)
    dep_eco_code = _line(Indicator, "dep_eco_code", "部门经济分类", size=12)
    marker = forms.ChoiceField(label="直达资金标识", required=False, choices=())
    advance = forms.BooleanField(label="提前下达", required=False)
    budget_year = forms.IntegerField(label="预算年度", required=False, min_value=2000, max_value=2100)

    CODE_FIELDS = ("project_name", "project_code", "income_code", "tp_func_code", "exp_func_code")
    ECO_FIELDS = ("gov_eco_code", "dep_eco_code")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["marker"].choices = marker_choices()  # type: ignore[attr-defined]

    def inherit(self) -> None:
        """A plan re-allocating a received indicator: codes and marker are inherited, not asked for."""
        for name in (*self.CODE_FIELDS, *self.ECO_FIELDS, "marker"):
            del self.fields[name]

    def attrs(self) -> IndicatorAttrs:
        data = self.cleaned_data
        code, _, name = data.get("marker", "").partition("|")
        return IndicatorAttrs(
            **{f: data.get(f, "").strip() for f in (*self.CODE_FIELDS, *self.ECO_FIELDS)},
            marker_code=code,
            marker_name=name,
        )

    def doc_fields(self, **extra: Any) -> DocFields:
        data = self.cleaned_data
        return super().doc_fields(advance=bool(data["advance"]), budget_year=data["budget_year"], **extra)


class ReceiveForm(forms.Form):
    income_code = _line(Indicator, "income_code", "收入科目", size=14)


class ReallocateForm(forms.Form):
    """再分配: a new plan for the received indicator; its fund and total come from the indicator."""

    title = _line(Document, "title", "分配表标题", required=True, size=60)
    method = forms.ChoiceField(label="分配方法", choices=list(METHOD_CHOICES.items()), initial="factor")


AMEND_KINDS = [("add", "追加"), ("reduce", "调减"), ("recall", "收回")]


class AmendForm(DocumentForm):
    """追加 / 调减 / 收回 on a document: the new document's fields plus one amount (元) per indicator line,
    named ``amount-<indicator id>``; a blank line is left alone, except that a 收回 of “全部” takes what is left."""

    kind = forms.ChoiceField(label="调整类别", choices=AMEND_KINDS)

    def __init__(self, *args: Any, lines: list[Indicator] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for ind in self.lines:
            self.fields[f"amount-{ind.pk}"] = forms.DecimalField(
                label=ind.rec_unit.name if ind.rec_unit else ind.rec_region.name,  # type: ignore[union-attr]
                required=False,
                min_value=Decimal("0.01"),
                max_digits=18,
                decimal_places=2,
            )
            self.fields[f"all-{ind.pk}"] = forms.BooleanField(label="全部收回", required=False)

    def amounts(self) -> list[tuple[Indicator, Decimal | None]]:
        """(indicator, amount) per filled line; amount None = recall all that is available."""
        out: list[tuple[Indicator, Decimal | None]] = []
        for ind in self.lines:
            amount = self.cleaned_data.get(f"amount-{ind.pk}")
            if self.cleaned_data.get(f"all-{ind.pk}") and self.cleaned_data["kind"] == "recall":
                out.append((ind, None))
            elif amount is not None:
                out.append((ind, amount))
        return out

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not self.amounts():
            raise forms.ValidationError("请至少填写一行调整金额")
        return data
