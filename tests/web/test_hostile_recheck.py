"""Defects found when issue 13 was re-checked against the running demo (curl as each demo user): what a user
meets in error texts and imports must follow the same rules as the rest of the system."""

from __future__ import annotations

import pytest

from fundflow.allocations import services

pytestmark = pytest.mark.django_db

FIXED_SPEC = "title: 定额测试\nyear: 2024\nunit: 元\nmethod: fixed\n"


def test_an_upload_error_names_the_column_by_the_header_printed_in_the_file(users):
    """The template's 金额 column is read as the key ``amount``; the error must name the column as the file
    prints it (金额), never by the English key."""
    plan = services.plan_create(user=users["tacheng"], spec_yaml=FIXED_SPEC)
    content = "分组,名称,金额,备注\n,额敏县,abc,\n".encode()
    with pytest.raises(services.ServiceError) as caught:
        services.recipients_import(
            user=users["tacheng"], plan=plan, filename="r.csv", content=content, version=plan.version
        )
    [problem] = caught.value.problems
    assert problem.rule == "input.not-number"
    assert problem.location.describe() == "文件 r.csv 第 2 行 “金额（第 3 列）”列"


def test_an_api_write_without_the_csrf_token_answers_in_chinese(users):
    """A browser session calling the API without X-CSRFToken: DRF's own check refuses before Django's
    CSRF_FAILURE_VIEW, so its English "CSRF Failed: CSRF token missing." reached the user."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(users["tacheng"])
    response = client.post("/api/plans/", {"spec_yaml": FIXED_SPEC}, content_type="application/json")
    assert response.status_code == 403
    assert response.json() == {"detail": "安全校验未通过（CSRF）：请刷新页面后重试。"}
