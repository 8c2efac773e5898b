"""Browser test of the whole ledger flow (issue #8): the 自治区 issues seed 001 from its approved plan; 塔城地区
receives its line and re-allocates it to two counties (定额下达, recipients entered in the page), approves and issues
it; 额敏县 receives its line and issues it to 额敏县医疗保障局; 额敏县 imports a treasury payments CSV for that
indicator through 国库支付; 直达资金监控 then shows 额敏县's 支出进度 with its bar, and 预警 the warnings the import
raised (spending behind schedule; a payment coded to another function code)."""

from __future__ import annotations

import re

import pytest

from tests.web.test_browser import chromium, log_in, new_page  # noqa: F401
from tests.web.test_ledger_browser import approved_seed  # noqa: F401
from tests.web.test_ledger_pages import SEED_DOC

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYMENTS_HEADER = "支付凭证号,支付日期,指标编号,付款单位,收款人,金额,原凭证号,经济科目,功能科目,用途\n"


@pytest.fixture
def warning_rules(users):
    from fundflow.ledger.warnings import warning_rules_load

    warning_rules_load()


def issue_box(page, number, date):
    """Fill the 下达 box of an approved plan's page (codes are inherited from the source indicator) and issue."""
    from playwright.sync_api import expect

    page.locator("#issue-box summary").click()
    page.get_by_label("文号").fill(number)
    page.get_by_label("发文日期").fill(date)
    page.locator("#issue").click()
    expect(page.locator("#doc-no")).to_have_text(number)


def receive_pending(page):
    """Open the one indicator waiting for the user's region and receive it; returns its 指标编号 page URL."""
    from playwright.sync_api import expect

    page.get_by_role("link", name="指标管理").click()
    page.locator("#pending-link").click()
    expect(page.locator("#indicators tbody tr")).to_have_count(1)
    page.get_by_role("link", name="接收", exact=True).click()
    page.locator("#receive input[name=income_code]").fill("1100249")
    page.locator("#receive-submit").click()
    expect(page.locator("#status")).to_have_text("已接收")


def reallocate_fixed(page, title, recipients):
    """Re-allocate the received indicator shown by 定额下达: add each (name, 万元) in the page, compute, approve."""
    from playwright.sync_api import expect

    page.locator("#reallocate input[name=title]").fill(title)
    page.locator("#reallocate select[name=method]").select_option("fixed")
    page.locator("#reallocate-submit").click()
    expect(page).to_have_url(re.compile(r"/allocations/\d+/$"))
    expect(page.locator("h1")).to_have_text(title)
    for n, (name, amount) in enumerate(recipients, start=1):
        form = page.locator("#add-row")
        form.locator("input[name=name]").fill(name)
        form.locator("input[name^='new:']").fill(amount)
        page.locator("#add-recipient").click()
        expect(page.locator("#inputs tbody tr")).to_have_count(n)
    page.locator("#compute").click()
    expect(page.locator("#result")).to_be_visible()
    page.locator("#approve").click()
    expect(page.locator("#status")).to_have_text("已审定")


def test_issue_reallocate_twice_pay_and_see_progress_and_warnings(
    new_page,  # noqa: F811
    users,
    approved_seed,  # noqa: F811
    warning_rules,
):
    from playwright.sync_api import expect

    from fundflow.ledger.models import Indicator

    def page_of(user):
        page = new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        log_in(page, user)
        return page

    # 自治区: issue seed 001 (新财社〔2020〕34号) with its 直达 marker and 支出功能科目.
    region = page_of(users["region"])
    region.goto(f"/allocations/{approved_seed.pk}/")
    region.locator("#issue-box summary").click()
    expect(region.get_by_label("文号")).to_have_value(SEED_DOC)
    region.get_by_label("发文日期").fill("2020-11-20")
    region.get_by_label("直达资金标识").select_option("01|中央直达资金")
    region.get_by_label("收入科目").fill("1100249")
    region.get_by_label("支出功能科目").fill("2101301")
    region.locator("#issue").click()
    expect(region.locator("#doc-no")).to_have_text(SEED_DOC)

    # 塔城地区: receive 2525 万元 and re-allocate it to 额敏县 (2000) and 托里县 (525).
    tacheng = page_of(users["tacheng"])
    receive_pending(tacheng)
    reallocate_fixed(tacheng, "塔城地区2021年医疗救助补助资金分配表", [("额敏县", "2000"), ("托里县", "525")])
    issue_box(tacheng, "塔地财社〔2021〕1号", "2021-01-05")
    expect(tacheng.locator("#lines tbody tr")).to_have_count(2)

    # 额敏县: receive 2000 万元 and issue all of it to its 医疗保障局 (received on issue).
    emin = page_of(users["emin"])
    receive_pending(emin)
    expect(emin.locator("#available")).to_have_attribute("title", "20000000.00 元")
    reallocate_fixed(emin, "额敏县2021年医疗救助补助资金分配表", [("额敏县医疗保障局", "2000")])
    issue_box(emin, "额财社〔2021〕1号", "2021-01-20")
    unit_line = Indicator.objects.get(rec_unit__code="654221-YB")
    assert (unit_line.status, unit_line.amount, unit_line.exp_func_code) == ("received", 20000000, "2101301")

    # 额敏县 imports the treasury payments of the unit's indicator (its 指标编号 as the page shows it).
    emin.goto(f"/ledger/indicators/{unit_line.pk}/")
    bgt_id = emin.locator("#identity td").first.inner_text().strip()
    assert bgt_id == unit_line.bgt_id
    csv = PAYMENTS_HEADER + "".join(
        f"{no},{date},{bgt_id},额敏县医疗保障局,额敏县人民医院,{amount},,30307,{func},医疗救助\n"
        for no, date, amount, func in [
            ("ZF2021001", "2021-03-15", "4000000.00", "2101301"),
            ("ZF2021002", "2021-05-10", "1000000.00", "2080701"),  # another function code
        ]
    )
    emin.get_by_role("link", name="国库支付").click()
    expect(emin.locator("h1")).to_have_text("国库集中支付")
    emin.get_by_label("支付文件（.csv 或 .xlsx）").set_input_files(
        files=[{"name": "额敏县支付.csv", "mimeType": "text/csv", "buffer": csv.encode("utf-8")}]
    )
    emin.get_by_role("button", name="导入").click()
    expect(emin.locator("table[aria-label=导入结果]")).to_contain_text("2（2 / 0）")
    expect(emin.get_by_text("新增预警 2 条")).to_be_visible()

    # 直达资金监控: 额敏县 spent 500 of 2000 万元 = 25.00 %, with the bar a quarter wide.
    emin.get_by_role("link", name="直达资金监控").click()
    row = emin.locator("table.monitor tbody tr", has=emin.locator("td", has_text=re.compile("^额敏县$")))
    expect(row).to_have_count(1)
    spending = row.locator("td.progress").nth(1)
    expect(spending).to_have_text(re.compile(r"^\s*25\.00%$"))
    expect(spending.locator(".bar > span")).to_have_attribute("style", re.compile(r"width: 25(\.0+)?%"))

    # 预警: the spending-behind warning of the unit's indicator and the code mismatch of ZF2021002.
    emin.get_by_role("link", name="预警").click()
    table = emin.locator("#warnings")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tr", has_text="warn.spending-behind")).to_contain_text("支出进度 25.00% 低于序时进度 100.00%")
    expect(table.locator("tr", has_text="warn.code-mismatch")).to_contain_text("支付 ZF2021002")
    expect(table.locator("tr", has_text="warn.code-mismatch")).to_contain_text(
        "支付的功能科目 2080701 与指标的 2101301 不一致"
    )
