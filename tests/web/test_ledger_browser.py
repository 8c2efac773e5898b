"""Browser test of the ledger chain: the 自治区 issues seed 001 from the approved plan's page, 塔城地区 receives its
line and re-allocates it at its own level; the new plan's total is taken from the indicator."""

from __future__ import annotations

import re

import pytest

from tests.web.test_browser import chromium, log_in, new_page  # noqa: F401
from tests.web.test_ledger_pages import SEED_DOC, TACHENG_YUAN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def approved_seed(users):
    from fundflow.allocations import services as alloc
    from fundflow.io.plan_writer import plan_to_yaml
    from fundflow.io.plan_yaml import load_plan
    from fundflow.ledger.reference import markers_load
    from tests.conftest import EXAMPLES

    markers_load()
    plan = load_plan(EXAMPLES / "xinjiang-2021-medical-aid.yaml")
    return alloc.plan_seed(
        user=users["region"],
        plan=plan,
        spec_yaml=plan_to_yaml(plan, rows=False),
        document_number=SEED_DOC,
        approve=True,
    )


def test_issue_receive_and_reallocate(new_page, users, approved_seed):  # noqa: F811
    from playwright.sync_api import expect

    from fundflow.allocations.models import AllocationPlan
    from fundflow.ledger.models import Indicator

    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    region = new_page()
    region.on("dialog", accept)
    log_in(region, users["region"])
    region.goto(f"/allocations/{approved_seed.pk}/")
    region.locator("#issue-box summary").click()
    expect(region.get_by_label("文号")).to_have_value(SEED_DOC)
    region.get_by_label("发文日期").fill("2020-11-20")
    region.get_by_label("主送").fill("各地、州、市财政局")
    region.get_by_label("直达资金标识").select_option("01|中央直达资金")
    region.get_by_label("收入科目").fill("1100249")
    region.locator("#issue").click()
    expect(region.locator("#doc-no")).to_have_text(SEED_DOC)
    assert "文件一经下达不能修改" in dialogs[-1]
    expect(region.locator("#lines tbody tr")).to_have_count(14)
    expect(region.locator("#lines-total")).to_have_text("101782.00")
    expect(region.locator("#lines-total")).to_have_attribute("title", "1017820000.00 元")

    tacheng = new_page()
    tacheng.on("dialog", accept)
    log_in(tacheng, users["tacheng"])
    tacheng.get_by_role("link", name="指标管理").click()
    tacheng.locator("#pending-link").click()
    expect(tacheng.locator("#indicators tbody tr")).to_have_count(1)
    tacheng.get_by_role("link", name="接收", exact=True).click()
    tacheng.locator("#receive input[name=income_code]").fill("1100249")
    tacheng.locator("#receive-submit").click()
    expect(tacheng.locator("#status")).to_have_text("已接收")
    expect(tacheng.locator("#available")).to_have_attribute("title", f"{TACHENG_YUAN:.2f} 元")
    expect(tacheng.locator("#history")).to_contain_text("状态：待接收 → 已接收")
    tacheng.locator("#reallocate input[name=title]").fill("塔城地区2021年医疗救助补助资金分配表")
    tacheng.locator("#reallocate select[name=method]").select_option("fixed")
    tacheng.locator("#reallocate-submit").click()
    expect(tacheng).to_have_url(re.compile(r"/allocations/\d+/$"))
    expect(tacheng.locator("h1")).to_have_text("塔城地区2021年医疗救助补助资金分配表")
    expect(tacheng.locator("#plan-source")).to_contain_text("2525.00 万元")
    plan = AllocationPlan.objects.get(title="塔城地区2021年医疗救助补助资金分配表")
    indicator = Indicator.objects.get(rec_region__code="654200")
    assert (plan.fund, plan.region.code) == (indicator.fund, "654200")
    assert "total: 2525\n" in plan.spec_yaml
