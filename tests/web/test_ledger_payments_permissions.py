"""Permission walk over the 国库集中支付 page (/ledger/payments/): GET, the upload POST and the re-match POST with
every role and anonymously; auditors and unit users read only (403, nothing written); a finance user imports and
re-matches only within its region subtree; the 待匹配 queue shows only the viewer's own subtree."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fundflow.ledger.models import ImportBatch, Payment
from tests.web.test_ledger_payments import csv_bytes, make_indicator

pytestmark = pytest.mark.django_db

URL = "/ledger/payments/"
ROLES = ["region", "tacheng", "altay", "emin", "toli", "yibao", "audit"]
FINANCE = {"region", "tacheng", "altay", "emin", "toli"}
REGION_OF = {"region": "650000", "tacheng": "654200", "altay": "654300", "emin": "654221", "toli": "654224"}
# Who sees the waiting payments of 额敏县 (654221) and of its sibling 托里县 (654224).
SEES_EMIN = {"region", "tacheng", "emin", "audit"}
SEES_TOLI = {"region", "tacheng", "toli", "audit"}


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def upload(name, rows):
    return SimpleUploadedFile(name, csv_bytes(rows), content_type="text/csv")


def waiting_row(no, bgt="6542212099000001"):
    return (no, "2025-03-01", bgt, "某单位", "某医院", "100.00", "", "30307", "2101202", "医疗救助")


def expected_for(who):
    return {no for no, seers in (("EM-WAIT-1", SEES_EMIN), ("TL-WAIT-1", SEES_TOLI)) if who in seers}


def waiting_numbers(html):
    """The 支付凭证号 cells of the 待匹配 table (second cell of each waiting row)."""
    return set(re.findall(r'<tr class="waiting"><td>[^<]*</td><td>([^<]+)</td>', html))


@pytest.fixture
def waiting(users):
    """One waiting (待匹配) payment in each of two sibling counties, imported by their own finance bureaus."""
    from fundflow.ledger.payments import import_payments

    for who, no in (("emin", "EM-WAIT-1"), ("toli", "TL-WAIT-1")):
        user = users[who]
        import_payments(
            user=user,
            filename=f"{who}.csv",
            source=csv_bytes([waiting_row(no, bgt=f"{REGION_OF[who]}2025009999")]),
            region=REGION_OF[who],
        )
    assert Payment.objects.filter(status="unmatched").count() == 2


def test_anonymous_is_sent_to_log_in(waiting):
    client = Client()
    for response in (client.get(URL), client.post(URL, {"action": "rematch"})):
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    assert Payment.objects.filter(status="unmatched").count() == 2


@pytest.mark.parametrize("who", ROLES)
def test_get_shows_only_the_users_own_waiting_rows(who, users, waiting):
    response = client_for(users[who]).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    expected = expected_for(who)
    assert waiting_numbers(html) == expected, who
    # Only finance bureaus get the upload form and the 重新匹配 button (when they see something waiting).
    assert ('enctype="multipart/form-data"' in html) == (who in FINANCE)
    assert ('name="action" value="rematch"' in html) == (who in FINANCE and bool(expected))


@pytest.mark.parametrize("who", ROLES)
def test_upload(who, users, waiting):
    client = client_for(users[who])
    before = (Payment.objects.count(), ImportBatch.objects.count())
    response = client.post(URL, {"file": upload(f"{who}.csv", [waiting_row(f"{who}-1")])})
    if who not in FINANCE:
        assert response.status_code == 403, who
        assert "只有财政部门用户可以导入国库集中支付数据" in response.content.decode()
        assert (Payment.objects.count(), ImportBatch.objects.count()) == before
        return
    assert response.status_code == 200, who
    written = Payment.objects.get(pay_app_no=f"{who}-1")
    assert (written.payer_region.code, written.status) == (REGION_OF[who], "unmatched")
    assert f"{who}-1" in waiting_numbers(response.content.decode())


@pytest.mark.parametrize("who", ["emin", "toli", "altay"])
def test_upload_for_a_region_outside_the_subtree_is_refused(who, users, waiting):
    before = (Payment.objects.count(), ImportBatch.objects.count())
    other = "654224" if who == "emin" else "654221"
    response = client_for(users[who]).post(URL, {"file": upload("x.csv", [waiting_row("X-1")]), "region": other})
    assert response.status_code == 403
    assert "付款地区不在您的管辖范围内" in response.content.decode()
    assert (Payment.objects.count(), ImportBatch.objects.count()) == before


@pytest.mark.parametrize("who", ROLES)
def test_rematch(who, users, waiting):
    """Both waiting payments' indicators arrive; a re-match matches only the user's own subtree's payment."""
    from fundflow.ledger.models import Indicator

    for code in ("654221", "654224"):
        make_indicator(f"{code}2025009999", "1000.00", holder=code)
    response = client_for(users[who]).post(URL, {"action": "rematch"})
    matched = set(Payment.objects.filter(status="matched").values_list("pay_app_no", flat=True))
    if who not in FINANCE:
        assert response.status_code == 403, who
        assert matched == set()
        return
    assert response.status_code == 200, who
    expected = expected_for(who)
    assert matched == expected, who
    assert f"重新匹配完成：{len(expected)} 笔待匹配支付已匹配到指标。" in response.content.decode()
    for p in Payment.objects.filter(status="matched"):
        assert p.indicator == Indicator.objects.get(bgt_id=p.bgt_id)
        assert (p.amount, p.pay_date) == (Decimal("100.00"), datetime.date(2025, 3, 1))
