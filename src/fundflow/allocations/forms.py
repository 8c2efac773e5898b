from __future__ import annotations

from django import forms


class SpecForm(forms.Form):
    document_number = forms.CharField(
        label="文号",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "如 塔地财社〔2023〕32号"}),
    )
    spec_yaml = forms.CharField(label="分配参数", widget=forms.Textarea(attrs={"rows": 18, "class": "code"}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class UploadForm(forms.Form):
    file = forms.FileField(label="分配对象 Excel 文件")
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
