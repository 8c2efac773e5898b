"""Text fields written through the pages and the API fit their database columns and are single lines.

Issue 13 item 6: on PostgreSQL a 300-character title or a 150-character 文号 via the API was a 500; on SQLite it
was stored silently. Item 7b: titles accepted CR/LF. Run on both databases (see docs/architecture.md).
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from tests.web.conftest import FACTOR_SPEC, rows_csv
from tests.web.test_pages import _form

pytestmark = pytest.mark.django_db

LONG_TITLE = "很长的标题" * 60  # 300 characters


@pytest.fixture
def api(users):
    client = APIClient()
    client.force_authenticate(users["tacheng"])
    return client


@pytest.fixture
def tacheng(users):
    client = Client()
    client.force_login(users["tacheng"])
    return client


def test_api_refuses_an_over_long_title_in_chinese_and_stores_nothing(api):
    from fundflow.allocations.models import AllocationPlan

    spec = FACTOR_SPEC.replace("title: 测试因素法分配表", f"title: {LONG_TITLE}")
    response = api.post("/api/plans/", {"spec_yaml": spec}, format="json")
    assert response.status_code == 400
    assert response.json()["problems"][0]["message"] == "“标题”最多 255 个字，实为 300 个字"
    assert not AllocationPlan.objects.filter(title=LONG_TITLE).exists()


def test_api_refuses_an_over_long_document_number_on_create_and_on_spec(api, plans):
    created = api.post("/api/plans/", {"spec_yaml": FACTOR_SPEC, "document_number": "文" * 150}, format="json")
    assert created.status_code == 400
    assert "100" in created.json()["document_number"][0]
    plan = plans["tacheng"]
    spec = api.post(
        f"/api/plans/{plan.pk}/spec/",
        {"spec_yaml": plan.spec_yaml, "document_number": "文" * 150, "version": plan.version},
        format="json",
    )
    assert spec.status_code == 400
    plan.refresh_from_db()
    assert plan.document_number == ""


def test_service_refuses_an_over_long_document_number_whatever_the_caller(users):
    from fundflow.allocations import services

    with pytest.raises(services.ServiceError) as caught:
        services.plan_create(user=users["tacheng"], spec_yaml=FACTOR_SPEC, document_number="文" * 101)
    assert [p.message for p in caught.value.problems] == ["“文号”最多 100 个字，实为 101 个字"]


def test_form_limits_come_from_the_model():
    from fundflow.allocations.forms import SpecForm
    from fundflow.allocations.models import AllocationPlan

    form = SpecForm()
    for field in ("title", "fund", "document_number"):
        assert form.fields[field].max_length == AllocationPlan._meta.get_field(field).max_length


def test_page_refuses_an_over_long_title(tacheng):
    from fundflow.allocations.models import AllocationPlan

    response = tacheng.post("/allocations/new/", _form(title=LONG_TITLE))
    assert response.status_code == 200
    assert "255" in response.content.decode()
    assert not AllocationPlan.objects.filter(title=LONG_TITLE).exists()


@pytest.mark.parametrize("title", ["第一行\r\n第二行", "标题\t制表符"])
def test_titles_with_control_characters_are_refused(tacheng, api, title):
    from fundflow.allocations.models import AllocationPlan

    page = tacheng.post("/allocations/new/", _form(title=title)).content.decode()
    assert "应为一行文字，不能含换行符、制表符等控制字符" in page
    escaped = title.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    spec = FACTOR_SPEC.replace("title: 测试因素法分配表", f'title: "{escaped}"')
    response = api.post("/api/plans/", {"spec_yaml": spec}, format="json")
    assert response.status_code == 400
    assert response.json()["problems"][0]["message"] == "“标题”应为一行文字，不能含换行符、制表符等控制字符"
    assert AllocationPlan.objects.filter(title=title).count() == 0


def test_upload_refuses_an_over_long_name_at_its_row(api, plans):
    plan = plans["tacheng"]
    rows = [("塔城地区", "额敏县", 6580, 107, 25), ("塔城地区", "县" * 200, 1, 1, 1)]
    response = api.post(
        f"/api/plans/{plan.pk}/upload/",
        {"file": SimpleUploadedFile("r.csv", rows_csv(rows)), "version": plan.version},
        format="multipart",
    )
    assert response.status_code == 400
    [problem] = response.json()["problems"]
    assert problem == {
        "rule": "text.too-long",
        "message": "“名称”最多 128 个字，实为 200 个字",
        "where": "文件 r.csv 第 3 行 “名称”列",
    }
    assert plan.recipients.count() == 3


def test_page_add_refuses_an_over_long_name(tacheng, plans):
    plan = plans["tacheng"]
    response = tacheng.post(
        f"/allocations/{plan.pk}/recipients/add/",
        {
            "version": plan.version,
            "group": "塔城地区",
            "name": "镇" * 129,
            "new:低保对象人数": "1",
            "new:特困人员人数": "1",
            "new:孤儿人数": "1",
        },
    )
    assert response.status_code == 400
    assert "“名称”最多 128 个字，实为 129 个字" in response.content.decode()
    assert plan.recipients.count() == 3
