"""Text a spreadsheet could run as a formula (=HYPERLINK(…), =cmd|…, +…, -…, @…) is refused on every way in,
and nothing is saved; what was stored before is untouched."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from tests.web.conftest import FACTOR_SPEC, GOOD_ROWS

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x","y")'
DDE = "=cmd|' /C calc'!A0"
REFUSED = "在 Excel 等电子表格软件中可能被当作公式执行"


@pytest.fixture
def tacheng(users):
    client = Client()
    client.force_login(users["tacheng"])
    return client


@pytest.fixture
def api(users):
    client = APIClient()
    client.force_authenticate(users["tacheng"])
    return client


def csv_with(group="塔城地区", name="额敏县", note=""):
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["分组", "名称", "低保对象人数", "特困人员人数", "孤儿人数", "备注"])
    writer.writerow([group, name, 6580, 107, 25, note])
    writer.writerows([(*r, "") for r in GOOD_ROWS[1:]])
    return out.getvalue().encode("utf-8")


def xlsx_with(name):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["分组", "名称", "低保对象人数", "特困人员人数", "孤儿人数", "备注"])
    ws.append(["塔城地区", "额敏县", 6580, 107, 25, ""])
    ws.append(["塔城地区", "托里县", 4451, 173, 40, ""])
    ws["B3"].value = name
    ws["B3"].data_type = "s"  # typed as text (with a leading apostrophe in Excel), not a formula
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def unchanged(plan):
    before = (plan.version, sorted(plan.recipients.values_list("group", "name", "note")))

    def check():
        plan.refresh_from_db()
        assert (plan.version, sorted(plan.recipients.values_list("group", "name", "note"))) == before

    return check


@pytest.mark.parametrize(
    ("field", "text"),
    [("name", HYPERLINK), ("name", DDE), ("group", "+塔城地区"), ("note", "@SUM(A1:A9)"), ("note", "-1+1")],
)
def test_upload_with_a_formula_like_text_is_refused_at_its_cell(field, text, tacheng, plans):
    plan = plans["tacheng"]
    check = unchanged(plan)
    content = csv_with(**{field: text})
    response = tacheng.post(
        f"/allocations/{plan.pk}/upload/", {"version": plan.version, "file": SimpleUploadedFile("r.csv", content)}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "未导入任何数据" in page
    assert REFUSED in page
    column = {"group": "分组（第 1 列）", "name": "名称（第 2 列）", "note": "备注（第 6 列）"}[field]
    assert column in page
    assert "第 2 行" in page
    check()


def test_xlsx_upload_with_a_text_cell_beginning_with_equals_is_refused(tacheng, plans):
    plan = plans["tacheng"]
    check = unchanged(plan)
    response = tacheng.post(
        f"/allocations/{plan.pk}/upload/",
        {"version": plan.version, "file": SimpleUploadedFile("r.xlsx", xlsx_with(DDE))},
    )
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    check()


@pytest.mark.parametrize(("group", "name"), [("塔城地区", HYPERLINK), ("=1+1", "和布克赛尔蒙古自治县")])
def test_add_recipient_form_refuses_formula_like_group_or_name(group, name, tacheng, plans):
    plan = plans["tacheng"]
    check = unchanged(plan)
    response = tacheng.post(
        f"/allocations/{plan.pk}/recipients/add/",
        {"version": plan.version, "group": group, "name": name, "new:低保对象人数": "1", "new:特困人员人数": "1",
         "new:孤儿人数": "1"},
    )  # fmt: skip
    assert response.status_code == 400
    page = response.content.decode()
    assert REFUSED in page
    assert "未保存" in page
    check()


def test_in_page_edits_accept_numbers_only(tacheng, plans):
    plan = plans["tacheng"]
    check = unchanged(plan)
    row = plan.recipients.first()
    response = tacheng.post(
        f"/allocations/{plan.pk}/inputs/", {"version": plan.version, f"cell:{row.pk}:低保对象人数": "=1+1"}
    )
    assert response.status_code == 400
    assert "应为数字" in response.content.decode()
    check()


def test_api_upload_refuses_with_the_rule_id(api, plans):
    plan = plans["tacheng"]
    check = unchanged(plan)
    response = api.post(
        f"/api/plans/{plan.pk}/upload/",
        {"version": plan.version, "file": SimpleUploadedFile("r.csv", csv_with(note=DDE))},
        format="multipart",
    )
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert [p["rule"] for p in problems] == ["input.formula-text"]
    assert DDE in problems[0]["message"]
    check()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("title: 测试因素法分配表", f"title: '{HYPERLINK}'"),
        ("fund: 测试资金", "fund: '@资金'"),
        ("{name: 困难群众人数因素,", "{name: '=1+1',"),
        ("labels: {group: 地州市名称,", "labels: {group: '-地州市',"),
    ],
)
def test_api_spec_refuses_formula_like_parameter_texts(old, new, api, plans):
    from fundflow.allocations.models import AllocationPlan

    count = AllocationPlan.objects.count()
    spec = FACTOR_SPEC.replace(old, new)
    assert spec != FACTOR_SPEC
    created = api.post("/api/plans/", {"spec_yaml": spec}, format="json")
    assert created.status_code == 400
    assert {p["rule"] for p in created.json()["problems"]} == {"plan.formula-text"}
    assert AllocationPlan.objects.count() == count
    plan = plans["tacheng"]
    check = unchanged(plan)
    updated = api.post(f"/api/plans/{plan.pk}/spec/", {"spec_yaml": spec, "version": plan.version}, format="json")
    assert updated.status_code == 400
    check()


def test_new_plan_page_refuses_a_formula_like_title_and_document_number(tacheng):
    from fundflow.allocations.models import AllocationPlan
    from tests.web.test_pages import _form

    for field, text in (("title", HYPERLINK), ("document_number", "@文号")):
        page = tacheng.post("/allocations/new/", _form(**{field: text})).content.decode()
        assert REFUSED in page, field
    assert not AllocationPlan.objects.exists()


# ------------------------------------------------------------------ budgets


def budget_text(unit_name, replace=("", "")):
    from tests.conftest import EXAMPLES

    text = (EXAMPLES / "akto-2021-medical-security-budget.yaml").read_text(encoding="utf-8")
    text = text.replace("unit: 阿克陶县医疗保障局", f"unit: {unit_name}")
    assert replace[0] in text
    return text.replace(*replace)


def test_budget_import_and_page_edit_refuse_formula_like_texts(users):
    from fundflow.disclosure.models import BudgetRecord
    from fundflow.regions.models import BudgetUnit

    unit = BudgetUnit.objects.get(code="654200-YB")
    client = Client()
    client.force_login(users["yibao"])
    text = budget_text(unit.name)
    first_function = next(ln for ln in text.splitlines() if ln.startswith("  - （一）"))
    bad = text.replace(first_function, f"  - '{HYPERLINK}'", 1)
    response = client.post(
        "/disclosure/import/", {"unit": unit.pk, "file": SimpleUploadedFile("b.yaml", bad.encode("utf-8"))}
    )
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert not BudgetRecord.objects.exists()
    ok = client.post(
        "/disclosure/import/", {"unit": unit.pk, "file": SimpleUploadedFile("b.yaml", text.encode("utf-8"))}
    )
    assert ok.status_code == 302
    budget = BudgetRecord.objects.get(unit=unit)
    edit = client.post(f"/disclosure/{budget.pk}/edit/", {"budget_yaml": bad, "version": budget.version})
    assert edit.status_code == 400
    assert REFUSED in edit.content.decode()
    budget.refresh_from_db()
    assert HYPERLINK not in budget.budget_yaml
