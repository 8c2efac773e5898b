"""直达资金监控 and 指标追溯 pages: scoped rows, drill-down links, export, trace tree and Sankey data."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from tests.web.ledger_chain import FUND, build_chain

QUERY = {"year": "2021", "fund": FUND, "as_of": "2021-12-31"}


@pytest.fixture
def chain(reference):
    return build_chain()


def _client(client, user):
    client.force_login(user)
    return client


def _regions(html):
    return re.findall(r'<td class="depth-\d">([^<]+)</td>', html)


def test_monitor_page_region_user_sees_everything(client, users, chain):
    html = _client(client, users["region"]).get("/ledger/monitor/", QUERY).content.decode()
    assert _regions(html) == ["新疆维吾尔自治区", "塔城地区", "额敏县", "阿勒泰地区"]
    assert "223333.33" in html
    assert "22.33%" in html
    assert 'style="width: 22%"' in html
    assert "导出 Excel" in html
    assert 'href="/ledger/monitor/">直达资金监控</a>' in html.replace(' class="active"', "")


def test_monitor_page_opens_on_a_fund_with_figures_in_the_latest_year(client, users, chain):
    """Without a query the page shows the latest year and a fund of that year, even when the first fund in name
    order has figures only in an earlier year (it used to open empty)."""
    from fundflow.ledger.models import Indicator

    Indicator.objects.filter(bgt_id="I1B").update(fund="0早年资金", fiscal_year=2020)
    html = _client(client, users["region"]).get("/ledger/monitor/").content.decode()
    assert "塔城地区" in _regions(html)
    assert f'<option value="{FUND}" selected' in html


def test_monitor_page_county_user_sees_its_subtree_only(client, users, chain):
    html = _client(client, users["emin"]).get("/ledger/monitor/", QUERY).content.decode()
    assert _regions(html) == ["额敏县"]
    assert "塔城地区" not in re.sub(r"<header.*?</header>", "", html, flags=re.S)
    assert "34.55%" in html


def test_monitor_page_unit_user_sees_its_own_line(client, users, chain):
    html = _client(client, users["yibao"]).get("/ledger/monitor/", QUERY).content.decode()
    assert re.findall(r'<td class="depth-\d">([^<]+)</td>', html) == ["塔城地区医疗保障局"]
    assert "200000.00" in html
    assert "16.67%" in html
    drill = [unescape(u) for u in re.findall(r'href="(/ledger/monitor/drill/[^"]+)"', html)]
    spent = next(u for u in drill if "figure=spent_own" in u)
    page = client.get(spent).content.decode()
    # Payment numbers as table cells: a bare "P1" could also occur inside the page's random CSRF token.
    assert "<td>P4</td>" in page
    assert "<td>P1</td>" not in page


def test_drill_down_links_list_indicators_and_payments(client, users, chain):
    html = _client(client, users["tacheng"]).get("/ledger/monitor/", QUERY).content.decode()
    links = [unescape(u) for u in re.findall(r'href="(/ledger/monitor/drill/[^"]+)"', html)]
    lower = next(u for u in links if "region=654200" in u and "figure=allocated_lower" in u)
    page = client.get(lower)
    assert page.status_code == 200
    text = page.content.decode()
    assert "I2" in text
    assert "R1" in text  # the reduction, negative
    assert "-50000.00" in text
    assert "新财社〔2021〕1号" in text  # upper 文号 next to the own 文号
    assert "塔地财社〔2021〕5号" in text
    total = next(u for u in links if "region=654200" in u and "figure=spent_total" in u)
    text = client.get(total).content.decode()
    for no in ("P1", "P2", "P3", "P4"):
        assert f"<td>{no}</td>" in text
    assert "<td>P5</td>" not in text  # waiting to be matched
    # A region outside the user's subtree answers 404 like a missing one.
    assert client.get("/ledger/monitor/drill/", {**QUERY, "region": "654300", "figure": "received"}).status_code == 404
    assert client.get("/ledger/monitor/drill/", {**QUERY, "region": "654200", "figure": "nope"}).status_code == 404


def test_monitor_export_is_a_workbook(client, users, chain):
    from io import BytesIO

    from openpyxl import load_workbook

    response = _client(client, users["emin"]).get("/ledger/monitor/export/", QUERY)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[3:]] == ["654221"]


def test_trace_pages_tree_and_sankey_data(client, users, chain):
    c = _client(client, users["region"])
    html = c.get(f"/ledger/trace/indicator/{chain['I4'].pk}/").content.decode()
    assert "echarts.min.js" in html
    assert "trace_sankey.js" in html
    data = json.loads(re.search(r'<script id="trace-data" type="application/json">(.*?)</script>', html, re.S)[1])
    assert data["id"] == "I1"
    assert "额敏县医疗保障局" in html
    assert "P3" in html
    doc = c.get(f"/ledger/trace/document/{chain['D2'].pk}/").content.decode()
    data = json.loads(re.search(r'<script id="trace-data" type="application/json">(.*?)</script>', doc, re.S)[1])
    assert [t["id"] for t in data["indicators"]] == ["I2", "I3"]


def test_trace_pages_are_scoped(client, users, chain):
    c = _client(client, users["emin"])
    assert c.get(f"/ledger/trace/indicator/{chain['I1B'].pk}/").status_code == 404
    assert c.get("/ledger/trace/indicator/999999/").status_code == 404
    html = c.get(f"/ledger/trace/indicator/{chain['I4'].pk}/").content.decode()
    data = json.loads(re.search(r'<script id="trace-data" type="application/json">(.*?)</script>', html, re.S)[1])
    assert data["id"] == "I2"  # the county's view starts at its own line
    # Without the CSRF tokens, whose random letters may contain "I3" too.
    assert "I3" not in re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_vendored_chart_library_is_there():
    from pathlib import Path

    import fundflow

    vendor = Path(fundflow.__file__).parent / "static" / "fundflow" / "vendor" / "echarts"
    assert "sankey" in (vendor / "echarts.min.js").read_text(encoding="utf-8")
    assert "Apache License" in (vendor / "LICENSE").read_text(encoding="utf-8")
