"""Pages of documents and indicators on seed 001 (新财社〔2020〕34号, 101782 万元 to 14 prefectures): issuing from
the approved plan's page, the document in its official layout, receiving, re-allocating, amending; each refusal
names its rule and writes nothing."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client

from fundflow.allocations import services as alloc
from fundflow.io.plan_writer import plan_to_yaml
from fundflow.io.plan_yaml import load_plan
from fundflow.ledger import services as ledger
from fundflow.ledger.models import Document, Indicator, PlanSource
from fundflow.ledger.reference import markers_load
from tests.conftest import EXAMPLES
from tests.web.test_ledger_services import SEED_DATE, SEED_DOC, _approve

pytestmark = pytest.mark.django_db

TOTAL_YUAN = Decimal("1017820000.00")
TACHENG_YUAN = Decimal("25250000.00")  # 塔城地区: 2525 万元 (946 + 667 + 912)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def _tacheng(document):
    return document.indicators.get(rec_region__code="654200")


ISSUE_FORM = {
    "number": SEED_DOC,
    "doc_date": "2020-11-20",
    "title": "关于提前下达2021年中央财政医疗救助补助资金预算的通知",
    "issuer_office": "新疆维吾尔自治区财政厅",
    "main_recipients": "各地、州、市财政局",
    "basis_text": "财社〔2020〕130号",
    "cc": "自治区医疗保障局",
    "attachments": "2021年中央财政医疗救助补助资金分配表\n绩效目标表",
    "income_code": "1100249",
    "tp_func_code": "2300249",
    "exp_func_code": "2101301",
    "marker": "01|中央直达资金",
    "advance": "on",
    "budget_year": "2021",
}


@pytest.fixture
def markers(db):
    markers_load()


@pytest.fixture
def seed_plan(users):
    """Seed 001 approved in the 自治区 (as in test_ledger_services)."""
    plan = load_plan(EXAMPLES / "xinjiang-2021-medical-aid.yaml")
    return alloc.plan_seed(
        user=users["region"],
        plan=plan,
        spec_yaml=plan_to_yaml(plan, rows=False),
        document_number=SEED_DOC,
        approve=True,
    )


@pytest.fixture
def issued(users, seed_plan):
    return ledger.issue_plan(user=users["region"], plan=seed_plan, doc=ledger.DocFields(doc_date=SEED_DATE))


def test_plan_page_offers_the_issue_form_only_to_its_own_finance_bureau(users, seed_plan, markers):
    url = f"/allocations/{seed_plan.pk}/"
    page = client_for(users["region"]).get(url).content.decode()
    assert 'id="issue-form"' in page
    assert "下达后将印发预算指标文件" in page
    assert 'value="01|中央直达资金"' in page
    for who in ("tacheng", "audit"):
        assert 'id="issue-form"' not in client_for(users[who]).get(url).content.decode(), who


def test_issue_from_the_plan_page(users, seed_plan, markers):
    client = client_for(users["region"])
    response = client.post(f"/ledger/plans/{seed_plan.pk}/issue/", ISSUE_FORM)
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/ledger/documents/{document.pk}/"
    assert (document.doc_no, document.doc_date, document.advance, document.budget_year) == (
        SEED_DOC,
        datetime.date(2020, 11, 20),
        True,
        2021,
    )
    assert document.attachments == ["2021年中央财政医疗救助补助资金分配表", "绩效目标表"]
    lines = list(document.indicators.all())
    assert len(lines) == 14
    assert sum(i.amount for i in lines) == TOTAL_YUAN
    assert {(i.income_code, i.exp_func_code, i.marker_code, i.marker_name) for i in lines} == {
        ("1100249", "2101301", "01", "中央直达资金")
    }
    page = client.get(response["Location"]).content.decode()
    assert "新财社〔2020〕34号" in page
    assert "各地、州、市财政局：" in page
    assert "抄送：自治区医疗保障局" in page
    assert "<li>绩效目标表</li>" in page
    assert "01 中央直达资金" in page
    assert "财社〔2020〕130号" in page
    assert '<strong id="advance">提前下达</strong>' in page
    assert 'title="1017820000.00 元" id="lines-total">101782.00<' in page
    tacheng = _tacheng(document)
    assert f'title="{tacheng.amount:.2f} 元">{tacheng.amount / 10000:.2f}<' in page
    # The plan's page now links the document instead of offering the form again.
    plan_page = client.get(f"/allocations/{seed_plan.pk}/").content.decode()
    assert f'href="/ledger/documents/{document.pk}/">{SEED_DOC}</a>' in plan_page
    assert 'id="issue-form"' not in plan_page


def _no_writes():
    return (Document.objects.count(), Indicator.objects.count(), PlanSource.objects.count())


def test_issue_refusals_name_their_rule(users, seed_plan, plans, markers):
    client = client_for(users["region"])
    draft = plans["region"]
    before = _no_writes()
    response = client.post(f"/ledger/plans/{draft.pk}/issue/", {**ISSUE_FORM, "number": "新财社"})
    assert response.status_code == 400
    assert f"分配方案“{draft.title}”尚未审定，不能下达" in response.content.decode()
    assert _no_writes() == before
    client.post(f"/ledger/plans/{seed_plan.pk}/issue/", ISSUE_FORM)
    before = _no_writes()
    again = client.post(f"/ledger/plans/{seed_plan.pk}/issue/", {**ISSUE_FORM, "number": "新财社"})
    assert again.status_code == 400
    assert f"已由 {SEED_DOC} 下达，不能重复下达" in again.content.decode()
    approved = _approve(users["region"], draft)
    taken = client.post(f"/ledger/plans/{approved.pk}/issue/", {**ISSUE_FORM, "number": "新财社[2020]34 号"})
    assert taken.status_code == 400
    assert f"文号“{SEED_DOC}”已被使用，文号不得重复" in taken.content.decode()
    bad = client.post(f"/ledger/plans/{approved.pk}/issue/", {**ISSUE_FORM, "number": "新财社〔二〇二〇〕号"})
    assert bad.status_code == 400
    assert "文号“新财社〔二〇二〇〕号”格式不对" in bad.content.decode()
    assert _no_writes() == before
    # Another region's finance bureau, which sees the plan (the 自治区 sees 塔城's), may not issue it: 403.
    tacheng_plan = _approve(users["tacheng"], plans["tacheng"])
    assert client.post(f"/ledger/plans/{tacheng_plan.pk}/issue/", ISSUE_FORM).status_code == 403
    assert client_for(users["altay"]).post(f"/ledger/plans/{tacheng_plan.pk}/issue/", ISSUE_FORM).status_code == 404
    assert _no_writes() == before


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_tacheng_line_is_what_tacheng_sees(users, issued):
    """A prefecture sees the 自治区's document with only its own line, and its 待接收 list."""
    tacheng = _tacheng(issued)
    assert tacheng.amount == TACHENG_YUAN
    client = client_for(users["tacheng"])
    page = _page(client, f"/ledger/documents/{issued.pk}/")
    assert page.count('">6500002021') == 1  # one bgt_id link: 塔城's own line
    assert f'title="{TACHENG_YUAN:.2f} 元" id="lines-total">' in page
    assert "阿勒泰地区" not in page
    pending = _page(client, "/ledger/indicators/?view=pending")
    assert "待接收（1）" in pending
    assert tacheng.bgt_id in pending
    for who in ("emin", "toli", "yibao"):  # nothing below 塔城 was issued yet
        assert issued.doc_no not in _page(client_for(users[who]), "/ledger/documents/"), who
    altay = issued.indicators.get(rec_region__code="654300")
    page = _page(client_for(users["altay"]), f"/ledger/documents/{issued.pk}/")
    assert altay.bgt_id in page
    assert tacheng.bgt_id not in page


def test_document_list_query_bar(users, issued, plans):
    client = client_for(users["region"])
    assert SEED_DOC in _page(client, "/ledger/documents/?year=2021&region=塔城地区&fund=医疗救助&direct=0")
    assert SEED_DOC not in _page(client, "/ledger/documents/?year=2020")
    assert SEED_DOC not in _page(client, "/ledger/documents/?direct=1")  # issued without a marker
    assert SEED_DOC not in _page(client, "/ledger/documents/?fund=优抚")
    assert SEED_DOC in _page(client, "/ledger/documents/?region=654200")


def test_receive_with_history(users, issued):
    tacheng = _tacheng(issued)
    client = client_for(users["tacheng"])
    page = _page(client, f"/ledger/indicators/{tacheng.pk}/")
    assert 'id="receive"' in page
    assert "确认接收后" in page
    before = _no_writes()
    response = client.post(f"/ledger/indicators/{tacheng.pk}/receive/", {"income_code": "1100249"})
    assert response.status_code == 302
    tacheng.refresh_from_db()
    assert (tacheng.status, tacheng.received_by, tacheng.received_income_code) == (
        "received",
        users["tacheng"],
        "1100249",
    )
    assert _no_writes() == before
    page = _page(client, f"/ledger/indicators/{tacheng.pk}/")
    history = re.search(r'<table class="grid" id="history">.*?</table>', page, re.S).group(0)
    assert "u-tacheng" in history
    assert "状态：待接收 → 已接收" in history
    assert "收入科目：（空） → 1100249" in history
    assert "接收人：（空） → u-tacheng" in history
    again = client.post(f"/ledger/indicators/{tacheng.pk}/receive/", {"income_code": "1100249"})
    assert again.status_code == 400
    assert f"指标 {tacheng.bgt_id} 已于" in again.content.decode()
    assert 'id="reallocate"' in _page(client, f"/ledger/indicators/{tacheng.pk}/")


def test_receive_refusals(users, issued):
    tacheng, altay = _tacheng(issued), issued.indicators.get(rec_region__code="654300")
    assert client_for(users["region"]).post(f"/ledger/indicators/{tacheng.pk}/receive/").status_code == 403
    assert client_for(users["audit"]).post(f"/ledger/indicators/{tacheng.pk}/receive/").status_code == 403
    assert client_for(users["tacheng"]).post(f"/ledger/indicators/{altay.pk}/receive/").status_code == 404
    assert client_for(users["emin"]).post(f"/ledger/indicators/{tacheng.pk}/receive/").status_code == 404
    assert Indicator.objects.filter(status="received").count() == 0


def test_reallocate_creates_the_plan_from_the_indicator(users, issued):
    from fundflow.allocations.models import AllocationPlan

    tacheng = _tacheng(issued)
    client = client_for(users["tacheng"])
    refused = client.post(f"/ledger/indicators/{tacheng.pk}/reallocate/", {"title": "x", "method": "factor"})
    assert refused.status_code == 400
    assert f"指标 {tacheng.bgt_id} 尚未接收" in refused.content.decode()
    client.post(f"/ledger/indicators/{tacheng.pk}/receive/", {"income_code": "1100249"})
    response = client.post(
        f"/ledger/indicators/{tacheng.pk}/reallocate/", {"title": "塔城地区医疗救助补助资金分配表", "method": "factor"}
    )
    plan = AllocationPlan.objects.get(title="塔城地区医疗救助补助资金分配表")
    assert response["Location"] == f"/allocations/{plan.pk}/"
    assert (plan.fund, plan.year, plan.region.code) == (tacheng.fund, 2021, "654200")
    assert "unit: 万元\n" in plan.spec_yaml
    assert "total: 2525\n" in plan.spec_yaml
    page = _page(client, f"/allocations/{plan.pk}/")
    assert f'href="/ledger/indicators/{tacheng.pk}/">{tacheng.bgt_id}</a>' in page
    assert client_for(users["region"]).post(f"/ledger/indicators/{tacheng.pk}/reallocate/").status_code == 403


def test_amend_page(users, issued):
    tacheng = _tacheng(issued)
    client = client_for(users["region"])
    assert 'id="amend-form"' in _page(client, f"/ledger/documents/{issued.pk}/amend/")
    form = {"kind": "reduce", "number": "新财社", "doc_date": "2021-03-02", "title": "关于调减的通知"}
    too_much = client.post(
        f"/ledger/documents/{issued.pk}/amend/", {**form, f"amount-{tacheng.pk}": f"{TACHENG_YUAN + 1}"}
    )
    assert too_much.status_code == 400
    assert "未调整" in too_much.content.decode()
    assert Document.objects.count() == 1
    response = client.post(f"/ledger/documents/{issued.pk}/amend/", {**form, f"amount-{tacheng.pk}": "100.00"})
    new = Document.objects.get(amends=issued)
    assert response["Location"] == f"/ledger/documents/{new.pk}/"
    assert (new.doc_no, new.kind) == ("新财社〔2021〕1号", "reduce")
    [row] = new.indicators.all()
    assert (row.amount, row.reduces) == (Decimal("-100.00"), tacheng)
    assert f'href="/ledger/documents/{new.pk}/">新财社〔2021〕1号</a>' in _page(
        client, f"/ledger/documents/{issued.pk}/"
    )
    assert f'id="amends">{SEED_DOC}</a>' in _page(client, f"/ledger/documents/{new.pk}/")
    available = _page(client_for(users["tacheng"]), f"/ledger/indicators/{tacheng.pk}/")
    assert f'title="{TACHENG_YUAN - 100:.2f} 元" id="available"' in available
    for who in ("tacheng", "audit"):
        assert client_for(users[who]).post(f"/ledger/documents/{issued.pk}/amend/", form).status_code == 403, who


def test_document_export_is_exact_in_yuan(users, issued):
    from io import BytesIO

    from openpyxl import load_workbook

    response = client_for(users["tacheng"]).get(f"/ledger/documents/{issued.pk}/export.xlsx")
    ws = load_workbook(BytesIO(response.content)).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0] == ["文号", SEED_DOC] + [None] * 6
    assert len(rows) == 4 + 1 + 1  # heading rows, 塔城's own line, total
    assert rows[4][1] == "塔城地区"
    assert Decimal(str(rows[4][6])) == TACHENG_YUAN
