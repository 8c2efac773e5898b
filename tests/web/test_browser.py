"""Browser tests: headless Debian Chromium driven by Playwright against pytest-django's live server.

They cover what a person does in the pages: log in through the form, be refused another county's plan,
upload an Excel file with a bad row and see the error on that row, fix it, compute, open a figure's
explanation, download the Excel export, approve, and lose a save race against a colleague.

The browser is Debian's ``chromium`` package (never a Playwright download). CI installs it; when it is
missing these tests fail rather than skip, so a broken CI image cannot pass silently.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal as D
from pathlib import Path

import pytest

from fundflow.core.allocation import allocate
from fundflow.core.explain import explain
from fundflow.core.money import fmt
from fundflow.io.plan_yaml import parse_plan
from tests.web.conftest import FACTOR_SPEC, GOOD_ROWS, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
COLUMNS = ["分组", "名称", "低保对象人数", "特困人员人数", "孤儿人数"]
# New inputs for the 塔城 plan: every figure differs from GOOD_ROWS, so an import shows in the page.
NEW_ROWS = [
    ("塔城地区", "额敏县", 7020, 112, 31),
    ("塔城地区", "托里县", 4388, 160, 44),
    ("塔城地区", "裕民县", 2275, 71, 16),
]


@pytest.fixture(scope="module")
def chromium():
    """Launches one headless Chromium for the module on first use, from the test body: a missing browser
    then fails the test itself (FAILED, not an ERROR in setup, and never a skip)."""
    state = {}
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")

    def launch():
        if "browser" not in state:
            if not CHROMIUM.exists():
                pytest.fail(
                    f"Chromium not found at {CHROMIUM}: the browser tests need Debian's chromium package "
                    "(apt-get install -y chromium fonts-noto-cjk), which CI installs. They never download one.",
                    pytrace=False,
                )
            from playwright.sync_api import sync_playwright

            # Playwright's sync API keeps an asyncio loop running on the test thread while it is started; Django
            # would then refuse the ORM calls of fixtures and assertions as "async-unsafe". Only while it runs.
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
            state["playwright"] = sync_playwright().start()
            state["browser"] = state["playwright"].chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
            )
        return state["browser"]

    yield launch
    if "playwright" in state:
        if "browser" in state:
            state["browser"].close()
        state["playwright"].stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(chromium, live_server):
    """Factory: a page in a fresh browser context (own cookies, i.e. its own session) on the live server."""
    contexts = []

    def make():
        context = chromium().new_context(base_url=live_server.url, accept_downloads=True, locale="zh-CN")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def log_in(page, user):
    from playwright.sync_api import expect

    page.goto("/login/")
    expect(page.locator("h1")).to_have_text("登录")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/allocations/$"))
    expect(page.locator("header .who")).to_contain_text(user.username)


def write_xlsx(path, rows):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "分配对象"
    ws.append(COLUMNS)
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def core_result(rows):
    """The allocation fundflow.core computes for FACTOR_SPEC on ``rows`` (hierarchical, 100 万元, 50/50)."""
    lines = "".join(
        f"  - {{group: {g}, name: {n}, 低保对象人数: {a}, 特困人员人数: {b}, 孤儿人数: {c}}}\n"
        for g, n, a, b, c in rows
    )
    return allocate(parse_plan(FACTOR_SPEC + "recipients:\n" + lines, "expected.yaml"))


def input_cell(page, name, column):
    return page.get_by_label(f"{name} {column}", exact=True)


def test_county_user_sees_own_plan_and_is_refused_others_by_url(new_page, users, plans):
    from playwright.sync_api import expect

    page = new_page()
    log_in(page, users["emin"])
    listing = page.locator("table.grid tbody")
    expect(listing.get_by_role("link", name=plans["emin"].title)).to_be_visible()
    expect(listing).to_contain_text("额敏县")
    expect(listing.locator("tr")).to_have_count(1)
    for other in ("toli", "tacheng", "altay", "region"):
        assert plans[other].title not in listing.inner_text()

    page.get_by_role("link", name=plans["emin"].title).click()
    expect(page.locator("h1")).to_have_text(plans["emin"].title)
    expect(page.locator("#result")).to_be_visible()

    for other in ("toli", "tacheng"):
        plan = plans[other]
        for url in (f"/allocations/{plan.pk}/", f"/allocations/{plan.pk}/explain/?who=额敏县"):
            response = page.goto(url)
            assert response.status == 404, url
            assert plan.title not in page.content(), url
            expect(page.locator("#result")).to_have_count(0)
        response = page.goto(f"/allocations/{plan.pk}/export.xlsx")
        assert response.status == 404
    # The refusals left everything as it was.
    page.goto("/allocations/")
    expect(page.locator("table.grid tbody tr")).to_have_count(1)


def test_prefecture_uploads_bad_then_good_excel_computes_explains_and_exports(new_page, users, plans, tmp_path):
    from openpyxl import load_workbook
    from playwright.sync_api import expect

    page = new_page()
    plan = plans["tacheng"]
    log_in(page, users["tacheng"])
    page.get_by_role("link", name=plan.title).click()
    expect(page.locator("h1")).to_have_text(plan.title)
    expect(input_cell(page, "托里县", "低保对象人数")).to_have_value("4451")

    # One bad cell: row 3 of the sheet (托里县), column 低保对象人数.
    bad = [NEW_ROWS[0], (*NEW_ROWS[1][:2], "abc", *NEW_ROWS[1][3:]), NEW_ROWS[2]]
    page.locator("#upload-file").set_input_files(write_xlsx(tmp_path / "分配对象.xlsx", bad))
    with page.expect_response(re.compile(r"/upload/$")) as upload:
        page.locator("#upload").click()
    assert upload.value.status == 400
    expect(page.locator(".msg.error").first).to_contain_text("未导入任何数据")
    problem = page.locator(".problems tbody tr").filter(has_text="第 3 行")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text("低保对象人数")
    expect(problem).to_contain_text("abc")
    expect(page.locator(".problems tbody tr")).to_have_count(1)
    # Nothing was imported: the previous rows are still there, the good rows of the file too are not.
    for _group, name, poor, extreme, orphans in GOOD_ROWS:
        expect(input_cell(page, name, "低保对象人数")).to_have_value(str(poor))
        expect(input_cell(page, name, "特困人员人数")).to_have_value(str(extreme))
        expect(input_cell(page, name, "孤儿人数")).to_have_value(str(orphans))
    plan.refresh_from_db()
    assert plan.result_json is not None
    assert [r.values["低保对象人数"] for r in plan.recipients.all()] == [str(r[2]) for r in GOOD_ROWS]

    # Fixed file: imported, and the stored result is dropped until the next computation.
    page.locator("#upload-file").set_input_files(write_xlsx(tmp_path / "分配对象.xlsx", NEW_ROWS))
    page.locator("#upload").click()
    expect(page.locator(".msg.success")).to_have_text("已导入 3 个分配对象。请重新计算。")
    expect(page.locator(".problems")).to_have_count(0)
    expect(page.locator("#result")).to_have_count(0)
    for _group, name, poor, extreme, orphans in NEW_ROWS:
        expect(input_cell(page, name, "低保对象人数")).to_have_value(str(poor))
        expect(input_cell(page, name, "特困人员人数")).to_have_value(str(extreme))
        expect(input_cell(page, name, "孤儿人数")).to_have_value(str(orphans))

    page.locator("#compute").click()
    expect(page.locator(".msg.success")).to_have_text("计算完成。")
    result = core_result(NEW_ROWS)
    places = result.rounding.places
    table = page.locator("#result")
    expect(table).to_be_visible()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(1 + 1 + len(NEW_ROWS))  # 合计, 塔城地区 小计, three counties
    total_row = table.locator("tbody tr.total")
    expect(total_row.locator("td").last).to_have_text(fmt(result.total, places))
    assert result.total == D(100)
    expect(table.locator("tbody tr.subtotal td").first).to_have_text("塔城地区")
    expect(table.locator("tbody tr.subtotal td").last).to_have_text(fmt(result.total, places))
    for line in result.lines:
        # Each county's row as the document prints it: inputs and amount of every factor, then the total.
        expected_cells = ["", line.recipient]
        for part in result.parts:
            expected_cells += [fmt(line.inputs[column.key]) for column in part.inputs]
            expected_cells.append(fmt(line.parts[part.name], places))
        expected_cells.append(fmt(line.amount, places))
        row = table.locator("tbody tr.line").filter(has_text=line.recipient)
        expect(row.locator("td")).to_have_text(expected_cells)
    plan.refresh_from_db()
    assert plan.total == result.total * 10000

    # Click 额敏县's amount: the explanation page shows the core's explanation, line for line.
    emin = next(line for line in result.lines if line.recipient == "额敏县")
    table.locator("tbody tr.line").filter(has_text="额敏县").locator("td a").last.click()
    expect(page.locator("h1")).to_have_text("计算过程：额敏县")
    expected = explain(result, "额敏县")
    assert expected[0] == f"塔城地区 额敏县：{fmt(emin.amount)}万元"
    assert page.locator("pre.explain").inner_text().strip().splitlines() == expected
    page.get_by_role("link", name=f"返回 {plan.title}").click()

    with page.expect_download() as download_info:
        page.locator("#export").click()
    download = download_info.value
    assert download.suggested_filename == f"{plan.title}.xlsx"
    saved = tmp_path / "export.xlsx"
    download.save_as(saved)
    ws = load_workbook(saved).active
    assert ws.cell(1, 1).value == plan.title
    total_col = ws.max_column
    assert ws.cell(5, 1).value == result.total_label
    assert D(str(ws.cell(5, total_col).value)) == result.total
    names = {ws.cell(r, 2).value: ws.cell(r, total_col).value for r in range(6, ws.max_row + 1)}
    assert {name: D(str(names[name])) for name in ("额敏县", "托里县", "裕民县")} == {
        line.recipient: line.amount for line in result.lines
    }


def test_approve_after_confirm_locks_the_plan(new_page, users, plans):
    from playwright.sync_api import expect

    from fundflow.allocations.models import AllocationPlan

    page = new_page()
    plan = plans["tacheng"]
    log_in(page, users["tacheng"])
    page.goto(f"/allocations/{plan.pk}/")
    expect(page.locator("#status")).to_have_text("草稿")
    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.locator("#approve").click()
    expect(page.locator(".msg.success")).to_have_text("已审定，方案已锁定。")
    assert len(dialogs) == 1
    assert "审定后方案将被锁定" in dialogs[0]
    expect(page.locator("#status")).to_have_text("已审定")
    expect(page.locator("#compute")).to_have_count(0)
    expect(page.locator("#approve")).to_have_count(0)
    expect(page.locator("#upload-file")).to_have_count(0)
    expect(page.locator("#save-inputs")).to_have_count(0)
    expect(page.locator("#export")).to_be_visible()
    plan.refresh_from_db()
    assert plan.status == AllocationPlan.Status.APPROVED
    assert plan.approved_by == users["tacheng"]


def test_second_save_from_a_stale_page_is_refused(new_page, users, plans):
    from playwright.sync_api import expect

    plan = plans["tacheng"]
    first, second = new_page(), new_page()  # two contexts: two sessions of the same user
    for page in (first, second):
        log_in(page, users["tacheng"])
        page.goto(f"/allocations/{plan.pk}/")
        expect(input_cell(page, "额敏县", "低保对象人数")).to_have_value("6580")

    input_cell(first, "额敏县", "低保对象人数").fill("7000")
    first.locator("#save-inputs").click()
    expect(first.locator(".msg.success")).to_have_text("已保存 1 处修改。")

    input_cell(second, "额敏县", "低保对象人数").fill("8000")
    with second.expect_response(re.compile(r"/inputs/$")) as saved:
        second.locator("#save-inputs").click()
    assert saved.value.status == 400
    expect(second.locator(".msg.error")).to_contain_text("已被他人修改")
    # The refusal shows the latest content, i.e. the first person's edit.
    expect(input_cell(second, "额敏县", "低保对象人数")).to_have_value("7000")

    emin = plan.recipients.get(name="额敏县")
    assert emin.values["低保对象人数"] == "7000"
    plan.refresh_from_db()
    assert plan.result_json is None  # the first edit invalidated the result


def test_a_factor_plan_is_created_through_the_chinese_form(new_page, users):
    from playwright.sync_api import expect

    from fundflow.allocations.models import AllocationPlan
    from fundflow.allocations.services import parse_spec

    page = new_page()
    log_in(page, users["tacheng"])
    page.goto("/allocations/new/?method=factor")
    expect(page.locator("h1")).to_have_text("新建分配方案")
    # The form view is chosen; the advanced text and the other methods' parameters are out of the way.
    expect(page.get_by_label("按表单填写")).to_be_checked()
    expect(page.locator("#text-form")).to_be_hidden()
    expect(page.get_by_label("预拨文件文号")).to_be_hidden()
    page.get_by_label("标题", exact=True).fill("表单因素法分配表")

    def cell(row, column):
        return page.get_by_label(f"因素第 {row} 行 {column}", exact=True)

    expect(cell(1, "因素名称")).to_have_value("困难群众人数因素")
    cell(1, "权重").fill("60%")
    cell(2, "权重").fill("30%")
    cell(3, "因素名称").fill("残疾人因素")  # the spare row
    cell(3, "权重").fill("10%")
    cell(3, "数据列").fill("残疾人数")
    page.get_by_role("button", name="添加一行").first.click()
    expect(cell(4, "因素名称")).to_be_visible()
    cell(4, "因素名称").fill("临时救助因素")
    cell(4, "权重").fill("0")
    cell(4, "数据列").fill("临时救助人次、急难救助人次")
    # Another method shows its own parameters; back to the factor method.
    page.get_by_label("分配方法").select_option("standard_share")
    expect(page.get_by_label("组成部分第 1 行 组成部分名称", exact=True)).to_be_visible()
    expect(cell(1, "因素名称")).to_be_hidden()
    page.get_by_label("分配方法").select_option("factor")
    page.locator("#save-spec").click()

    expect(page.locator("h1")).to_have_text("表单因素法分配表")
    expect(page.locator(".msg.success")).to_contain_text("已新建分配方案")
    spec = parse_spec(AllocationPlan.objects.get(title="表单因素法分配表").spec_yaml)
    assert [(f.name, f.weight, f.counts) for f in spec.method.factors] == [
        ("困难群众人数因素", D("0.6"), ("低保对象人数",)),
        ("特困、孤儿因素", D("0.3"), ("特困人员人数", "孤儿人数")),
        ("残疾人因素", D("0.1"), ("残疾人数",)),
        ("临时救助因素", D("0"), ("临时救助人次", "急难救助人次")),
    ]


def test_tail_adjustment_entered_in_the_form_moves_one_unit(new_page, users, plans):
    from playwright.sync_api import expect

    plan = plans["tacheng"]
    before = core_result(GOOD_ROWS)
    places = before.rounding.places
    page = new_page()
    log_in(page, users["tacheng"])
    page.goto(f"/allocations/{plan.pk}/")
    part = "困难群众人数因素"
    reason = "与印发表核对，尾数调整"

    # Only one side of the pair: refused with the balance rule, nothing saved, the entry kept in the form.
    page.get_by_label("第 1 行 分配对象").fill("额敏县")
    page.get_by_label("第 1 行 因素/列").select_option(part)
    page.get_by_label("第 1 行 调整数").fill("1")
    page.get_by_label("第 1 行 理由").fill(reason)
    with page.expect_response(re.compile(r"/adjustments/$")) as saved:
        page.locator("#save-adjustments").click()
    assert saved.value.status == 400
    expect(page.locator(".msg.error")).to_contain_text("未保存任何修改")
    expect(page.locator(".problems")).to_contain_text(f"“塔城地区”组内“{part}”调整合计为 1，应为 0")
    expect(page.get_by_label("第 1 行 分配对象")).to_have_value("额敏县")
    assert plan.adjustments.count() == 0

    # The other side, then a reason left out on it: the error is shown next to that field.
    page.get_by_label("第 2 行 分配对象").fill("托里县")
    page.get_by_label("第 2 行 因素/列").select_option(part)
    page.get_by_label("第 2 行 调整数").fill("-1")
    page.locator("#save-adjustments").click()
    reason_cell = page.locator("td").filter(has=page.get_by_label("第 2 行 理由"))
    expect(reason_cell.locator(".field-error")).to_have_text("尾差调整必须写明理由（reason）")
    page.get_by_label("第 2 行 理由").fill(reason)
    page.locator("#save-adjustments").click()
    expect(page.locator(".msg.success")).to_have_text("已保存 2 处尾差调整的修改。请重新计算。")
    expect(page.locator("#result")).to_have_count(0)

    page.locator("#compute").click()
    expect(page.locator(".msg.success")).to_have_text("计算完成。")
    table = page.locator("#result")
    for name, delta in (("额敏县", 1), ("托里县", -1), ("裕民县", 0)):
        line = next(ln for ln in before.lines if ln.recipient == name)
        row = table.locator("tbody tr.line").filter(has_text=name)
        expect(row.locator("td").last).to_have_text(fmt(line.amount + delta, places))
    expect(table.locator("tbody tr.total td").last).to_have_text(fmt(before.total, places))
    expect(page.get_by_label("第 1 行 调整数")).to_have_value("1")
    expect(page.get_by_label("第 2 行 调整数")).to_have_value("-1")
    expect(page.locator("#history")).to_contain_text(f"尾差调整 额敏县 {part}")
