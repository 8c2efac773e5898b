"""Budget disclosure (预算公开) in the web system: import, edit, downloads, the check page, and permissions.

Budgets used: 阿克陶县医疗保障局 (653022-YB, under 克孜勒苏州 — outside 塔城), 塔城地区医疗保障局 (654200-YB) and
额敏县医疗保障局 (654221-YB), each with seed 004's budget (the unit name changed to the unit's own).
"""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.test import Client

from tests.conftest import EXAMPLES, SEEDS

pytestmark = pytest.mark.django_db

AKTO_YAML = EXAMPLES / "akto-2021-medical-security-budget.yaml"
SEED_004 = SEEDS / "004_4a81370b0e6b5e7e.txt"
AKTO = "阿克陶县医疗保障局"

VISIBLE = {
    "region": {"akto", "tacheng", "emin"},
    "tacheng": {"tacheng", "emin"},
    "altay": set(),
    "emin": {"emin"},
    "toli": set(),
    "yibao": {"tacheng"},
    "audit": {"tacheng", "emin"},
}
CAN_CHANGE = {"region", "tacheng", "altay", "emin", "toli", "yibao"}  # within what they see; auditors read only

READS = [
    "/disclosure/{pk}/",
    "/disclosure/{pk}/package.xlsx",
    "/disclosure/{pk}/package.docx",
    "/disclosure/{pk}/budget.xlsx",
]
WRITES = ["/disclosure/{pk}/amounts/", "/disclosure/{pk}/upload/", "/disclosure/{pk}/edit/"]


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def budget_yaml(unit_name=AKTO):
    return AKTO_YAML.read_text(encoding="utf-8").replace(f"unit: {AKTO}", f"unit: {unit_name}").encode("utf-8")


def upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


@pytest.fixture
def budgets(users):
    from fundflow.disclosure.services import budget_import
    from fundflow.regions.models import BudgetUnit

    made = {}
    for key, code, who in (
        ("akto", "653022-YB", "region"),
        ("tacheng", "654200-YB", "tacheng"),
        ("emin", "654221-YB", "emin"),
    ):
        unit = BudgetUnit.objects.get(code=code)
        made[key] = budget_import(
            user=users[who], unit=unit, filename="budget.yaml", content=budget_yaml(unit.name)
        ).budget
    return made


def template_of_seed_budget(unit_name=AKTO):
    from fundflow.io.disclosure_budget import parse_budget
    from fundflow.io.disclosure_budget_xlsx import budget_template_bytes
    from fundflow.reference import catalogue

    return budget_template_bytes(parse_budget(budget_yaml(unit_name).decode(), "b.yaml", catalogue(2021)))


# ------------------------------------------------------------------ import


def test_import_from_the_excel_template_then_reimport_is_a_no_op(users):
    from fundflow.disclosure.models import BudgetRecord
    from fundflow.regions.models import BudgetUnit

    unit = BudgetUnit.objects.get(code="654200-YB")
    client = client_for(users["yibao"])
    content = template_of_seed_budget(unit.name)
    response = client.post("/disclosure/import/", {"unit": unit.pk, "file": upload("预算.xlsx", content)})
    assert response.status_code == 302
    budget = BudgetRecord.objects.get(unit=unit, year=2021)
    assert budget.total == Decimal("10517900")  # stored in 元
    assert budget.version == 1
    history = budget.history.count()
    again = client.post("/disclosure/import/", {"unit": unit.pk, "file": upload("预算.xlsx", content)}, follow=True)
    assert "未作任何修改" in again.content.decode()
    # The same data as YAML is the same budget too.
    client.post("/disclosure/import/", {"unit": unit.pk, "file": upload("b.yaml", budget_yaml(unit.name))})
    budget.refresh_from_db()
    assert (budget.version, budget.history.count(), BudgetRecord.objects.count()) == (1, history, 1)


def test_bad_row_names_sheet_row_and_column_and_writes_nothing(users):
    from openpyxl import load_workbook

    from fundflow.disclosure.models import BudgetRecord
    from fundflow.regions.models import BudgetUnit

    unit = BudgetUnit.objects.get(code="654200-YB")
    wb = load_workbook(BytesIO(template_of_seed_budget(unit.name)))
    wb["预算行"]["C4"] = "一百"  # third budget line's amount
    wb["项目"]["F2"] = "很多"  # first project's quantity
    buffer = BytesIO()
    wb.save(buffer)
    response = client_for(users["tacheng"]).post(
        "/disclosure/import/", {"unit": unit.pk, "file": upload("坏.xlsx", buffer.getvalue())}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "未导入任何数据" in page
    assert "文件 坏.xlsx 工作表“预算行” 第 4 行 “金额（万元）”列" in page
    assert "文件 坏.xlsx 工作表“项目” 第 2 行 “数量”列" in page
    assert "一百" in page
    assert not BudgetRecord.objects.exists()


def test_wrong_unit_name_and_wrong_file_type_are_refused(users):
    from fundflow.disclosure.models import BudgetRecord
    from fundflow.regions.models import BudgetUnit

    unit = BudgetUnit.objects.get(code="654200-YB")
    client = client_for(users["tacheng"])
    response = client.post("/disclosure/import/", {"unit": unit.pk, "file": upload("b.yaml", budget_yaml())})
    assert response.status_code == 400
    assert "与所选预算单位“塔城地区医疗保障局”不一致" in response.content.decode()
    response = client.post("/disclosure/import/", {"unit": unit.pk, "file": upload("b.pdf", b"%PDF")})
    assert response.status_code == 400
    assert "应为预算数据 Excel 模板" in response.content.decode()
    assert not BudgetRecord.objects.exists()


def test_changed_reimport_needs_the_current_version(users, budgets):
    budget = budgets["tacheng"]
    client = client_for(users["tacheng"])
    changed = budget_yaml(budget.unit.name).replace(b"amount: 94.29", b"amount: 95.29")
    from_list = client.post("/disclosure/import/", {"unit": budget.unit.pk, "file": upload("b.yaml", changed)})
    assert from_list.status_code == 400
    assert "预算已存在且内容不同" in from_list.content.decode()
    budget.refresh_from_db()
    assert budget.version == 1  # refused: an existing budget is replaced only from its page, with its version
    response = client.post(
        f"/disclosure/{budget.pk}/upload/", {"version": 1, "file": upload("b.yaml", changed)}, follow=True
    )
    assert "已更新" in response.content.decode()
    budget.refresh_from_db()
    assert (budget.version, budget.total) == (2, Decimal("10527900"))


# ------------------------------------------------------------------ detail page, editing, downloads


def test_detail_shows_the_nine_tables_the_narrative_and_no_findings(users, budgets):
    page = client_for(users["audit"]).get(f"/disclosure/{budgets['tacheng'].pk}/").content.decode()
    for number in "一二三四五六七八九":
        assert f"表{number}：" in page
    assert "一般公共预算“三公”经费支出情况表" in page
    assert '<tr class="total">' in page
    assert "合计" in page
    assert "1051.79" in page
    assert "416.59" in page
    assert "635.20" in page
    assert "单位：万元" in page
    assert "第三部分" in page
    assert "名词解释" in page
    assert 'id="check-ok"' in page
    assert 'name="amount:0"' not in page  # auditors read only


def test_edit_amounts_regenerates_and_stale_version_is_refused(users, budgets):
    from fundflow.disclosure.services import load

    budget = budgets["emin"]
    first, second = client_for(users["emin"]), client_for(users["tacheng"])
    response = first.post(f"/disclosure/{budget.pk}/amounts/", {"version": 1, "amount:1": "100.29"}, follow=True)
    assert "已保存 1 处修改" in response.content.decode()
    budget.refresh_from_db()
    assert (budget.version, budget.total) == (2, Decimal("10577900"))
    assert load(budget)[0].lines[1].amount == Decimal("100.29")
    assert "1057.79" in response.content.decode()
    assert 'id="check-ok"' in response.content.decode()
    stale = second.post(f"/disclosure/{budget.pk}/amounts/", {"version": 1, "amount:1": "1"}, follow=True)
    assert "已被他人修改" in stale.content.decode()
    budget.refresh_from_db()
    assert budget.version == 2
    assert load(budget)[0].lines[1].amount == Decimal("100.29")
    assert budget.history.count() == 2


def test_edit_errors_save_nothing(users, budgets):
    budget = budgets["emin"]
    client = client_for(users["emin"])
    bad = client.post(f"/disclosure/{budget.pk}/amounts/", {"version": 1, "amount:0": "x", "amount:1": "1"})
    assert bad.status_code == 400
    assert "第 1 行" in bad.content.decode()
    assert "应为数字" in bad.content.decode()
    # A project formed as standard × quantity cannot be edited away from it.
    index = next(i for i, ln in enumerate(budget.budget_yaml.split("- function:")[1:]) if "612.00" in ln)
    refused = client.post(f"/disclosure/{budget.pk}/amounts/", {"version": 1, f"amount:{index}": "600"})
    assert refused.status_code == 400
    assert "标准" in refused.content.decode()
    budget.refresh_from_db()
    assert budget.version == 1


def test_downloads_open_and_hold_the_seed_figures(users, budgets):
    from docx import Document
    from openpyxl import load_workbook

    client = client_for(users["yibao"])
    pk = budgets["tacheng"].pk
    wb = load_workbook(BytesIO(client.get(f"/disclosure/{pk}/package.xlsx").content))
    values = {str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None}
    assert {"1051.79", "416.59", "635.2"} <= values
    doc = Document(BytesIO(client.get(f"/disclosure/{pk}/package.docx").content))
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert {"1051.79", "416.59", "635.20"} <= cells
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "1051.79" in text
    data = load_workbook(BytesIO(client.get(f"/disclosure/{pk}/budget.xlsx").content))
    assert data["基本情况"]["B2"].value == "塔城地区医疗保障局"
    template = load_workbook(BytesIO(client.get("/disclosure/template.xlsx").content))
    assert template["预算行"].max_row == 1


# ------------------------------------------------------------------ the check page


def test_check_page_on_seed_004_lists_the_known_findings(users):
    client = client_for(users["yibao"])
    response = client.post("/disclosure/check/", {"file": upload("004.txt", SEED_004.read_bytes())})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="finding ') == 21
    assert "发现 21 处问题" in page
    assert "disclosure.narrative-amount" in page
    assert '<td class="num stated">1051.79</td>' in page
    assert '<td class="num expected">416.59</td>' in page
    assert '<td class="num stated">22.04</td>' in page
    assert '<td class="num expected">22.03</td>' in page
    assert "基社会保障和就业支出" in page
    assert "社会保障和就业支出" in page
    assert "表六 一般公共预算基本支出情况表" in page


def test_check_page_on_a_generated_package_finds_nothing(users, budgets):
    client = client_for(users["region"])
    xlsx = client.get(f"/disclosure/{budgets['akto'].pk}/package.xlsx").content
    page = client.post("/disclosure/check/", {"file": upload("pkg.xlsx", xlsx)}).content.decode()
    assert "未发现问题" in page
    assert "读入 9 张表" in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.txt", b"\xff\xfe\x00garbage", "不是 UTF-8 编码"),
        ("x.txt", "只是一段文字，没有表格。".encode(), "没有找到公开表"),
        ("x.xlsx", b"not a zip", "无法读取"),
        ("x.txt", b"", "提交的是空文件"),
        ("x.pdf", b"%PDF-1.4", "应为 fundflow 生成的 Excel"),
        ("x.txt", "表一：\n不认识的表\n1\t2\n".encode(), "无法识别表名"),
    ],
)
def test_unreadable_uploads_get_a_chinese_error_not_a_500(users, name, content, message):
    response = client_for(users["audit"]).post("/disclosure/check/", {"file": upload(name, content)})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_check_page_stores_nothing_and_needs_login(users):
    from fundflow.disclosure.models import BudgetRecord

    client_for(users["toli"]).post("/disclosure/check/", {"file": upload("004.txt", SEED_004.read_bytes())})
    assert not BudgetRecord.objects.exists()
    response = Client().get("/disclosure/check/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# ------------------------------------------------------------------ permissions


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_reads_of_every_budget(who, users, budgets):
    client = client_for(users[who])
    for key, budget in budgets.items():
        for url in READS:
            status = client.get(url.format(pk=budget.pk)).status_code
            assert status == (200 if key in VISIBLE[who] else 404), (who, key, url, status)
    for url in ("/disclosure/", "/disclosure/check/", "/disclosure/template.xlsx"):
        assert client.get(url).status_code == 200, (who, url)


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_writes_to_every_budget(who, users, budgets):
    client = client_for(users[who])
    for key, budget in budgets.items():
        for url in WRITES:
            response = client.post(url.format(pk=budget.pk), {"version": budget.version})
            if key not in VISIBLE[who]:
                expected = {404}
            elif who not in CAN_CHANGE:
                expected = {403}
            else:
                continue  # allowed writes are covered above
            assert response.status_code in expected, (who, key, url, response.status_code)
        response = client.post(
            "/disclosure/import/", {"unit": budget.unit_id, "file": upload("b.yaml", budget_yaml(budget.unit.name))}
        )
        if key not in VISIBLE[who]:
            assert response.status_code == 404, (who, key)
        elif who not in CAN_CHANGE:
            assert response.status_code == 403, (who, key)
        else:
            assert response.status_code == 302, (who, key)  # the same data again: a no-op


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_list_shows_only_what_is_in_scope(who, users, budgets):
    page = client_for(users[who]).get("/disclosure/").content.decode()
    for key, budget in budgets.items():
        assert (f'href="/disclosure/{budget.pk}/"' in page) == (key in VISIBLE[who]), (who, key)
    import_form = 'id="import-form"' in page
    assert import_form == (who in CAN_CHANGE and who not in ("altay", "toli")), who  # no units in their regions


def test_missing_and_foreign_ids_look_the_same(users, budgets):
    client = client_for(users["emin"])
    foreign = client.get(f"/disclosure/{budgets['tacheng'].pk}/")
    missing = client.get("/disclosure/999999/")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content


def test_nav_links_to_disclosure(users):
    page = client_for(users["audit"]).get("/disclosure/").content.decode()
    assert '<a href="/disclosure/" class="active">预算公开</a>' in page


def test_pdf_download_and_its_scope(users, budgets):
    from pypdf import PdfReader

    pk = budgets["tacheng"].pk
    response = client_for(users["yibao"]).get(f"/disclosure/{pk}/package.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "1051.79" in text
    assert "单位收支总体情况表" in text
    assert client_for(users["altay"]).get(f"/disclosure/{pk}/package.pdf").status_code == 404


def test_whole_budget_can_be_edited_in_the_page(users, budgets):
    record = budgets["tacheng"]
    client = client_for(users["tacheng"])
    page = client.get(f"/disclosure/{record.pk}/edit/").content.decode()
    assert "塔城地区医疗保障局" in page
    edited = record.budget_yaml.replace("  authorized: 22", "  authorized: 23", 1)
    assert edited != record.budget_yaml
    response = client.post(f"/disclosure/{record.pk}/edit/", {"budget_yaml": edited, "version": record.version})
    assert response.status_code == 302
    record.refresh_from_db()
    assert "  authorized: 23" in record.budget_yaml
    stale = client.post(f"/disclosure/{record.pk}/edit/", {"budget_yaml": edited, "version": record.version - 1})
    assert "已被他人修改" in stale.content.decode()


def test_bad_budget_text_lists_problems_and_saves_nothing(users, budgets):
    record = budgets["tacheng"]
    before = record.budget_yaml
    broken = before.replace("year: 2021", "year: 二〇二一", 1)
    response = client_for(users["tacheng"]).post(
        f"/disclosure/{record.pk}/edit/", {"budget_yaml": broken, "version": record.version}
    )
    assert response.status_code == 400
    assert "预算数据文本" in response.content.decode()
    record.refresh_from_db()
    assert record.budget_yaml == before


def test_a_broken_version_is_a_400_not_a_500(users, budgets):
    client = client_for(users["yibao"])
    pk = budgets["tacheng"].pk
    response = client.post(f"/disclosure/{pk}/amounts/", {"version": "x", "amount:0": "1"})
    assert response.status_code == 400
    assert "请求无效" in response.content.decode()
    assert client.post(f"/disclosure/{pk}/edit/", {"version": "", "budget_yaml": "x"}).status_code == 400


def test_changing_the_year_in_the_editor_is_refused_with_400(users, budgets):
    record = budgets["tacheng"]
    text = record.budget_yaml.replace("year: 2021", "year: 2022", 1)
    response = client_for(users["tacheng"]).post(
        f"/disclosure/{record.pk}/edit/", {"budget_yaml": text, "version": record.version}
    )
    assert response.status_code == 400
    assert "年度不能改为 2022" in response.content.decode()


def test_empty_upload_on_the_check_page_says_the_file_is_empty(users):
    response = client_for(users["audit"]).post("/disclosure/check/", {"file": upload("a.txt", b"")})
    assert response.status_code == 400
    assert "提交的是空文件" in response.content.decode()


def test_not_found_pages_are_chinese(users):
    response = client_for(users["audit"]).get("/disclosure/999999/")
    assert response.status_code == 404
    assert "没有找到该页面或数据" in response.content.decode()


def test_budget_page_draws_the_seed_headers_with_merged_cells(users, budgets):
    page = client_for(users["tacheng"]).get(f"/disclosure/{budgets['tacheng'].pk}/").content.decode()
    assert 'colspan="3">功能分类科目编码</th>' in page
    assert ">一般公共预算拨款</th>" in page
    assert "财政拨款收支预算总体情况表" in page
    assert "<td>类</td>" not in page  # the 类/款/项 row is a header row, not a data row
