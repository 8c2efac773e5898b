"""The method parameters as a form with Chinese labels (factors, components, settlement, fixed, column names).

The plan-file YAML stays the stored format: the form is filled from a parsed plan (``method_initial``) and
written back to plan-file text (``MethodForms.params``) that goes through the same parser as the advanced text
view, so both views mean exactly the same. Every generated line remembers the form field it came from, so a
parser or rule problem is shown at that field, in Chinese.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.forms import formset_factory

from fundflow.core.errors import Problem
from fundflow.core.money import fmt, percent
from fundflow.core.plan import (
    FactorMethod,
    FixedMethod,
    Plan,
    SettlementMethod,
    ShareComponent,
    StandardComponent,
    StandardShareMethod,
)
from fundflow.io.plan_writer import q

LIST_SEPARATORS = re.compile(r"[、,，;；\n]")
_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?%?")


def _text(label: str, size: int = 14, help_text: str = "", required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=255,
        help_text=help_text,
        widget=forms.TextInput(attrs={"size": size}),
    )


class RowForm(forms.Form):
    """A row of a parameter table: each input is labelled with its table, row and column for screen readers
    (and for tests), e.g. “因素第 2 行 权重”; the spare row's number is filled in by plan_form.js."""

    section = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        index = (self.prefix or "").rsplit("-", 1)[-1]
        number = str(int(index) + 1) if index.isdigit() else "__num__"
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = f"{self.section}第 {number} 行 {field.label}"


class FactorForm(RowForm):
    section = "因素"
    name = _text("因素名称", 18)
    weight = _text("权重", 6, "如 50% 或 0.5")
    counts = _text("数据列", 24, "参与计算的人数列，多列用“、”分隔")
    count_label = _text("合计列名称", 14, "多列时表上合计列的名称，可空")
    amount_label = _text("金额列名称", 10, "空为“补助资金”")


class ComponentForm(RowForm):
    section = "组成部分"
    name = _text("组成部分名称", 14)
    kind = forms.ChoiceField(
        label="类型",
        choices=[("standard", "定额标准×人数"), ("share", "资金池×比例")],
        initial="standard",
        required=False,
    )
    count = _text("人数列", 12)
    standard_yuan = _text("定额标准（元）", 8, "定额标准×人数时填写")
    pot_yuan = _text("资金池（元）", 10, "资金池×比例时填写")
    share_percent = _text("比例列", 10, "已给出比例（%）的列；空则按人数列计算比例")
    base = _text("比例基数", 8, "空为人数列合计")
    share_places = _text("比例保留小数位", 3, "空为 2")


class LabelForm(RowForm):
    section = "列名"
    key = _text("列", 16, "如 group、name、amount 或人数列名")
    label = _text("表上显示的名称", 24)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool((data.get("key") or "").strip()) != bool((data.get("label") or "").strip()):
            self.add_error("label" if data.get("key") else "key", "列与表上显示的名称应同时填写")
        return data


class ExtrasForm(forms.Form):
    advance_document = _text("预拨文件文号", 30, "结算时扣回据此注明，必填")
    standard_yuan = _text("人均补助标准（元）", 8, "按参保人数结算时填写")
    part = _text("金额列名称", 14, "空为“拨付资金”")
    groups = _text("分组顺序", 40, "各分组在表上的先后，用“、”分隔，可空")
    total_label = _text("合计行名称", 10, "空为“合计”")


FactorFormSet = formset_factory(FactorForm, extra=1)
ComponentFormSet = formset_factory(ComponentForm, extra=1)
LabelFormSet = formset_factory(LabelForm, extra=1)

SECTIONS = {"factor": "因素", "component": "组成部分", "label": "列名"}


@dataclasses.dataclass(frozen=True)
class Where:
    """A problem's place in the form (``因素 第 2 行 “权重”``), shown like a Location in the problems table."""

    text: str

    def describe(self) -> str:
        return self.text


@dataclasses.dataclass(frozen=True)
class Line:
    """What one generated parameter line came from: a section, its row (0-based) and field, or a plain field."""

    section: str | None  # formset prefix, or None for the extras form
    index: int | None
    field: str | None
    value_column: int  # 1-based column where the value starts (problems left of it concern the whole row)


def _split(text: str) -> list[str]:
    return [part.strip() for part in LIST_SEPARATORS.split(text) if part.strip()]


def _scalar(text: str) -> str:
    """A number stays a plain YAML number; everything else is quoted when it needs to be."""
    text = text.strip()
    return text if _NUMBER.fullmatch(text) else q(text)


def _blank(data: dict[str, Any], ignore: Iterable[str] = ()) -> bool:
    return not any(str(v or "").strip() for k, v in data.items() if k not in ignore)


class MethodForms:
    """The four method forms of one page, bound to a POST or filled from a plan."""

    def __init__(self, data: Any = None, initial: dict[str, Any] | None = None) -> None:
        initial = initial or {}
        self.factors = FactorFormSet(data, initial=initial.get("factors"), prefix="factor")
        self.components = ComponentFormSet(data, initial=initial.get("components"), prefix="component")
        self.labels = LabelFormSet(data, initial=initial.get("labels"), prefix="label")
        self.extras = ExtrasForm(data, initial=initial.get("extras"), prefix="extra")

    def is_valid(self) -> bool:
        parts = (self.factors, self.components, self.labels, self.extras)
        valid = [part.is_valid() for part in parts]  # every part validated, so every error is shown
        return all(valid)

    def params(self, method: str) -> tuple[str, list[Line]]:
        """The method's parameters as plan-file text, with the origin of each line (index = line number - 1)."""
        out: list[str] = []
        where: list[Line] = []

        def add(text: str, section: str | None, index: int | None, field: str | None, value_column: int) -> None:
            out.append(text)
            where.append(Line(section, index, field, value_column))

        def entry(section: str, index: int, pairs: list[tuple[str, str]]) -> None:
            for n, (key, value) in enumerate(pairs):
                lead = "  - " if n == 0 else "    "
                add(f"{lead}{key}: {value}", section, index, key, len(lead) + len(key) + 3)

        if method == "factor":
            add("factors:", "factor", None, None, 1)
            for i, f in enumerate(self._rows(self.factors)):
                pairs = [(k, q(f[k].strip())) for k in ("name",) if f.get(k, "").strip()]
                if f.get("weight", "").strip():
                    pairs.append(("weight", _scalar(f["weight"])))
                if f.get("counts", "").strip():
                    pairs.append(("counts", "[" + ", ".join(q(c) for c in _split(f["counts"])) + "]"))
                pairs += [(k, q(f[k].strip())) for k in ("count_label", "amount_label") if f.get(k, "").strip()]
                entry("factor", i, pairs or [("name", '""')])
        elif method == "standard_share":
            add("components:", "component", None, None, 1)
            for i, c in enumerate(self._rows(self.components)):
                kind = c.get("kind") or "standard"
                keys = ("count", "standard_yuan") if kind == "standard" else ("pot_yuan", "share_percent", "count")
                pairs = [("name", q(c.get("name", "").strip())), ("kind", kind)]
                numeric = ("standard_yuan", "pot_yuan", "base", "share_places")
                if kind == "share":
                    keys = (*keys, "base", "share_places")
                for k in keys:
                    if c.get(k, "").strip():
                        pairs.append((k, _scalar(c[k]) if k in numeric else q(c[k].strip())))
                entry("component", i, pairs)
        extras = self.extras.cleaned_data
        fields = {"settlement": ("advance_document", "standard_yuan"), "fixed": ("part",)}.get(method, ())
        for key in (*fields, "total_label"):
            if (extras.get(key) or "").strip():
                value = _scalar(extras[key]) if key == "standard_yuan" else q(extras[key].strip())
                add(f"{key}: {value}", None, None, key, len(key) + 3)
        if (extras.get("groups") or "").strip():
            add("groups: [" + ", ".join(q(g) for g in _split(extras["groups"])) + "]", None, None, "groups", 9)
        labels = self._rows(self.labels)
        if labels:
            add("labels:", "label", None, None, 1)
            for i, row in enumerate(labels):
                key = q(row["key"].strip())
                add(f"  {key}: {q(row['label'].strip())}", "label", i, "label", len(key) + 5)
        return "\n".join(out) + "\n", where

    def _rows(self, formset: Any, ignore: Iterable[str] = ()) -> list[dict[str, Any]]:
        return [f.cleaned_data for f in self._filled(formset)]

    @staticmethod
    def _filled(formset: Any) -> list[forms.Form]:
        """Filled rows in order; rows left blank (the spare row; a component's type alone) are not parameters."""
        return [f for f in formset.forms if f.cleaned_data and not _blank(f.cleaned_data, ("kind",))]

    def place(self, problems: Iterable[Problem], lines: list[Line]) -> list[Any]:
        """Problems at parameter-text lines become problems at form fields (and errors on those fields).

        A problem at a row's value names the row and the field; at the row itself (e.g. a missing name), the
        row; at the table (e.g. weights not adding up to 100%), the table. Others are left as they are.
        """
        tables = {"factor": self.factors, "component": self.components, "label": self.labels}
        rows = {name: self._filled(t) for name, t in tables.items()}
        placed: list[Any] = []
        for p in problems:
            loc = p.location
            line = lines[loc.row - 1] if loc is not None and loc.row and 0 < loc.row <= len(lines) else None
            column = loc.column if loc is not None and isinstance(loc.column, int) else 0
            if line is None:
                placed.append(p)
            elif line.section is None:
                self.extras.add_error(line.field, p.message)
                placed.append(_at(str(self.extras.fields[line.field or ""].label), p))
            elif line.index is None or column <= 3:
                placed.append(_at(f"{SECTIONS[line.section]}表", p))
            else:
                form = rows[line.section][line.index]
                where = f"{SECTIONS[line.section]} 第 {line.index + 1} 行"
                if column >= line.value_column and line.field in form.fields:
                    form.add_error(line.field, p.message)
                    where += f" “{form.fields[line.field or ''].label}”"
                placed.append(_at(where, p))
        return placed


def _at(where: str, problem: Problem) -> Any:
    return dataclasses.replace(problem, location=Where(where))  # type: ignore[arg-type]


def method_initial(plan: Plan) -> dict[str, Any]:
    """Form data for a parsed plan: rebuilding the text from it gives the same plan (tests/web/test_method_form)."""
    method = plan.method
    data: dict[str, Any] = {
        "factors": [],
        "components": [],
        "labels": [{"key": k, "label": v} for k, v in plan.labels.items()],
        "extras": {
            "groups": "、".join(plan.groups),
            "total_label": plan.total_label if plan.total_label != "合计" else "",
        },
    }
    if isinstance(method, FactorMethod):
        data["factors"] = [
            {
                "name": f.name,
                "weight": percent(f.weight),
                "counts": "、".join(f.counts),
                "count_label": f.count_label or "",
                "amount_label": f.amount_label if f.amount_label != "补助资金" else "",
            }
            for f in method.factors
        ]
    elif isinstance(method, StandardShareMethod):
        data["components"] = [_component(c) for c in method.components]
    elif isinstance(method, SettlementMethod):
        data["extras"]["advance_document"] = method.advance_document
        data["extras"]["standard_yuan"] = fmt(method.standard_yuan) if method.standard_yuan is not None else ""
    elif isinstance(method, FixedMethod):
        data["extras"]["part"] = method.part if method.part != "拨付资金" else ""
    return data


def _component(c: StandardComponent | ShareComponent) -> dict[str, str]:
    if isinstance(c, StandardComponent):
        return {"name": c.name, "kind": "standard", "count": c.count, "standard_yuan": fmt(c.standard_yuan)}
    return {
        "name": c.name,
        "kind": "share",
        "count": c.count or "",
        "pot_yuan": fmt(c.pot_yuan),
        "share_percent": c.share_percent or "",
        "base": fmt(c.base) if c.base is not None else "",
        "share_places": str(c.share_places),
    }


def merged_initial(plan: Plan, samples: Iterable[Plan]) -> dict[str, Any]:
    """The plan's own method filled from the plan; the other methods' sections from their samples, so that
    choosing another method in the page shows a starting point for it."""
    data = method_initial(plan)
    for sample in samples:
        if sample.method_kind == plan.method_kind:
            continue
        other = method_initial(sample)
        data["factors"] = data["factors"] or other["factors"]
        data["components"] = data["components"] or other["components"]
        for key in ("advance_document", "standard_yuan", "part"):
            data["extras"].setdefault(key, other["extras"].get(key, ""))
    return data
