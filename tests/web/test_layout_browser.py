"""Layout of the ledger tables as a browser draws them at the UI's 1366 px width: short headers and codes must not
break one character per line (seen in the README screenshots of 预警 and of a budget-indicator document).

The pages are rendered by Django's test client and drawn with the real ``app.css`` inlined, so the test measures
exactly the stylesheet the system serves."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fundflow.ledger.models import Document, Indicator
from fundflow.ledger.warnings import evaluate_warnings
from tests.web.test_browser import chromium  # noqa: F401
from tests.web.test_indicator_import import ledger_ref  # noqa: F401
from tests.web.test_warnings import MID_2021, chain  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APP_CSS = "src/fundflow/static/fundflow/app.css"
WIDTH = 1024  # a small laptop; the UI is designed for 1366 (UI.md) and must stay readable below it


def drawn(chromium, html):  # noqa: F811
    """A WIDTH×768 page showing ``html`` with app.css inlined in place of its stylesheet link."""
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / APP_CSS).read_text(encoding="utf-8")
    context = chromium().new_context(viewport={"width": WIDTH, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.set_content(html.replace("</head>", f"<style>{css}</style></head>"))
    return context, page


def line_count(page, selector):
    """How many text lines each matched element's content takes (its height over its line height)."""
    return page.locator(selector).evaluate_all(
        """els => els.map(e => {
             const r = document.createRange(); r.selectNodeContents(e);
             const lh = parseFloat(getComputedStyle(e).lineHeight) || parseFloat(getComputedStyle(e).fontSize) * 1.2;
             return Math.round(r.getBoundingClientRect().height / lh);
           })"""
    )


def test_warning_table_keeps_short_cells_on_one_line(chain, users, client, chromium):  # noqa: F811
    evaluate_warnings(as_of=MID_2021)
    client.force_login(users["region"])
    html = client.get(reverse("ledger:warning-list")).content.decode()
    context, page = drawn(chromium, html)
    try:
        assert page.locator("#warnings tbody tr").count() > 0
        for selector in ("#warnings th", "#warnings code", "#warnings td:nth-child(3)", "#warnings td:nth-child(7)"):
            assert max(line_count(page, selector)) == 1, selector  # 0 for an empty cell
    finally:
        context.close()


def test_document_lines_headers_on_one_line(chain, users, client, chromium):  # noqa: F811
    # Seed 001's fund name, as long as real ones are: the column that has to give way.
    Indicator.objects.update(fund="中央财政医疗救助补助资金（城乡医疗救助补助资金）")
    document = Document.objects.order_by("pk").first()
    client.force_login(users["region"])
    html = client.get(reverse("ledger:document-detail", args=[document.pk])).content.decode()
    context, page = drawn(chromium, html)
    try:
        assert page.locator("#lines tbody tr").count() > 0
        for selector in ("#lines th", "#lines td:nth-child(1)", "#lines td:nth-child(9)"):
            assert max(line_count(page, selector)) == 1, selector  # 0 for an empty cell
    finally:
        context.close()
