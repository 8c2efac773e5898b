from __future__ import annotations

from django import forms


class ImportForm(forms.Form):
    unit = forms.IntegerField(widget=forms.HiddenInput, required=False)
    file = forms.FileField(label="预算数据文件（Excel 模板或 YAML）")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CheckForm(forms.Form):
    file = forms.FileField(label="公开文件（fundflow 生成的 Excel，或已公开文件的文本）")
