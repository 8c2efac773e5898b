"""Every page and API endpoint, walked with every role against every region's plans.

Expected: a plan outside the user's scope is "not found" (404) everywhere — the same answer as a missing id,
so ids leak nothing; a plan in scope that the user may only read gives 200 on reads and 403 on writes;
lists and exports never contain another region's rows.
"""

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

VISIBLE = {
    "region": {"region", "tacheng", "altay", "emin", "toli", "fixed"},
    "tacheng": {"tacheng", "emin", "toli", "fixed"},
    "altay": {"altay"},
    "emin": {"emin"},
    "toli": {"toli"},
    "yibao": {"fixed"},
    "audit": {"tacheng", "emin", "toli", "fixed"},
}
CAN_CHANGE = {"region", "tacheng", "altay", "emin", "toli"}  # finance roles (within what they see)

READS = [
    "/allocations/{pk}/",
    "/allocations/{pk}/template.xlsx",
    "/allocations/{pk}/explain/?who=合计",
    "/api/plans/{pk}/",
    "/api/plans/{pk}/history/",
    "/api/plans/{pk}/adjustments/",
]
WRITES = [
    "/allocations/{pk}/compute/",
    "/allocations/{pk}/upload/",
    "/allocations/{pk}/inputs/",
    "/allocations/{pk}/approve/",
    "/allocations/{pk}/recipients/add/",
    "/allocations/{pk}/adjustments/",
    "/api/plans/{pk}/compute/",
    "/api/plans/{pk}/approve/",
    "/api/plans/{pk}/spec/",
    "/api/plans/{pk}/upload/",
    "/api/plans/{pk}/adjustments/",
]
EDIT_PAGE = "/allocations/{pk}/edit/"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_reads_of_every_plan(who, users, plans):
    client = client_for(users[who])
    for key, plan in plans.items():
        for url in READS:
            status = client.get(url.format(pk=plan.pk)).status_code
            expected = 200 if key in VISIBLE[who] else 404
            if "explain" in url and who == "yibao":
                expected = 404  # a recipient unit sees only its own lines, never the total
            assert status == expected, (who, key, url, status)


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_writes_to_every_plan(who, users, plans):
    client = client_for(users[who])
    for key, plan in plans.items():
        for url in [*WRITES, EDIT_PAGE]:
            data = {"version": plan.version}
            response = client.post(url.format(pk=plan.pk), data)
            if key not in VISIBLE[who]:
                expected = {404}
            elif who not in CAN_CHANGE:
                expected = {403}
            else:
                continue  # allowed writes are covered by the workflow tests
            assert response.status_code in expected, (who, key, url, response.status_code)


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_lists_show_only_what_is_in_scope(who, users, plans):
    client = client_for(users[who])
    page = client.get("/allocations/").content.decode()
    api = json.loads(client.get("/api/plans/").content)
    titles = {key: plan.title for key, plan in plans.items()}
    for key, title in titles.items():
        assert (title in page) == (key in VISIBLE[who]), (who, key)
    assert {p["id"] for p in api} == {plans[k].pk for k in VISIBLE[who]}


def test_missing_id_and_foreign_id_look_the_same(users, plans):
    client = client_for(users["emin"])
    foreign = client.get(f"/allocations/{plans['toli'].pk}/")
    missing = client.get("/allocations/999999/")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content


def test_adjustment_endpoints_answer_foreign_and_missing_ids_alike(users, plans):
    from rest_framework.test import APIClient

    page = client_for(users["emin"])
    api = APIClient()
    api.force_authenticate(users["emin"])
    foreign, missing = plans["toli"].pk, 999999
    for url in ("/allocations/{pk}/adjustments/", "/api/plans/{pk}/adjustments/"):
        answers = [page.post(url.format(pk=pk), {"version": 1}) for pk in (foreign, missing)]
        assert [a.status_code for a in answers] == [404, 404], url
        assert answers[0].content == answers[1].content, url
    answers = [api.get(f"/api/plans/{pk}/adjustments/") for pk in (foreign, missing)]
    assert [a.status_code for a in answers] == [404, 404]
    assert answers[0].content == answers[1].content
    assert plans["toli"].adjustments.count() == 0


def test_only_finance_roles_may_open_the_new_plan_form(users):
    for who in VISIBLE:
        status = client_for(users[who]).get("/allocations/new/").status_code
        assert status == (200 if who in CAN_CHANGE else 403), who
    response = client_for(users["audit"]).post("/api/plans/", {"spec_yaml": "title: x"})
    assert response.status_code == 403


def test_anonymous_is_sent_to_login(plans):
    client = Client()
    response = client.get(f"/allocations/{plans['tacheng'].pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert client.get("/api/plans/").status_code in (401, 403)


def test_approved_plan_is_read_only_for_everyone(users, plans):
    from fundflow.allocations import services

    plan = plans["tacheng"]
    services.plan_approve(user=users["tacheng"], plan=plan, version=plan.version)
    plan.refresh_from_db()
    for who in ("tacheng", "region"):
        response = client_for(users[who]).post(f"/allocations/{plan.pk}/compute/", {"version": plan.version})
        assert response.status_code == 403, who


def test_schema_and_docs_are_served(users):
    client = client_for(users["audit"])
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/plans/{id}/result/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


# ------------------------------------------------------------------ what each download holds

OWN_UNIT = "塔城地区医疗保障局"  # the fixture unit user's unit (654200-YB)
SHARED_SPEC = "title: 两单位定额分配表\nyear: 2023\nunit: 万元\nmethod: fixed\nrounding: {places: 2}\n"
SHARED_ROWS = "名称,金额,备注\n塔城地区医疗保障局,48.5,本单位的备注\n额敏县,30.25,他人的备注\n"
SHARED_SEES = {"region", "tacheng", "audit", "yibao"}


@pytest.fixture
def shared(users):
    """A 塔城 plan paying the unit user's own unit and one other recipient (each with a note), computed."""
    from fundflow.allocations import services

    plan = services.plan_create(user=users["tacheng"], spec_yaml=SHARED_SPEC)
    services.recipients_import(
        user=users["tacheng"], plan=plan, filename="r.csv", content=SHARED_ROWS.encode(), version=plan.version
    )
    plan.refresh_from_db()
    services.plan_compute(user=users["tacheng"], plan=plan, version=plan.version)
    plan.refresh_from_db()
    return plan


def sheet_values(content):
    """Every non-empty cell of every sheet of a downloaded workbook, as it reads in Excel."""
    from io import BytesIO

    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(content))
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value not in (None, "")]


def _texts(values):
    return {str(v) for v in values}


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_every_download_of_every_plan_holds_only_the_lines_the_user_may_read(who, users, plans, shared):
    """Template, export, API result and history: all pass through the page's visibility rule."""
    from rest_framework.test import APIClient

    client = client_for(users[who])
    api = APIClient()
    api.force_authenticate(users[who])
    for key, plan in [*plans.items(), ("shared", shared)]:
        if not (who in SHARED_SEES if key == "shared" else key in VISIBLE[who]):
            continue
        names = {r.name for r in plan.recipients.all()}
        readable = {OWN_UNIT} if who == "yibao" else names
        template = _texts(sheet_values(client.get(f"/allocations/{plan.pk}/template.xlsx").content))
        export = _texts(sheet_values(client.get(f"/allocations/{plan.pk}/export.xlsx").content))
        result = api.get(f"/api/plans/{plan.pk}/result/").json()
        history = api.get(f"/api/plans/{plan.pk}/history/").json()
        assert names & template == readable, (who, key, "template")
        assert names & export == readable, (who, key, "export")
        assert {ln["recipient"] for ln in result["lines"]} == readable, (who, key, "result")
        assert {e["label"].split(" ")[-1] for e in history if e["object"] == "分配对象"} == readable, (who, key)


@pytest.mark.parametrize("who", sorted(SHARED_SEES))
def test_amounts_and_notes_of_other_recipients_never_reach_a_unit(who, users, shared):
    from rest_framework.test import APIClient

    client = client_for(users[who])
    api = APIClient()
    api.force_authenticate(users[who])
    template = sheet_values(client.get(f"/allocations/{shared.pk}/template.xlsx").content)
    export = sheet_values(client.get(f"/allocations/{shared.pk}/export.xlsx").content)
    result = api.get(f"/api/plans/{shared.pk}/result/").json()
    history = json.dumps(api.get(f"/api/plans/{shared.pk}/history/").json(), ensure_ascii=False)
    detail = api.get(f"/api/plans/{shared.pk}/").json()
    if who == "yibao":
        # The template keeps a non-whole amount as text so Excel cannot alter it.
        assert template == ["分组", "名称", "金额", "备注", OWN_UNIT, "48.5", "本单位的备注"]
        assert not {"额敏县", 30.25, 78.75} & set(export)
        assert 48.5 in export
        assert [(ln["recipient"], ln["amount"]) for ln in result["lines"]] == [(OWN_UNIT, "48.50")]
        assert result["total"] == "48.50"
        assert not [t for t in ("他人的备注", "30.25", "额敏县", "78.75") if t in history]
        assert (detail["total"], detail["total_yuan"]) == ("48.50", None)
    else:
        assert {"额敏县", "30.25", "他人的备注", OWN_UNIT, "48.5", "本单位的备注"} <= set(template)
        assert {"额敏县", 30.25, OWN_UNIT, 48.5, 78.75} <= set(export)
        assert result["total"] == "78.75"
        assert "额敏县" in history
        assert detail["total"] == "78.75"


DISCLOSURE_SEES = {
    "region": {"tacheng", "emin"},
    "tacheng": {"tacheng", "emin"},
    "altay": set(),
    "emin": {"emin"},
    "toli": set(),
    "yibao": {"tacheng"},
    "audit": {"tacheng", "emin"},
}


@pytest.fixture
def unit_budgets(users):
    """塔城地区医疗保障局's and 额敏县医疗保障局's budgets (seed 004's data under each unit's own name)."""
    from fundflow.disclosure.services import budget_import
    from fundflow.regions.models import BudgetUnit
    from tests.conftest import EXAMPLES

    text = (EXAMPLES / "akto-2021-medical-security-budget.yaml").read_text(encoding="utf-8")
    made = {}
    for key, code, who in (("tacheng", "654200-YB", "tacheng"), ("emin", "654221-YB", "emin")):
        unit = BudgetUnit.objects.get(code=code)
        content = text.replace("unit: 阿克陶县医疗保障局", f"unit: {unit.name}").encode("utf-8")
        made[key] = budget_import(user=users[who], unit=unit, filename="b.yaml", content=content).budget
    return made


@pytest.mark.parametrize("who", sorted(DISCLOSURE_SEES))
def test_every_disclosure_download_holds_only_the_users_units(who, users, unit_budgets):
    """A budget belongs to one unit: each download names that unit and no other; others' budgets are 404."""
    from io import BytesIO

    from docx import Document

    client = client_for(users[who])
    names = {key: b.unit.name for key, b in unit_budgets.items()}
    for key, budget in unit_budgets.items():
        others = {n for k, n in names.items() if k != key}
        for url in ("package.xlsx", "budget.xlsx", "package.docx"):
            response = client.get(f"/disclosure/{budget.pk}/{url}")
            if key not in DISCLOSURE_SEES[who]:
                assert response.status_code == 404, (who, key, url)
                continue
            assert response.status_code == 200, (who, key, url)
            if url.endswith(".xlsx"):
                text = "\n".join(_texts(sheet_values(response.content)))
            else:
                text = "\n".join(p.text for p in Document(BytesIO(response.content)).paragraphs)
            assert names[key] in text, (who, key, url)
            assert not any(o in text for o in others), (who, key, url)


# ------------------------------------------------------------------ figures a unit must not be able to work out

UNIT_FACTOR_ROWS = (
    "分组,名称,低保对象人数,特困人员人数,孤儿人数\n塔城地区,塔城地区医疗保障局,300,10,2\n塔城地区,额敏县,6580,107,25\n"
)


@pytest.fixture
def factor_shared(users):
    """A 塔城 factor plan (total 100 万元) whose recipients are the unit user's unit and 额敏县, computed."""
    from fundflow.allocations import services
    from tests.web.conftest import FACTOR_SPEC

    plan = services.plan_create(user=users["tacheng"], spec_yaml=FACTOR_SPEC)
    services.recipients_import(
        user=users["tacheng"], plan=plan, filename="r.csv", content=UNIT_FACTOR_ROWS.encode(), version=plan.version
    )
    plan.refresh_from_db()
    services.plan_compute(user=users["tacheng"], plan=plan, version=plan.version)
    plan.refresh_from_db()
    return plan


def test_a_unit_gets_no_plan_parameters_from_the_api(users, shared, factor_shared):
    from rest_framework.test import APIClient

    for who, hidden in (("yibao", True), ("tacheng", False), ("audit", False)):
        api = APIClient()
        api.force_authenticate(users[who])
        for plan in (shared, factor_shared):
            detail = api.get(f"/api/plans/{plan.pk}/").json()
            listed = next(p for p in api.get("/api/plans/").json() if p["id"] == plan.pk)
            if hidden:
                assert detail["spec_yaml"] is None
                assert listed["spec_yaml"] is None
            else:
                assert detail["spec_yaml"] == plan.spec_yaml
    assert "total: 100" in factor_shared.spec_yaml  # what the unit must not see


def test_a_unit_explanation_of_its_own_line_reveals_no_pot_or_total(users, factor_shared):
    result = factor_shared.result_json
    own = next(ln for ln in result["lines"] if ln["recipient"] == OWN_UNIT)
    other = next(ln for ln in result["lines"] if ln["recipient"] == "额敏县")
    unit = client_for(users["yibao"])
    page = unit.get(f"/allocations/{factor_shared.pk}/explain/", {"who": f"塔城地区/{OWN_UNIT}"})
    assert page.status_code == 200
    text = page.content.decode()
    body = text[text.index('<pre class="explain">') : text.index("</pre>")]
    assert f"塔城地区 {OWN_UNIT}：{own['amount']}万元" in body
    assert "低保对象人数 300" in body
    assert "不向预算单位公开" in body
    for figure in ("总额 100", "100万元", "6880", "117", "144", other["amount"], "50 ×", "全表合计 "):
        assert figure not in body, figure
    assert unit.get(f"/allocations/{factor_shared.pk}/explain/", {"who": "额敏县"}).status_code == 404
    assert unit.get(f"/allocations/{factor_shared.pk}/explain/", {"who": "塔城地区"}).status_code == 404
    # Finance staff still get the full explanation with the pot and the table's sums.
    full = client_for(users["tacheng"]).get(f"/allocations/{factor_shared.pk}/explain/", {"who": OWN_UNIT})
    assert "总额 100万元" in full.content.decode()


SHARE_SPEC = """\
title: 测试标准加比例分配表
year: 2024
unit: 万元
method: standard_share
rounding: {places: 2, mode: half_up}
apportion: largest_remainder
components:
  - {name: 资助参保, kind: standard, count: 资助人数, standard_yuan: 2000}
  - {name: 就医救助, kind: share, pot_yuan: 3000000, share_percent: 救助比例}
  - {name: 经办能力, kind: share, pot_yuan: 600000, count: 经办机构数, base: 20, share_places: 2}
"""
SHARE_ROWS = "分组,名称,资助人数,救助比例,经办机构数\n塔城地区,塔城地区医疗保障局,100,40,7\n塔城地区,额敏县,200,60,6\n"


@pytest.fixture
def share_shared(users):
    """A 塔城 standard-and-share plan (pots of 3,000,000 and 600,000 元) paying the unit user's unit and 额敏县."""
    from fundflow.allocations import services

    plan = services.plan_create(user=users["tacheng"], spec_yaml=SHARE_SPEC)
    services.recipients_import(
        user=users["tacheng"], plan=plan, filename="r.csv", content=SHARE_ROWS.encode(), version=plan.version
    )
    plan.refresh_from_db()
    services.plan_compute(user=users["tacheng"], plan=plan, version=plan.version)
    plan.refresh_from_db()
    return plan


def test_a_unit_reads_no_pot_in_the_headers_of_its_page_or_export(users, share_shared, factor_shared):
    """A share's header quotes its pot; with the unit's own share the others' amounts would follow."""
    pot_texts = ("3000000", "600000", "按比例")
    unit = client_for(users["yibao"])
    page = unit.get(f"/allocations/{share_shared.pk}/").content.decode()
    export = "\n".join(_texts(sheet_values(unit.get(f"/allocations/{share_shared.pk}/export.xlsx").content)))
    for text in (page, export):
        assert not [t for t in pot_texts if t in text]
        assert "资助参保（2000元标准）" in text  # a per-head standard is no pot
        assert "就医救助" in text
        assert "经办能力" in text
    assert [t for t in export.splitlines() if t.startswith("注：")] == [
        "注：尾差处理：最大余额法（各部分之和等于资金总额）；四舍五入保留2位小数。"
    ]
    # A factor's weight is no amount: the unit still reads it.
    factor_page = unit.get(f"/allocations/{factor_shared.pk}/").content.decode()
    assert "困难群众人数因素 (50%)" in factor_page
    # Finance staff keep the printed headers with their pots.
    staff = client_for(users["tacheng"])
    staff_export = _texts(sheet_values(staff.get(f"/allocations/{share_shared.pk}/export.xlsx").content))
    assert {"就医救助（3000000元按比例）", "经办能力（600000元按比例）"} <= staff_export
