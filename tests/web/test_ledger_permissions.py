"""Permission walk over every ledger page and endpoint of documents and indicators, with every role.

Seed 001 issued by the 自治区: a line the user cannot see (another prefecture's) answers 404 exactly like a
missing id; a visible object the user may only read gives 200 on reads and 403 on writes.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from fundflow.ledger.models import Document, Indicator
from tests.web import test_ledger_pages as pages
from tests.web.test_ledger_pages import TACHENG_YUAN, TOTAL_YUAN

seed_plan = pages.seed_plan  # the same fixtures: seed 001 approved, and issued by the 自治区
issued = pages.issued

pytestmark = pytest.mark.django_db

ROLES = ["region", "tacheng", "altay", "emin", "toli", "yibao", "audit"]
# Who sees the 自治区's document, and 塔城's line of it.
SEES_DOCUMENT = {"region", "tacheng", "altay", "audit"}
SEES_TACHENG_LINE = {"region", "tacheng", "audit"}

DOC_READS = ["/ledger/documents/{pk}/", "/ledger/documents/{pk}/export.xlsx", "/api/ledger/documents/{pk}/"]
IND_READS = ["/ledger/indicators/{pk}/", "/api/ledger/indicators/{pk}/"]
DOC_WRITES = ["/ledger/documents/{pk}/amend/", "/api/ledger/documents/{pk}/amend/"]
IND_WRITES = [
    "/ledger/indicators/{pk}/receive/",
    "/ledger/indicators/{pk}/reallocate/",
    "/api/ledger/indicators/{pk}/receive/",
    "/api/ledger/indicators/{pk}/reallocate/",
]
LISTS = ["/ledger/documents/", "/ledger/indicators/", "/ledger/indicators/?view=pending"]
MAY_AMEND = {"region"}  # the issuer's finance bureau
MAY_RECEIVE = {"tacheng"}  # the receiving region's own finance bureau


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("who", ROLES)
def test_reads(who, users, issued):
    client = client_for(users[who])
    tacheng = issued.indicators.get(rec_region__code="654200")
    for url in LISTS:
        assert client.get(url).status_code == 200, (who, url)
    for url in DOC_READS:
        status = client.get(url.format(pk=issued.pk)).status_code
        assert status == (200 if who in SEES_DOCUMENT else 404), (who, url, status)
    for url in IND_READS:
        status = client.get(url.format(pk=tacheng.pk)).status_code
        assert status == (200 if who in SEES_TACHENG_LINE else 404), (who, url, status)


@pytest.mark.parametrize("who", ROLES)
def test_writes(who, users, issued, seed_plan):
    page, api = client_for(users[who]), api_for(users[who])
    tacheng = issued.indicators.get(rec_region__code="654200")
    before = (Document.objects.count(), list(Indicator.objects.values_list("status", flat=True)))
    for url in DOC_WRITES:
        client = api if url.startswith("/api/") else page
        status = client.post(url.format(pk=issued.pk), {}).status_code
        if who not in SEES_DOCUMENT:
            assert status == 404, (who, url, status)
        elif who not in MAY_AMEND:
            assert status == 403, (who, url, status)
    for url in IND_WRITES:
        if who in MAY_RECEIVE:
            continue  # allowed writes are covered by the page and API tests
        client = api if url.startswith("/api/") else page
        status = client.post(url.format(pk=tacheng.pk), {}).status_code
        if who not in SEES_TACHENG_LINE:
            assert status == 404, (who, url, status)
        elif who not in MAY_RECEIVE:
            assert status == 403, (who, url, status)
    for url in (f"/ledger/plans/{seed_plan.pk}/issue/",):
        status = page.post(url, {}).status_code
        expected = 404 if who not in {"region"} else 400  # only the 自治区 sees its plan; already issued
        assert status == expected, (who, url, status)
    status = api.post("/api/ledger/documents/", {"plan": seed_plan.pk}, format="json").status_code
    assert status == (400 if who == "region" else 404), (who, status)
    assert (Document.objects.count(), list(Indicator.objects.values_list("status", flat=True))) == before


def test_missing_and_foreign_ids_answer_alike(users, issued):
    altay = issued.indicators.get(rec_region__code="654300")
    client = client_for(users["tacheng"])
    for url in ("/ledger/indicators/{pk}/", "/ledger/indicators/{pk}/receive/"):
        call = client.get if "receive" not in url else client.post
        foreign, missing = call(url.format(pk=altay.pk)), call(url.format(pk=999999))
        assert foreign.status_code == missing.status_code == 404, url
        assert foreign.content == missing.content, url
    api = api_for(users["emin"])
    foreign, missing = api.get(f"/api/ledger/documents/{issued.pk}/"), api.get("/api/ledger/documents/999999/")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content


def test_api_documents_and_indicators(users, issued):
    region = api_for(users["region"])
    docs = json.loads(region.get("/api/ledger/documents/?year=2021&region=654200").content)
    assert [(d["doc_no"], d["total"]) for d in docs] == [("新财社〔2020〕34号", f"{TOTAL_YUAN:.2f}")]
    detail = json.loads(region.get(f"/api/ledger/documents/{issued.pk}/").content)
    assert len(detail["lines"]) == 14
    tacheng_api = api_for(users["tacheng"])
    mine = json.loads(tacheng_api.get(f"/api/ledger/documents/{issued.pk}/").content)
    [line] = mine["lines"]
    assert (line["rec_region"], line["amount"], mine["total"]) == ("654200", "25250000.00", "25250000.00")
    pending = json.loads(tacheng_api.get("/api/ledger/indicators/?status=pending").content)
    assert [p["bgt_id"] for p in pending] == [line["bgt_id"]]
    got = tacheng_api.post(f"/api/ledger/indicators/{line['id']}/receive/", {"income_code": "1100249"}, format="json")
    body = json.loads(got.content)
    assert got.status_code == 200
    assert (body["status"], body["received_by"], body["received_income_code"]) == ("received", "u-tacheng", "1100249")
    assert body["figures"]["available"] == f"{TACHENG_YUAN:.2f}"
    again = tacheng_api.post(f"/api/ledger/indicators/{line['id']}/receive/", {}, format="json")
    assert again.status_code == 400
    assert [p["rule"] for p in json.loads(again.content)["problems"]] == ["ledger.already-received"]
    spec = "title: 塔城地区医疗救助补助资金分配表\nunit: 万元\nmethod: fixed\nrounding: {places: 2}\n"
    made = tacheng_api.post(f"/api/ledger/indicators/{line['id']}/reallocate/", {"spec_yaml": spec}, format="json")
    assert made.status_code == 201
    assert json.loads(made.content)["fund"] == line["fund"]


def test_api_issue_and_refusals(users, seed_plan):
    from fundflow.ledger.reference import markers_load

    markers_load()
    api = api_for(users["region"])
    body = {"plan": seed_plan.pk, "doc_no": "新财社〔2020〕34号", "doc_date": "2020-11-20"}
    bad_marker = api.post("/api/ledger/documents/", {**body, "marker_code": "01", "marker_name": "乱写"}, format="json")
    assert bad_marker.status_code == 400
    assert Document.objects.count() == 0
    made = api.post(
        "/api/ledger/documents/", {**body, "marker_code": "01", "marker_name": "中央直达资金"}, format="json"
    )
    assert made.status_code == 201
    data = json.loads(made.content)
    assert (data["doc_no"], data["total"], len(data["lines"]), data["advance"]) == (
        "新财社〔2020〕34号",
        f"{TOTAL_YUAN:.2f}",
        14,
        True,
    )
    assert {ln["marker_name"] for ln in data["lines"]} == {"中央直达资金"}
    again = api.post("/api/ledger/documents/", body, format="json")
    assert again.status_code == 400
    assert [p["rule"] for p in json.loads(again.content)["problems"]] == ["ledger.plan-issued"]
    assert api_for(users["audit"]).post("/api/ledger/documents/", body, format="json").status_code == 404


def test_schema_lists_the_ledger_endpoints(users):
    schema = client_for(users["audit"]).get("/api/schema/").content
    for path in (b"/api/ledger/documents/{id}/", b"/api/ledger/indicators/{id}/receive/", b"/api/ledger/documents/"):
        assert path in schema
