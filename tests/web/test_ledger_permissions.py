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


# ---------------------------------------------------------------- every ledger page, over two sibling chains
#
# build_chain + build_siblings: 自治区 → 塔城 (→ 额敏县 → 额敏县医疗保障局; → 托里县; → 地区医疗保障局; → 地区退役军人
# 事务局) and 自治区 → 阿勒泰 (→ 布尔津县), payments and a warning at each leaf. Every object has distinctive
# marks (amounts, names, 文号, 支付凭证号); a user who may not see an object must find none of them on any page.

QUERY = {"year": "2021", "fund": "医疗救助补助资金", "as_of": "2021-12-31"}
EVERYONE = set(ROLES)
TACHENG_SIDE = {"region", "tacheng", "audit"}
# Who sees each indicator (and so its amount, holder and payments).
VIEWERS = {
    "I1": TACHENG_SIDE,
    "I1B": {"region", "altay"},
    "I2": TACHENG_SIDE | {"emin"},
    "I3": TACHENG_SIDE | {"yibao"},
    "I4": TACHENG_SIDE | {"emin"},
    "R1": TACHENG_SIDE | {"emin"},
    "T2": TACHENG_SIDE | {"toli"},
    "U2": TACHENG_SIDE,
    "A2": {"region", "altay"},
}
MARKS = {
    "I1": ["1000000.00"],
    "I1B": ["300000.00", "阿勒泰地区"],
    "I2": ["600000.00", "额敏县"],
    "I3": ["200000.00", "塔城地区医疗保障局", "33333.33"],
    "I4": ["500000.00", "额敏县医疗保障局", "120000.00", "额财社〔2021〕3号"],
    "R1": ["-50000.00", "塔地财社〔2021〕9号"],
    "T2": ["托里县", "托财社〔2021〕4号", "77777.00", "PTL6", "4444.44"],
    "U2": ["退役军人事务局", "塔地财社〔2021〕6号", "55555.00", "PTY7", "6666.66"],
    "A2": ["布尔津县", "阿地财社〔2021〕7号", "123456.00", "PBJ8", "2222.22"],
}
DOC_VIEWERS = {
    "D1": TACHENG_SIDE | {"altay"},
    "D2": TACHENG_SIDE | {"emin", "yibao"},
    "D3": TACHENG_SIDE | {"emin"},
    "D4": TACHENG_SIDE | {"emin"},
    "DT": TACHENG_SIDE | {"toli"},
    "DU": TACHENG_SIDE,
    "DA": {"region", "altay"},
}
WARNING_VIEWERS = {
    "toli": TACHENG_SIDE | {"toli"},
    "unit_ty": TACHENG_SIDE,
    "altay": {"region", "altay"},
    "emin": TACHENG_SIDE | {"emin"},
    "unit_yb": TACHENG_SIDE | {"yibao"},
}
FINANCE = {"region", "tacheng", "altay", "emin", "toli"}
READ_ONLY = {"audit", "yibao"}


@pytest.fixture
def world(reference):
    from tests.web.ledger_chain import build_chain, build_siblings

    chain = build_chain()
    more = build_siblings(chain)
    objects = {**chain, "T2": more["T2"], "U2": more["U2"], "A2": more["A2"]}
    objects.update(DT=more["T2"].document, DU=more["U2"].document, DA=more["A2"].document)
    return objects, more["warnings"]


def _text(response) -> str:
    """What a response shows: the page without its header (the user's own region) and without CSRF tokens and
    other long random strings; a workbook as the text of its cells."""
    import re
    from io import BytesIO

    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        from openpyxl import load_workbook

        book = load_workbook(BytesIO(response.content))
        return "\n".join(str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    body = response.content.decode()
    body = re.sub(r"<header.*?</header>", "", body, flags=re.S)
    return re.sub(r"[A-Za-z0-9]{32,}", "", body)


def _reads_of(world_objects, who):
    """Every GET page and endpoint of the ledger with the objects ``who`` may see (200 expected)."""
    import re
    from html import unescape

    urls = [
        "/ledger/documents/",
        "/ledger/documents/?region=654300",
        "/ledger/documents/?region=654224",
        "/ledger/indicators/",
        "/ledger/indicators/?view=pending",
        "/ledger/warnings/",
        "/ledger/warnings/?format=json",
        "/api/ledger/documents/",
        "/api/ledger/documents/?region=654300",
        "/api/ledger/indicators/",
        "/ledger/monitor/?" + "&".join(f"{k}={v}" for k, v in QUERY.items()),
        "/ledger/monitor/export/?" + "&".join(f"{k}={v}" for k, v in QUERY.items()),
    ]
    for key, viewers in VIEWERS.items():
        if who in viewers:
            pk = world_objects[key].pk
            urls += [f"/ledger/indicators/{pk}/", f"/api/ledger/indicators/{pk}/", f"/ledger/trace/indicator/{pk}/"]
    for key, viewers in DOC_VIEWERS.items():
        if who in viewers:
            pk = world_objects[key].pk
            urls += [
                f"/ledger/documents/{pk}/",
                f"/ledger/documents/{pk}/export.xlsx",
                f"/api/ledger/documents/{pk}/",
                f"/ledger/trace/document/{pk}/",
            ]
    return urls, lambda html: [unescape(u) for u in re.findall(r'href="(/ledger/monitor/drill/[^"]+)"', html)]


@pytest.mark.parametrize("who", sorted(EVERYONE - {"region"}))
def test_no_page_shows_what_the_user_may_not_see(who, users, world):
    """Content, not only status: none of the marks of an object outside the user's scope appears anywhere."""
    objects, _ = world
    client = client_for(users[who])
    forbidden = [m for key, marks in MARKS.items() if who not in VIEWERS[key] for m in marks]
    urls, drills = _reads_of(objects, who)
    seen = 0
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (who, url, response.status_code)
        text = _text(response)
        if url.startswith("/ledger/monitor/?"):
            links = drills(response.content.decode())
            assert links, who
            urls += links  # every figure's drill-down, as the page links it
        leaked = [m for m in forbidden if m in text]
        assert not leaked, (who, url, leaked)
        seen += 1
    assert seen > 20


def test_a_unit_user_sees_only_its_own_line(users, world):
    _, warnings = world
    client = client_for(users["yibao"])
    rows = json.loads(client.get("/api/ledger/indicators/").content)
    assert [r["bgt_id"] for r in rows] == ["I3"]
    docs = json.loads(client.get("/api/ledger/documents/").content)
    assert [(d["doc_no"], d["total"]) for d in docs] == [("塔地财社〔2021〕5号", "200000.00")]
    data = json.loads(client.get("/ledger/warnings/?format=json").content)
    assert [d["id"] for d in data] == [warnings["unit_yb"].pk]
    html = client.get("/ledger/monitor/", QUERY).content.decode()
    assert "塔城地区医疗保障局" in html
    assert "200000.00" in html


ROLE_OBJECT_READS = {
    "indicator": ["/ledger/indicators/{pk}/", "/api/ledger/indicators/{pk}/", "/ledger/trace/indicator/{pk}/"],
    "document": [
        "/ledger/documents/{pk}/",
        "/ledger/documents/{pk}/export.xlsx",
        "/api/ledger/documents/{pk}/",
        "/ledger/trace/document/{pk}/",
    ],
}


@pytest.mark.parametrize("who", ROLES)
def test_foreign_ids_answer_exactly_like_missing_ones(who, users, world):
    """Every object page and endpoint: an object outside the scope is 404 with the same body as a missing id."""
    objects, warnings = world
    client, api = client_for(users[who]), api_for(users[who])
    checked = 0
    for kind, viewers_of in (("indicator", VIEWERS), ("document", DOC_VIEWERS)):
        for key, viewers in viewers_of.items():
            for url in ROLE_OBJECT_READS[kind]:
                c = api if url.startswith("/api/") else client
                got = c.get(url.format(pk=objects[key].pk))
                if who in viewers:
                    assert got.status_code == 200, (who, key, url)
                    continue
                missing = c.get(url.format(pk=987654))
                assert got.status_code == missing.status_code == 404, (who, key, url, got.status_code)
                assert got.content == missing.content, (who, key, url)
                checked += 1
    for key, w in warnings.items():
        if who in WARNING_VIEWERS[key]:
            continue
        body = {"status": "verified", "note": "看看"}
        got, missing = (
            client.post(f"/ledger/warnings/{w.pk}/handle/", body),
            client.post("/ledger/warnings/987654/handle/", body),
        )
        assert got.status_code == missing.status_code == 404, (who, key)
        assert got.content == missing.content, (who, key)
        checked += 1
    assert checked or who == "region"


@pytest.mark.parametrize("who", sorted(READ_ONLY))
def test_read_only_roles_get_403_on_every_write(who, users, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fundflow.ledger.models import ImportBatch, Warning

    objects, warnings = world
    client, api = client_for(users[who]), api_for(users[who])

    def state():
        return (
            Document.objects.count(),
            list(Indicator.objects.order_by("pk").values_list("status", "amount")),
            list(Warning.objects.order_by("pk").values_list("status", "note")),
            ImportBatch.objects.count(),
        )

    before = state()
    ind = objects["I3"]  # seen by both (the unit's own line; the auditor's region's)
    doc = objects["D2"]
    writes = [
        (client, f"/ledger/indicators/{ind.pk}/receive/", {"income_code": "1100249"}),
        (client, f"/ledger/indicators/{ind.pk}/reallocate/", {"title": "x", "method": "fixed"}),
        (client, f"/ledger/documents/{doc.pk}/amend/", {}),
        (api, f"/api/ledger/indicators/{ind.pk}/receive/", {}),
        (api, f"/api/ledger/indicators/{ind.pk}/reallocate/", {"spec_yaml": "title: x"}),
        (api, f"/api/ledger/documents/{doc.pk}/amend/", {"kind": "add", "lines": []}),
        (client, "/ledger/warnings/evaluate/", {}),
        (client, f"/ledger/warnings/{warnings['unit_yb'].pk}/handle/", {"status": "verified", "note": "已核实"}),
        (client, "/ledger/indicators/import/", {"file": SimpleUploadedFile("i.csv", b"a,b\n1,2\n")}),
    ]
    for c, url, data in writes:
        status = (c.post(url, data, format="json") if c is api else c.post(url, data)).status_code
        assert status == 403, (who, url, status)
    assert client.get(f"/ledger/documents/{doc.pk}/amend/").status_code == 403
    assert client.get("/ledger/indicators/import/").status_code == 403
    assert state() == before


POST_ONLY = [
    "/ledger/indicators/{ind}/receive/",
    "/ledger/indicators/{ind}/reallocate/",
    "/ledger/warnings/evaluate/",
    "/ledger/warnings/{warning}/handle/",
    "/api/ledger/indicators/{ind}/receive/",
    "/api/ledger/indicators/{ind}/reallocate/",
    "/api/ledger/documents/{doc}/amend/",
]


def test_writes_are_post_only(users, world):
    objects, warnings = world
    client, api = client_for(users["tacheng"]), api_for(users["tacheng"])
    ids = {"ind": objects["I1"].pk, "doc": objects["D2"].pk, "warning": warnings["toli"].pk}
    for url in POST_ONLY:
        c = api if url.startswith("/api/") else client
        assert c.get(url.format(**ids)).status_code == 405, url
    for url in ("/ledger/indicators/{ind}/", "/ledger/documents/{doc}/", "/ledger/monitor/", "/ledger/warnings/"):
        assert client.post(url.format(**ids), {}).status_code == 405, url
    assert api.delete(f"/api/ledger/documents/{ids['doc']}/").status_code == 405
    assert api.put(f"/api/ledger/indicators/{ids['ind']}/", {}).status_code == 405


def test_every_write_needs_the_csrf_token(users, world):
    """Each page's write, posted by its rightful user without the token: 403 and nothing written; with the
    token (as the page's form sends it), done."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fundflow.ledger.models import Warning

    objects, warnings = world
    Indicator.objects.filter(pk=objects["T2"].pk).update(status="pending")
    tacheng, toli = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    tacheng.force_login(users["tacheng"])
    toli.force_login(users["toli"])
    t2, warn = objects["T2"], warnings["toli"]
    cases = [
        (toli, f"/ledger/indicators/{t2.pk}/receive/", {"income_code": "1100249"}),
        (tacheng, f"/ledger/indicators/{objects['I1'].pk}/reallocate/", {"title": "再分配", "method": "fixed"}),
        (tacheng, f"/ledger/documents/{objects['D2'].pk}/amend/", {"kind": "add"}),
        (tacheng, "/ledger/warnings/evaluate/", {}),
        (tacheng, f"/ledger/warnings/{warn.pk}/handle/", {"status": "verified", "note": "已核实"}),
        (tacheng, "/ledger/indicators/import/", {"file": SimpleUploadedFile("i.csv", b"a\n1\n")}),
    ]
    before = (Document.objects.count(), Indicator.objects.get(pk=t2.pk).status, Warning.objects.get(pk=warn.pk).status)
    for c, url, data in cases:
        assert c.post(url, data).status_code == 403, url
    assert (
        Document.objects.count(),
        Indicator.objects.get(pk=t2.pk).status,
        Warning.objects.get(pk=warn.pk).status,
    ) == before
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(users["toli"])  # a browser session on the API: SessionAuthentication checks CSRF too
    assert api.post(f"/api/ledger/indicators/{t2.pk}/receive/", {}, format="json").status_code == 403
    # With the token the forms carry, the same writes go through.
    for c, url, data in cases[3:5] + cases[:1]:
        c.get("/ledger/warnings/")
        token = c.cookies["csrftoken"].value
        assert c.post(url, {**data, "csrfmiddlewaretoken": token}).status_code == 302, url
    assert Indicator.objects.get(pk=t2.pk).status == "received"
    assert Warning.objects.get(pk=warn.pk).status == "verified"


COVERED_NAMES = {
    "ledger:payments",  # walked in tests/web/test_ledger_payments_permissions.py
    "ledger:document-list",
    "ledger:document-detail",
    "ledger:document-export",
    "ledger:document-amend",
    "ledger:plan-issue",
    "ledger:indicator-list",
    "ledger:indicator-detail",
    "ledger:indicator-receive",
    "ledger:indicator-reallocate",
    "ledger:monitor",
    "ledger:monitor-export",
    "ledger:monitor-drill",
    "ledger:trace-indicator",
    "ledger:trace-document",
    "ledger:warning-list",
    "ledger:warning-evaluate",
    "ledger:warning-handle",
    "ledger:indicator-import",
    "ledger-document-list",
    "ledger-document-detail",
    "ledger-document-amend",
    "ledger-indicator-list",
    "ledger-indicator-detail",
    "ledger-indicator-receive",
    "ledger-indicator-reallocate",
}


def test_the_walk_covers_every_ledger_url():
    """A new ledger page or endpoint fails here until it is added to this permission walk."""
    from django.urls import URLPattern, URLResolver, get_resolver

    names = set()

    def walk(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern) and p.name:
                names.add(namespace + p.name)

    walk(get_resolver().url_patterns)
    ledger = {n for n in names if n.startswith(("ledger:", "ledger-"))}
    assert ledger == COVERED_NAMES


@pytest.mark.parametrize(
    ("who", "codes"),
    [
        ("emin", ["650000", "654200", "654224", "654300", "654321", "654221-YB", "654200-YB"]),
        ("toli", ["650000", "654200", "654221"]),
        ("altay", ["650000", "654200", "654221"]),
        ("yibao", ["654200", "650000", "654200-TY", "654221-YB"]),
    ],
)
def test_drill_down_ignores_regions_named_in_the_url(who, codes, users, world):
    """A region or unit code typed into the drill-down URL, above or beside the user's own: 404, no figures."""
    client = client_for(users[who])
    for code in codes:
        for figure in ("received", "allocated_own", "allocated_lower", "spent_own", "spent_total"):
            got = client.get("/ledger/monitor/drill/", {**QUERY, "region": code, "figure": figure})
            assert got.status_code == 404, (who, code, figure)
    # The fund / year / as-of of the query bar pick nothing outside the scope either.
    html = client.get("/ledger/monitor/", {**QUERY, "fund": "医疗救助补助资金"}).content.decode()
    assert "1000000.00" not in html


# ---------------------------------------------------------------- indicator import naming other regions' rows


def _import_row(bgt_id, parent, issuer, recipient, amount):
    header = (
        "指标编号,上级指标编号,文号,发文日期,下达方,接收方,资金名称,项目名称,预算年度,金额,"
        "直达资金标识,收入科目,支出功能科目,经济科目,提前下达"
    )
    row = (
        f"{bgt_id},{parent},额财社〔2021〕77号,2021-06-01,{issuer},{recipient},"
        f"医疗救助补助资金,医疗救助,2021,{amount},01 中央直达资金,1100249,2101301,,否"
    )
    return f"{header}\n{row}\n".encode()


def test_import_cannot_carve_from_an_indicator_held_above(users, world):
    """额敏县 may not import a child of 塔城地区's own indicator (a write in 塔城's books, lowering its balance)."""
    from fundflow.ledger.indicator_import import import_indicators
    from fundflow.ledger.reference import markers_load
    from fundflow.platform.errors import ServiceError

    markers_load()
    before = (Document.objects.count(), Indicator.objects.count())
    with pytest.raises(ServiceError) as refused:
        import_indicators(
            user=users["emin"], filename="e.csv", content=_import_row("E9", "I1", "塔城地区", "额敏县", "1.00")
        )
    assert [p.rule for p in refused.value.problems] == ["ledger.import-out-of-scope"]
    assert (Document.objects.count(), Indicator.objects.count()) == before


@pytest.mark.parametrize("parent", ["I1", "I1B", "A2", "T2"])
def test_import_refusal_names_no_figures_of_an_indicator_out_of_scope(parent, users, world):
    """Naming another region's 指标编号 as 上级指标编号 answers one problem, without that indicator's balance,
    holder or names (the refusal would otherwise read out its available balance)."""
    from fundflow.ledger.indicator_import import import_indicators
    from fundflow.ledger.reference import markers_load
    from fundflow.platform.errors import ServiceError

    markers_load()
    content = _import_row("E9", parent, "新疆维吾尔自治区", "额敏县", "99999999.00").replace(
        "医疗救助,2021".encode(), "别的项目,2021".encode()
    )
    with pytest.raises(ServiceError) as refused:
        import_indicators(user=users["emin"], filename="e.csv", content=content)
    problems = refused.value.problems
    assert [p.rule for p in problems] == ["ledger.import-out-of-scope"]
    text = " ".join(p.message for p in problems)
    for mark in ("1000000", "300000", "123456", "77777", "可用", "塔城地区", "阿勒泰地区", "托里县", "医疗救助"):
        assert mark not in text, (parent, mark, text)


def test_evaluate_button_checks_only_the_users_own_subtree(users, world):
    """立即检查 by 额敏县 finds nothing in 托里县 or 阿勒泰's books; 塔城's finds 托里县's overdue line."""
    import datetime

    from django.utils import timezone

    from fundflow.ledger.models import Warning
    from fundflow.ledger.warnings import warning_rules_load

    objects, _ = world
    warning_rules_load()
    long_ago = timezone.now() - datetime.timedelta(days=400)
    Indicator.objects.filter(pk__in=[objects["T2"].pk, objects["A2"].pk]).update(received_at=long_ago)
    overdue = Warning.objects.filter(rule_id="warn.not-reallocated")
    assert client_for(users["emin"]).post("/ledger/warnings/evaluate/").status_code == 302
    assert not overdue.exists()
    assert client_for(users["tacheng"]).post("/ledger/warnings/evaluate/").status_code == 302
    assert list(overdue.values_list("details__subject", "region__code")) == [("T2", "654224")]
