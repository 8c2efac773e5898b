"""In-page edits, download names, error texts and history times as a hostile or careless user meets them
(issue 13 item 7)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def tacheng(users):
    client = Client()
    client.force_login(users["tacheng"])
    return client


def save_cells(client, plan, cells):
    return client.post(f"/allocations/{plan.pk}/inputs/", {"version": plan.version, **cells})


def first_row(plan):
    return plan.recipients.order_by("position").first()


def test_a_negative_count_typed_in_the_page_is_refused_by_the_upload_rules(tacheng, plans):
    plan = plans["tacheng"]
    row = first_row(plan)
    response = save_cells(tacheng, plan, {f"cell:{row.pk}:低保对象人数": "-5"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "有 1 处输入错误，未保存任何修改" in page
    assert "“额敏县”的“低保对象人数”为负数（-5），应为非负数" in page
    row.refresh_from_db()
    assert row.values["低保对象人数"] == "6580"


def test_an_unknown_column_in_the_page_is_refused(tacheng, plans):
    plan = plans["tacheng"]
    row = first_row(plan)
    response = save_cells(tacheng, plan, {f"cell:{row.pk}:unknown": "1"})
    assert response.status_code == 400
    assert "“unknown”不是本方案的输入列" in response.content.decode()
    row.refresh_from_db()
    assert "unknown" not in row.values


def test_a_valid_page_edit_still_saves(tacheng, plans):
    plan = plans["tacheng"]
    row = first_row(plan)
    assert save_cells(tacheng, plan, {f"cell:{row.pk}:低保对象人数": "6600"}).status_code == 302
    row.refresh_from_db()
    assert row.values["低保对象人数"] == "6600"


def test_download_names_carry_no_slash_or_control_character(tacheng, users, plans):
    from fundflow.allocations.models import AllocationPlan

    plan = plans["tacheng"]
    AllocationPlan.objects.filter(pk=plan.pk).update(title="2025/2026年..\\分配表")
    disposition = tacheng.get(f"/allocations/{plan.pk}/template.xlsx")["Content-Disposition"]
    assert disposition.startswith("attachment; filename=\"download.xlsx\"; filename*=UTF-8''")
    name = disposition.split("''", 1)[1]
    assert "/" not in name
    assert "%2F" not in name
    assert "%5C" not in name
    assert "%0A" not in name
    from urllib.parse import unquote

    assert unquote(name) == "2025_2026年.._分配表-分配对象模板.xlsx"


def test_content_disposition_refuses_header_injection():
    from fundflow.platform.downloads import content_disposition

    header = content_disposition("方案\r\nSet-Cookie: x=1.xlsx")
    assert "\r" not in header
    assert "\n" not in header
    assert header.endswith("filename*=UTF-8''%E6%96%B9%E6%A1%88__Set-Cookie%3A%20x%3D1.xlsx")


@pytest.mark.parametrize(
    ("url", "field"),
    [("upload", "file"), ("check", "file")],
)
def test_unreadable_excel_errors_name_only_the_uploaded_file(tacheng, plans, url, field):
    broken = SimpleUploadedFile("我的表.xlsx", b"PK\x03\x04 not really a zip")
    if url == "upload":
        plan = plans["tacheng"]
        response = tacheng.post(f"/allocations/{plan.pk}/upload/", {"version": plan.version, field: broken})
    else:
        response = tacheng.post("/disclosure/check/", {field: broken})
    assert response.status_code == 400
    page = response.content.decode()
    assert "我的表.xlsx" in page
    assert "无法作为 Excel 文件读取" in page
    for leak in ("BadZipFile", "OSError", "InvalidFileException", "/tmp", "upload.xlsx", "fundflow-"):
        assert leak not in page


def test_history_times_keep_the_space_between_date_and_time(tacheng, plans):
    page = tacheng.get(f"/allocations/{plans['tacheng'].pk}/").content.decode()
    history = page[page.index('id="history"') :]
    times = re.findall(r"<td>(\d{4}-\d\d-\d\d[^<]*)</td>", history)
    assert times
    for when in times:
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", when), when
