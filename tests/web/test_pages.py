"""The allocation workflow through the pages (Django test client); the browser tests cover the same in Chromium."""

from decimal import Decimal as D

import pytest
from django.test import Client

from tests.web.conftest import GOOD_ROWS, rows_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def tacheng(users):
    client = Client()
    client.force_login(users["tacheng"])
    return client


def upload(client, plan, content, name="r.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        f"/allocations/{plan.pk}/upload/", {"version": plan.version, "file": SimpleUploadedFile(name, content)}
    )


def test_detail_shows_the_table_as_printed(tacheng, plans):
    page = tacheng.get(f"/allocations/{plans['tacheng'].pk}/").content.decode()
    assert "困难群众人数因素 (50%)" in page
    assert '<tr class="total">' in page
    assert '<tr class="subtotal">' in page
    assert page.index('class="total"') < page.index('class="subtotal"')
    assert "单位：万元" in page


def test_bad_upload_shows_each_problem_at_its_row_and_saves_nothing(tacheng, plans):
    plan = plans["tacheng"]
    bad = rows_csv([("塔城地区", "额敏县", 6580, 107, 25), ("塔城地区", "托里县", "abc", 173, 40)])
    response = upload(tacheng, plan, bad, "bad.csv")
    assert response.status_code == 400
    page = response.content.decode()
    assert "未导入任何数据" in page
    assert "文件 bad.csv 第 3 行 “低保对象人数（第 3 列）”列" in page
    assert "应为数字，实为“abc”" in page
    assert plan.recipients.count() == 3


def test_upload_of_a_non_excel_file_is_refused(tacheng, plans):
    response = upload(tacheng, plans["tacheng"], b"PK\x03\x04 broken", "r.xlsx")
    assert response.status_code == 400
    assert "无法作为 Excel 文件读取" in response.content.decode()


def test_same_file_twice_reports_no_change(tacheng, plans):
    response = upload(tacheng, plans["tacheng"], rows_csv(GOOD_ROWS))
    assert response.status_code == 302
    page = tacheng.get(response["Location"]).content.decode()
    assert "完全相同，未作任何修改" in page


def test_template_round_trip(tacheng, plans):
    from io import BytesIO

    from openpyxl import load_workbook

    plan = plans["tacheng"]
    sheet = load_workbook(BytesIO(tacheng.get(f"/allocations/{plan.pk}/template.xlsx").content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["分组", "名称", "低保对象人数", "特困人员人数", "孤儿人数", "备注"]
    assert rows[1] == ["塔城地区", "额敏县", 6580, 107, 25, None]


def test_edit_compute_export_and_explain(tacheng, plans):
    plan = plans["tacheng"]
    row = plan.recipients.get(name="裕民县")
    response = tacheng.post(
        f"/allocations/{plan.pk}/inputs/", {"version": plan.version, f"cell:{row.pk}:低保对象人数": "3000"}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.result_json is None
    tacheng.post(f"/allocations/{plan.pk}/compute/", {"version": plan.version})
    plan.refresh_from_db()
    assert plan.result_json["total"] == "100"
    yumin = next(ln for ln in plan.result_json["lines"] if ln["recipient"] == "裕民县")
    # 困难群众: 50 × 3000 / (6580 + 4451 + 3000 = 14031) = 10.69… → 11
    assert yumin["parts"]["困难群众人数因素"] == "11"
    export = tacheng.get(f"/allocations/{plan.pk}/export.xlsx")
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(export.content)).active
    assert sheet["A5"].value == "合计"
    assert D(str(sheet.cell(5, sheet.max_column).value)) == D(100)
    explain = tacheng.get(f"/allocations/{plan.pk}/explain/", {"who": "裕民县"}).content.decode()
    assert "50 × 3000 ÷ 14031" in explain


def test_stale_page_save_is_refused_with_a_clear_message(tacheng, plans):
    plan = plans["tacheng"]
    stale = plan.version
    row = plan.recipients.get(name="额敏县")
    tacheng.post(f"/allocations/{plan.pk}/inputs/", {"version": stale, f"cell:{row.pk}:孤儿人数": "26"})
    response = tacheng.post(f"/allocations/{plan.pk}/inputs/", {"version": stale, f"cell:{row.pk}:孤儿人数": "99"})
    assert "已被他人修改" in response.content.decode()
    row.refresh_from_db()
    assert row.values["孤儿人数"] == "26"


def test_history_is_on_the_page_with_who_and_old_new(tacheng, plans):
    plan = plans["tacheng"]
    row = plan.recipients.get(name="额敏县")
    tacheng.post(f"/allocations/{plan.pk}/inputs/", {"version": plan.version, f"cell:{row.pk}:孤儿人数": "26"})
    page = tacheng.get(f"/allocations/{plan.pk}/").content.decode()
    history = page[page.index('id="history"') :]
    assert "u-tacheng" in history
    assert "分配对象 塔城地区 额敏县" in history
    change = next(line for line in history.split("<div>") if "孤儿人数 26" in line)
    assert "孤儿人数 25" in change.split("→")[0]
    assert "孤儿人数 26" in change.split("→")[1]


def test_api_compute_with_stale_version_is_409(users, plans):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(users["tacheng"])
    plan = plans["tacheng"]
    assert (
        client.post(f"/api/plans/{plan.pk}/compute/", {"version": plan.version - 1}, format="json").status_code == 409
    )
    ok = client.post(f"/api/plans/{plan.pk}/compute/", {"version": plan.version}, format="json")
    assert ok.status_code == 200
    assert ok.json()["total"] == "100"
    assert client.get(f"/api/plans/{plan.pk}/result/").json()["unit"] == "万元"


def test_a_recipient_can_be_entered_in_the_page(tacheng, plans):
    plan = plans["tacheng"]
    response = tacheng.post(
        f"/allocations/{plan.pk}/recipients/add/",
        {
            "version": plan.version,
            "group": "塔城地区",
            "name": "和布克赛尔蒙古自治县",
            "new:低保对象人数": "2548",
            "new:特困人员人数": "57",
            "new:孤儿人数": "22",
        },
    )
    assert response.status_code == 302
    row = plan.recipients.get(name="和布克赛尔蒙古自治县")
    assert row.values == {"低保对象人数": "2548", "特困人员人数": "57", "孤儿人数": "22"}
    assert row.region.code == "654226"
    assert row.position == 4


def test_a_bad_new_recipient_names_the_cell_and_saves_nothing(tacheng, plans):
    plan = plans["tacheng"]
    response = tacheng.post(
        f"/allocations/{plan.pk}/recipients/add/",
        {
            "version": plan.version,
            "group": "塔城地区",
            "name": "额敏县",
            "new:低保对象人数": "x",
            "new:特困人员人数": "",
            "new:孤儿人数": "1",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "应为数字，实为“x”" in page
    assert "新增行 “特困人员人数”列" in page
    assert "“额敏县”在同一分组中已存在" in page
    assert plan.recipients.count() == 3


def test_template_headers_use_printed_labels_and_are_accepted_back(users):
    from io import BytesIO

    from openpyxl import load_workbook

    from fundflow.allocations import services
    from tests.web.conftest import FACTOR_SPEC

    spec = FACTOR_SPEC.replace(
        "labels: {group: 地州市名称, name: 县市区名称}",
        "labels: {group: 地州市名称, name: 县市区名称, 低保对象人数: 2020年10月底低保对象人数(人)}",
    )
    plan = services.plan_create(user=users["tacheng"], spec_yaml=spec)
    client = Client()
    client.force_login(users["tacheng"])
    sheet = load_workbook(BytesIO(client.get(f"/allocations/{plan.pk}/template.xlsx").content)).active
    header = [c.value for c in sheet[1]]
    assert header == ["分组", "名称", "2020年10月底低保对象人数(人)", "特困人员人数", "孤儿人数", "备注"]
    content = ("分组,名称,2020年10月底低保对象人数(人),特困人员人数,孤儿人数\n塔城地区,额敏县,6580,107,25\n").encode()
    services.recipients_import(
        user=users["tacheng"], plan=plan, filename="r.csv", content=content, version=plan.version
    )
    assert plan.recipients.get().values["低保对象人数"] == "6580"


def test_settlement_upload_accepts_either_entitlement_or_insured(users):
    from fundflow.allocations import services

    spec = (
        "title: 结算\nyear: 2021\nunit: 万元\nmethod: settlement\nadvance_document: 塔地财社〔2021〕8号\n"
        "standard_yuan: 30\nrounding: {places: 2}\n"
    )
    plan = services.plan_create(user=users["tacheng"], spec_yaml=spec)
    content = "分组,名称,参保人数,核定应补助,已预拨\n塔城地区,额敏县,4875,,12\n塔城地区,托里县,,8.37,8\n".encode()
    services.recipients_import(
        user=users["tacheng"], plan=plan, filename="s.csv", content=content, version=plan.version
    )
    plan.refresh_from_db()
    result = services.plan_compute(user=users["tacheng"], plan=plan, version=plan.version)
    # 额敏县: 4875 × 30 = 146,250 元 = 14.625 → 14.63 万元; − 12 = 2.63.  托里县: 8.37 − 8 = 0.37
    assert [(ln.recipient, ln.amount) for ln in result.lines] == [("额敏县", D("2.63")), ("托里县", D("0.37"))]


def test_api_token_authentication(users, plans):
    from rest_framework.test import APIClient

    client = APIClient()
    response = client.post("/api/token/", {"username": "u-audit", "password": "test-pass-123"}, format="json")
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    ids = {p["id"] for p in client.get("/api/plans/").json()}
    assert ids == {plans[k].pk for k in ("tacheng", "emin", "toli", "fixed")}


def _form(**overrides):
    data = {
        "document_number": "塔地财社〔2025〕9号",
        "title": "2025年测试资金分配表",
        "fund": "测试资金",
        "year": "2025",
        "unit": "万元",
        "total": "100",
        "method": "factor",
        "places": "0",
        "mode": "half_up",
        "apportion": "hierarchical",
        "params": "factors:\n  - {name: 困难群众人数因素, weight: 50%, counts: [低保对象人数]}\n"
        "  - {name: 特困、孤儿因素, weight: 50%, counts: [特困人员人数, 孤儿人数]}\n",
    }
    data.update(overrides)
    return data


def test_new_plan_from_form_fields(tacheng):
    from fundflow.allocations.models import AllocationPlan

    response = tacheng.post("/allocations/new/", _form())
    assert response.status_code == 302
    plan = AllocationPlan.objects.get(title="2025年测试资金分配表")
    assert (plan.region.code, plan.year, plan.method, plan.document_number) == (
        "654200",
        2025,
        "factor",
        "塔地财社〔2025〕9号",
    )
    assert "total: 100" in plan.spec_yaml
    assert "rounding: {places: 0, mode: half_up}" in plan.spec_yaml


def test_parameter_errors_point_at_the_text_box_line(tacheng):
    params = "factors:\n  - {name: 甲, weight: 50%, counts: [a]}\n  - {name: 乙, weight: 60%, counts: [b]}\n"
    bad_weight = "factors:\n  - {name: 甲, weight: 五成, counts: [a]}\n"
    page = tacheng.post("/allocations/new/", _form(params=bad_weight)).content.decode()
    assert "分配参数文本 第 2 行" in page
    assert "权重“五成”无效" in page
    refused = tacheng.post("/allocations/new/", _form(params=params)).content.decode()
    assert "各因素权重之和应为 100%，实为 110%（甲 50% + 乙 60%）" in refused


def test_totals_are_checked_when_the_parameters_are_saved(tacheng):
    from fundflow.allocations.models import AllocationPlan

    for total, message in (
        ("-100", "资金总额应大于 0"),
        ("", "因素法必须给出资金总额"),
        ("100.123", "小数位多于保留位数"),
    ):
        page = tacheng.post("/allocations/new/", _form(total=total)).content.decode()
        assert message in page, total
    assert not AllocationPlan.objects.filter(title="2025年测试资金分配表").exists()


def test_common_keys_in_the_parameter_text_are_refused(tacheng):
    page = tacheng.post("/allocations/new/", _form(params="title: 另一个标题\n" + _form()["params"])).content.decode()
    assert "请在上方表单中填写" in page


def test_edit_form_round_trips_the_stored_parameters(tacheng, plans):
    plan = plans["tacheng"]
    page = tacheng.get(f"/allocations/{plan.pk}/edit/").content.decode()
    assert 'value="tacheng测试因素法分配表"' in page
    assert "困难群众人数因素" in page
    from fundflow.allocations.spec_form import join_spec, split_spec

    common, params = split_spec(plan.spec_yaml)
    assert "title:" not in params
    assert "factors:" in params
    assert "labels:" in params
    rebuilt, _ = join_spec(common, params)
    from fundflow.allocations.services import parse_spec

    assert parse_spec(rebuilt) == parse_spec(plan.spec_yaml)


def test_api_covers_the_whole_workflow(users):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    from tests.web.conftest import FACTOR_SPEC

    client = APIClient()
    client.force_authenticate(users["tacheng"])
    created = client.post("/api/plans/", {"spec_yaml": FACTOR_SPEC}, format="json").json()
    pk, version = created["id"], created["version"]
    assert (created["total"], created["total_yuan"]) == (None, None)
    bad = client.post(
        f"/api/plans/{pk}/upload/",
        {"file": SimpleUploadedFile("r.csv", rows_csv([("塔城地区", "额敏县", "x", 1, 1)])), "version": version},
        format="multipart",
    )
    assert bad.status_code == 400
    assert bad.json()["problems"][0]["where"] == "文件 r.csv 第 2 行 “低保对象人数（第 3 列）”列"
    ok = client.post(
        f"/api/plans/{pk}/upload/",
        {"file": SimpleUploadedFile("r.csv", rows_csv(GOOD_ROWS)), "version": version},
        format="multipart",
    )
    assert ok.json()["changed"] is True
    version = ok.json()["version"]
    spec = client.post(
        f"/api/plans/{pk}/spec/",
        {"spec_yaml": FACTOR_SPEC.replace("total: 100", "total: 200"), "version": version},
        format="json",
    )
    assert spec.status_code == 200
    version = spec.json()["version"]
    result = client.post(f"/api/plans/{pk}/compute/", {"version": version}, format="json").json()
    assert result["total"] == "200"
    plan = client.get(f"/api/plans/{pk}/").json()
    assert (plan["total"], plan["total_yuan"], plan["unit_label"]) == ("200", "2000000.00", "万元")
    approved = client.post(f"/api/plans/{pk}/approve/", {"version": plan["version"]}, format="json").json()
    assert approved["status"] == "approved"


def test_unauthenticated_api_is_401():
    assert Client().get("/api/plans/").status_code == 401


def test_upload_errors_name_the_users_file_not_a_temp_path(tacheng, plans):
    response = upload(tacheng, plans["tacheng"], b"not an excel file", "分配对象.xlsx")
    page = response.content.decode()
    assert "文件 分配对象.xlsx" in page
    assert "/tmp/" not in page


def test_a_recipient_unit_sees_only_its_own_line(users):
    from io import BytesIO

    from openpyxl import load_workbook
    from rest_framework.test import APIClient

    from fundflow.allocations import services

    spec = "title: 两单位定额\nyear: 2023\nunit: 万元\nmethod: fixed\nrounding: {places: 2}\n"
    plan = services.plan_create(user=users["tacheng"], spec_yaml=spec)
    content = "名称,金额\n塔城地区医疗保障局,48.5\n额敏县,30\n".encode()
    services.recipients_import(user=users["tacheng"], plan=plan, filename="r.csv", content=content, version=1)
    plan.refresh_from_db()
    services.plan_compute(user=users["tacheng"], plan=plan, version=plan.version)
    yibao = Client()
    yibao.force_login(users["yibao"])
    page = yibao.get(f"/allocations/{plan.pk}/").content.decode()
    table = page[page.index('id="result"') : page.index("</table>", page.index('id="result"'))]
    assert "塔城地区医疗保障局" in table
    assert "额敏县" not in table
    assert "78.50" not in page  # the plan total would reveal the other line
    assert yibao.get(f"/allocations/{plan.pk}/explain/", {"who": "额敏县"}).status_code == 404
    assert yibao.get(f"/allocations/{plan.pk}/explain/", {"who": "塔城地区医疗保障局"}).status_code == 200
    sheet = load_workbook(BytesIO(yibao.get(f"/allocations/{plan.pk}/export.xlsx").content)).active
    names = [c.value for c in sheet["A"] if c.value]
    assert "塔城地区医疗保障局" in names
    assert "额敏县" not in names
    api = APIClient()
    api.force_authenticate(users["yibao"])
    result = api.get(f"/api/plans/{plan.pk}/result/").json()
    assert [(ln["recipient"], ln["amount"]) for ln in result["lines"]] == [("塔城地区医疗保障局", "48.50")]
    assert result["total"] == "48.50"
    detail = api.get(f"/api/plans/{plan.pk}/").json()
    assert (detail["total"], detail["total_yuan"]) == ("48.50", None)
    tacheng = APIClient()
    tacheng.force_authenticate(users["tacheng"])
    assert tacheng.get(f"/api/plans/{plan.pk}/result/").json()["total"] == "78.50"


def test_a_plan_saved_with_parameters_now_refused_opens_with_a_message_not_a_500(users, plans):
    """A plan saved before row keys were refused however spelled (``recipients :``) still opens; the edit page
    shows the stored text in the advanced view with what to remove, and saving the corrected text repairs it."""
    from fundflow.allocations.models import AllocationPlan

    plan = plans["tacheng"]
    stored = plan.spec_yaml + "recipients :\n  - {name: 额敏县, 低保对象人数: 1}\n"
    AllocationPlan.objects.filter(pk=plan.pk).update(spec_yaml=stored)  # as an old version saved it
    staff = Client(raise_request_exception=False)
    staff.force_login(users["tacheng"])
    page = staff.get(f"/allocations/{plan.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "分配参数不符合当前规则，请在“修改参数”中更正" in text
    assert "分配参数中不应包含“recipients”" in text
    assert 'id="adjustments-form"' not in text  # nothing can be entered against parameters that do not parse
    assert "额敏县" in text  # the recipients are still listed
    edit = staff.get(f"/allocations/{plan.pk}/edit/")
    assert edit.status_code == 200
    form = edit.context["form"]
    assert form.initial["editor"] == "text"
    assert form.initial["title"] == plan.title
    assert "recipients :" in form.initial["params"]
    assert "title:" not in form.initial["params"]
    problems = edit.context["problems"]
    # At the text box's own line: factors (3 lines) and labels come first.
    assert [(p.rule, p.location.row) for p in problems] == [("plan.forbidden-key", 5)]
    assert form.initial["params"].splitlines()[4] == "recipients :"
    for url in ("template.xlsx", "export.xlsx"):
        response = staff.get(f"/allocations/{plan.pk}/{url}", follow=True)
        assert "分配参数不符合当前规则" in response.content.decode(), url
    assert staff.get(f"/allocations/{plan.pk}/explain/", {"who": "合计"}).status_code == 404
    assert staff.post(f"/allocations/{plan.pk}/adjustments/", {"version": plan.version}).status_code == 400
    audit = Client(raise_request_exception=False)
    audit.force_login(users["audit"])
    assert audit.get(f"/allocations/{plan.pk}/").status_code == 200
    from rest_framework.test import APIClient

    api = APIClient(raise_request_exception=False)
    api.force_authenticate(users["tacheng"])
    assert api.get(f"/api/plans/{plan.pk}/adjustments/").status_code == 200
    # Saving the text without the refused entry repairs the plan.
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["params"] = form.initial["params"].split("recipients :")[0]
    data["total"] = str(form.initial["total"])
    response = staff.post(f"/allocations/{plan.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()
    plan.refresh_from_db()
    assert "recipients" not in plan.spec_yaml
    assert "分配参数不符合当前规则" not in staff.get(f"/allocations/{plan.pk}/").content.decode()
