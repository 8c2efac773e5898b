"""The per-method parameter form (因素、组成部分、结算、定额下达) with Chinese labels: it round-trips every example
plan, saves through the same parser as the text view, and shows problems at the form field."""

import dataclasses
from decimal import Decimal as D

import pytest
from django.test import Client

from fundflow.allocations.method_form import MethodForms, method_initial
from fundflow.allocations.services import parse_spec
from fundflow.allocations.spec_form import Common, join_spec
from fundflow.core.plan import FactorMethod, StandardShareMethod
from fundflow.io.plan_yaml import load_plan
from tests.conftest import EXAMPLES
from tests.web.test_pages import _form

# Allocation plans only (the examples folder also holds budget-disclosure files).
EXAMPLE_FILES = sorted(p for p in EXAMPLES.glob("*.yaml") if "\nmethod:" in p.read_text(encoding="utf-8"))
PREFIXES = {"factors": "factor", "components": "component", "labels": "label"}


def as_post(initial, **common):
    """What the browser posts for form data ``initial`` (formsets with their management forms)."""
    data = {"editor": "form", **common}
    for key, prefix in PREFIXES.items():
        rows = initial[key]
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows) + 1)  # and the spare blank row, as the page has
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        for i, row in enumerate(rows):
            data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    data.update({f"extra-{k}": v for k, v in initial["extras"].items()})
    return data


def without_locations(value):
    """Plan parameters for comparison: where a value was written is not what it means."""
    if isinstance(value, tuple):
        return tuple(without_locations(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: without_locations(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for name in ("location", "source", "cell_locations"):
            if name in changes:
                changes[name] = None
        return dataclasses.replace(value, **changes)
    return value


def parameters(plan):
    return without_locations(dataclasses.replace(plan, recipients=(), adjustments=(), location={}))


def common_of(plan):
    return Common(
        title=plan.title,
        fund=plan.fund,
        year=plan.year,
        unit=plan.unit.value,
        total=plan.total,
        method=plan.method_kind.value,
        places=plan.rounding.places,
        mode=plan.rounding.mode.value,
        apportion=plan.apportion.value,
    )


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=[p.stem for p in EXAMPLE_FILES])
def test_every_example_round_trips_through_the_form(path):
    plan = load_plan(path)
    forms = MethodForms(as_post(method_initial(plan)))
    assert forms.is_valid()
    params, lines = forms.params(plan.method_kind.value)
    assert len(lines) == params.count("\n")
    rebuilt, _ = join_spec(common_of(plan), params)
    assert parameters(parse_spec(rebuilt)) == parameters(plan)


def test_the_examples_cover_every_method():
    assert {load_plan(p).method_kind.value for p in EXAMPLE_FILES} == {
        "factor",
        "standard_share",
        "settlement",
        "fixed",
    }


@pytest.fixture
def tacheng(users):
    client = Client()
    client.force_login(users["tacheng"])
    return client


def factor_post(**overrides):
    common = {k: v for k, v in _form().items() if k != "params"}
    initial = {
        "factors": [
            {"name": "困难群众人数因素", "weight": "60%", "counts": "低保对象人数"},
            {
                "name": "特困、孤儿因素",
                "weight": "0.4",
                "counts": "特困人员人数、孤儿人数",
                "count_label": "特困孤儿合计",
            },
        ],
        "components": [],
        "labels": [{"key": "group", "label": "地州市名称"}],
        "extras": {"groups": "", "total_label": ""},
    }
    data = as_post(initial, **common)
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_a_factor_plan_is_created_from_the_chinese_form(tacheng):
    from fundflow.allocations.models import AllocationPlan

    response = tacheng.post("/allocations/new/", factor_post())
    assert response.status_code == 302
    plan = AllocationPlan.objects.get(title="2025年测试资金分配表")
    spec = parse_spec(plan.spec_yaml)
    assert isinstance(spec.method, FactorMethod)
    assert [(f.name, f.weight, f.counts, f.count_label) for f in spec.method.factors] == [
        ("困难群众人数因素", D("0.6"), ("低保对象人数",), None),
        ("特困、孤儿因素", D("0.4"), ("特困人员人数", "孤儿人数"), "特困孤儿合计"),
    ]
    assert spec.labels == {"group": "地州市名称"}
    assert "\n    weight: 60%\n" in plan.spec_yaml  # the stored format stays the plan file


@pytest.mark.django_db
def test_form_problems_point_at_the_field_in_chinese(tacheng):
    from fundflow.allocations.models import AllocationPlan

    page = tacheng.post("/allocations/new/", factor_post(**{"factor-1-weight": "五成"})).content.decode()
    assert "因素 第 2 行 “权重”" in page
    assert "权重“五成”无效" in page
    # The error is also shown at the input itself: right after the weight field of row 2.
    field = page.index('name="factor-1-weight"')
    assert page.index("权重“五成”无效", field) - field < 300
    page = tacheng.post("/allocations/new/", factor_post(**{"factor-1-weight": "50%"})).content.decode()
    assert "各因素权重之和应为 100%，实为 110%" in page
    assert "因素表" in page
    assert not AllocationPlan.objects.exists()


@pytest.mark.django_db
def test_label_rows_need_both_columns(tacheng):
    page = tacheng.post("/allocations/new/", factor_post(**{"label-0-label": ""})).content.decode()
    assert "列与表上显示的名称应同时填写" in page


@pytest.mark.django_db
def test_standard_share_settlement_and_fixed_from_the_form(tacheng):
    from fundflow.allocations.models import AllocationPlan

    common = {k: v for k, v in _form().items() if k not in ("params", "title", "method", "places", "total")}
    components = [
        {"name": "资助参保", "kind": "standard", "count": "资助人数", "standard_yuan": "2000"},
        {"name": "就医救助", "kind": "share", "pot_yuan": "3000000", "share_percent": "救助比例"},
    ]
    cases = {
        "standard_share": {"components": components, "extras": {}},
        "settlement": {"components": [], "extras": {"advance_document": "塔地财社〔2025〕1号", "standard_yuan": "30"}},
        "fixed": {"components": [], "extras": {"part": "提前下达资金"}},
    }
    for method, given in cases.items():
        data = as_post({"factors": [], "labels": [], **given}, **common, title=method, method=method, places="2")
        response = tacheng.post("/allocations/new/", data)
        assert response.status_code == 302, response.content.decode()
    parsed = {m: parse_spec(AllocationPlan.objects.get(title=m).spec_yaml) for m in cases}
    share = parsed["standard_share"].method
    assert isinstance(share, StandardShareMethod)
    assert [(c.name, type(c).__name__) for c in share.components] == [
        ("资助参保", "StandardComponent"),
        ("就医救助", "ShareComponent"),
    ]
    assert (share.components[0].standard_yuan, share.components[1].pot_yuan) == (D(2000), D(3000000))
    assert share.components[1].share_percent == "救助比例"
    assert (parsed["settlement"].method.advance_document, parsed["settlement"].method.standard_yuan) == (
        "塔地财社〔2025〕1号",
        D(30),
    )
    assert parsed["fixed"].method.part == "提前下达资金"


@pytest.mark.django_db
def test_edit_page_fills_the_form_and_saving_it_unchanged_keeps_the_parameters(tacheng, plans):
    plan = plans["tacheng"]
    page = tacheng.get(f"/allocations/{plan.pk}/edit/").content.decode()
    assert 'name="factor-0-name" value="困难群众人数因素"' in page
    assert 'aria-label="因素第 1 行 权重"' in page
    assert 'value="特困人员人数、孤儿人数"' in page
    assert "高级（分配参数文本）" in page
    before = parse_spec(plan.spec_yaml)
    common = {k: v for k, v in _form().items() if k not in ("params", "title", "total", "fund")}
    data = as_post(method_initial(before), **common, title=before.title, fund=before.fund, total="100")
    response = tacheng.post(f"/allocations/{plan.pk}/edit/", {**data, "version": plan.version})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert parameters(parse_spec(plan.spec_yaml)) == parameters(before)


@pytest.mark.django_db
def test_form_values_cannot_smuggle_keys_into_the_text(tacheng):
    """Whatever is typed into a field is one quoted value, never a new line of YAML."""
    from fundflow.allocations.models import AllocationPlan

    sneaky = "甲\nrecipients_file: /etc/passwd.csv"
    response = tacheng.post("/allocations/new/", factor_post(**{"factor-0-name": sneaky}))
    assert response.status_code == 302
    spec = parse_spec(AllocationPlan.objects.get().spec_yaml)
    assert spec.method.factors[0].name == sneaky
