from __future__ import annotations

from django import forms

from fundflow.allocations.models import AllocationPlan
from fundflow.core.apportion import Apportion
from fundflow.core.money import RoundingMode
from fundflow.core.plan import Method
from fundflow.text_fields import max_length, single_line


class SpecForm(forms.Form):
    """Plan parameters: common fields plus the method's parameters as plan-file YAML (docs/plan-format.md)."""

    document_number = forms.CharField(
        label="文号",
        required=False,
        max_length=max_length(AllocationPlan, "document_number"),
        validators=[single_line],
        widget=forms.TextInput(attrs={"placeholder": "如 塔地财社〔2023〕32号", "size": 30}),
    )
    title = forms.CharField(
        label="标题",
        max_length=max_length(AllocationPlan, "title"),
        validators=[single_line],
        widget=forms.TextInput(attrs={"size": 60}),
    )
    fund = forms.CharField(
        label="资金名称",
        max_length=max_length(AllocationPlan, "fund"),
        validators=[single_line],
        required=False,
        widget=forms.TextInput(attrs={"size": 60}),
    )
    year = forms.IntegerField(label="业务年度", min_value=2000, max_value=2100)
    unit = forms.ChoiceField(label="金额单位", choices=[("万元", "万元"), ("元", "元")])
    total = forms.DecimalField(label="资金总额", required=False, max_digits=18, decimal_places=6)
    method = forms.ChoiceField(label="分配方法", choices=[(m.value, m.label) for m in Method])
    places = forms.ChoiceField(label="保留小数位", choices=[(str(i), str(i)) for i in range(7)], initial="0")
    mode = forms.ChoiceField(label="舍入方式", choices=[(m.value, m.label) for m in RoundingMode])
    apportion = forms.ChoiceField(label="尾差处理", choices=[(a.value, a.label) for a in Apportion])
    editor = forms.ChoiceField(
        label="分配参数填写方式",
        choices=[("form", "按表单填写"), ("text", "高级（分配参数文本）")],
        required=False,
        initial="form",
        widget=forms.RadioSelect,
    )
    params = forms.CharField(
        label="分配参数文本（因素、组成部分、结算标准、列名等）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "class": "code"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class UploadForm(forms.Form):
    file = forms.FileField(label="分配对象 Excel 文件")
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
