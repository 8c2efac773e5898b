"""Uploads a hostile or careless user might send: too large, too long, a wrong header, and the write lock.

Issue 13 item 5: a 20,000-row upload held the SQLite write lock for ~80 s, a 60 MB file was read whole and a
200,000-row file took 36 s to report a missing column.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.web.conftest import rows_csv

pytestmark = pytest.mark.django_db

EXPECTED_HEADER = "应有列：分组（可选）、名称、低保对象人数、特困人员人数、孤儿人数、备注（可选）"


@pytest.fixture
def tacheng(users):
    client = Client()
    client.force_login(users["tacheng"])
    return client


def upload(client, plan, content, name="r.csv"):
    return client.post(
        f"/allocations/{plan.pk}/upload/", {"version": plan.version, "file": SimpleUploadedFile(name, content)}
    )


def many_rows(n):
    return [("塔城地区", f"测试单位{i}", i, 1, 1) for i in range(1, n + 1)]


def xlsx_bytes(rows):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tacheng, plans, settings, monkeypatch):
    from fundflow.allocations import services

    settings.FUNDFLOW_UPLOAD_MAX_BYTES = 1024
    read = []  # the view reads the file only as the argument of the import
    monkeypatch.setattr(services, "recipients_import", lambda **kwargs: read.append(kwargs))
    response = upload(tacheng, plans["tacheng"], rows_csv(many_rows(100)))
    assert response.status_code == 400
    page = response.content.decode()
    assert "文件 r.csv 大小为" in page
    assert "超过上传上限 0.0 MB" not in page
    assert "超过上传上限" in page
    assert "未导入任何数据" in page
    assert read == []
    assert plans["tacheng"].recipients.count() == 3


def test_the_api_refuses_an_oversized_file_too(users, plans, settings):
    from rest_framework.test import APIClient

    settings.FUNDFLOW_UPLOAD_MAX_BYTES = 1024
    client = APIClient()
    client.force_authenticate(users["tacheng"])
    plan = plans["tacheng"]
    response = client.post(
        f"/api/plans/{plan.pk}/upload/",
        {"file": SimpleUploadedFile("r.csv", rows_csv(many_rows(100))), "version": plan.version},
    )
    assert response.status_code == 400
    assert "超过上传上限" in response.json()["detail"]


def test_a_file_over_the_row_limit_is_refused_and_one_at_the_limit_accepted(tacheng, plans, settings):
    settings.FUNDFLOW_UPLOAD_MAX_ROWS = 5
    plan = plans["tacheng"]
    response = upload(tacheng, plan, rows_csv(many_rows(6)))
    assert response.status_code == 400
    assert "r.csv 的数据超过 5 行（单次上传上限），未导入任何数据" in response.content.decode()
    assert plan.recipients.count() == 3
    assert upload(tacheng, plan, rows_csv(many_rows(5))).status_code == 302
    assert plan.recipients.count() == 5


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_wrong_header_is_reported_once_before_the_rows_are_read(tacheng, plans, monkeypatch, kind):
    from fundflow.io import allocation_template

    rows = [("分组", "名称", "低保", "特困", "孤儿"), *many_rows(3000)]
    content = xlsx_bytes(rows) if kind == "xlsx" else "\n".join(",".join(map(str, r)) for r in rows).encode()
    consumed = []
    real = allocation_template.iter_upload

    def counting(filename, data):
        for row in real(filename, data):
            consumed.append(row)
            yield row

    monkeypatch.setattr(allocation_template, "iter_upload", counting)
    response = upload(tacheng, plans["tacheng"], content, f"bad.{kind}")
    assert response.status_code == 400
    page = response.content.decode()
    assert f"表头不符：缺少列“低保对象人数”、“特困人员人数”、“孤儿人数”；{EXPECTED_HEADER}" in page
    assert "应为数字" not in page
    assert "“name”" not in page
    assert len(consumed) == 1  # the header only: 3,000 data rows were never read


def test_a_missing_name_column_is_named_in_chinese(plans, users):
    from fundflow.allocations import services

    content = "分组,县,低保对象人数,特困人员人数,孤儿人数\n塔城地区,额敏县,1,1,1\n".encode()
    plan = plans["tacheng"]
    with pytest.raises(services.ServiceError) as caught:
        services.recipients_import(user=users["tacheng"], plan=plan, filename="r.csv", content=content, version=1)
    assert caught.value.message.startswith(f"r.csv 表头不符：缺少列“名称”；{EXPECTED_HEADER}")
    assert [p.rule for p in caught.value.problems] == ["file.header"]


@pytest.mark.django_db(transaction=True)
def test_reading_and_validation_happen_outside_the_write_transaction(users, monkeypatch):
    """Only the writes are in the transaction, and they are a bounded number of statements (bulk)."""
    from fundflow.allocations import services
    from tests.web.conftest import FACTOR_SPEC

    seen = {}
    for name in ("read_recipients_upload", "_check_inputs", "_links_in_scope"):
        real = getattr(services, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            seen[_name] = connection.in_atomic_block
            return _real(*args, **kwargs)

        monkeypatch.setattr(services, name, spy)
    plan = services.plan_create(user=users["tacheng"], spec_yaml=FACTOR_SPEC)
    with CaptureQueriesContext(connection) as queries:
        report = services.recipients_import(
            user=users["tacheng"], plan=plan, filename="r.csv", content=rows_csv(many_rows(600)), version=plan.version
        )
    assert report.rows == 600
    assert plan.recipients.count() == 600
    assert seen == dict.fromkeys(("read_recipients_upload", "_check_inputs", "_links_in_scope"), False)
    assert len(queries) < 40  # was several per row (~3,000 for 600 rows)
    history = plan.recipients.first().history.get()
    assert history.history_type == "+"
    assert history.history_user == users["tacheng"]


@pytest.mark.django_db(transaction=True)
def test_budget_import_parses_outside_the_write_transaction(users, monkeypatch):
    from fundflow.disclosure import services
    from fundflow.io.disclosure_budget_xlsx import budget_template_bytes
    from fundflow.regions.models import BudgetUnit

    seen = []
    real = services.parse_budget_upload

    def spy(*args):
        seen.append(connection.in_atomic_block)
        return real(*args)

    monkeypatch.setattr(services, "parse_budget_upload", spy)
    unit = BudgetUnit.objects.get(code="654200-YB")
    with pytest.raises(services.ServiceError):  # the empty template: errors, but read outside any transaction
        services.budget_import(user=users["tacheng"], unit=unit, filename="b.xlsx", content=budget_template_bytes())
    assert seen == [False]


def test_a_refused_upload_redraws_the_page_without_computing_again(tacheng, plans, monkeypatch):
    """The page of a refused upload shows the stored table from the kept result: parsing the upload is the only
    work done (the allocation is not computed again, and nothing is computed to validate the rows)."""
    from fundflow.allocations import views

    plan = plans["tacheng"]
    assert tacheng.get(f"/allocations/{plan.pk}/").status_code == 200  # computes once and keeps the result
    computed = []
    real = views.allocate

    def counting(p):
        computed.append(p)
        return real(p)

    monkeypatch.setattr(views, "allocate", counting)
    response = upload(tacheng, plan, rows_csv([("塔城地区", "额敏县", -1, 1, 1)]))
    assert response.status_code == 400
    page = response.content.decode()
    assert "为负数" in page
    assert response.context["layout"] is not None  # the stored table is shown again
    assert computed == []


# ------------------------------------------------------------------ the budget disclosure's uploads


def filled_rows(content):
    """Non-empty rows below the header of each sheet the import reads, as the row limit counts them."""
    from openpyxl import load_workbook

    from fundflow.io.disclosure_budget_xlsx import SHEETS

    wb = load_workbook(io.BytesIO(content), read_only=True)
    return sum(
        1
        for ws in wb.worksheets
        if ws.title in SHEETS
        for values in ws.iter_rows(min_row=2, values_only=True)
        if any(v not in (None, "") and str(v).strip() for v in values)
    )


def test_a_budget_workbook_over_the_row_limit_is_refused_and_one_at_the_limit_accepted(users, settings):
    from fundflow.disclosure.models import BudgetRecord
    from fundflow.regions.models import BudgetUnit
    from tests.web.test_disclosure_pages import template_of_seed_budget

    unit = BudgetUnit.objects.get(code="654200-YB")
    content = template_of_seed_budget(unit.name)
    rows = filled_rows(content)
    client = Client()
    client.force_login(users["tacheng"])
    settings.FUNDFLOW_UPLOAD_MAX_ROWS = rows - 1
    response = client.post("/disclosure/import/", {"unit": unit.pk, "file": SimpleUploadedFile("预算.xlsx", content)})
    assert response.status_code == 400
    page = response.content.decode()
    assert f"预算.xlsx 的数据超过 {rows - 1} 行（单次上传上限），未导入任何数据" in page
    assert not BudgetRecord.objects.exists()
    settings.FUNDFLOW_UPLOAD_MAX_ROWS = rows
    response = client.post("/disclosure/import/", {"unit": unit.pk, "file": SimpleUploadedFile("预算.xlsx", content)})
    assert response.status_code == 302
    assert BudgetRecord.objects.filter(unit=unit).count() == 1


def test_a_disclosure_text_over_the_row_limit_is_not_checked(users, settings):
    from tests.web.test_disclosure_pages import SEED_004

    content = SEED_004.read_bytes()
    lines = sum(1 for line in content.decode("utf-8-sig").splitlines() if line.strip())
    client = Client()
    client.force_login(users["audit"])
    settings.FUNDFLOW_UPLOAD_MAX_ROWS = lines - 1
    response = client.post("/disclosure/check/", {"file": SimpleUploadedFile("004.txt", content)})
    assert response.status_code == 400
    assert f"004.txt 的数据超过 {lines - 1} 行（单次上传上限），未作核对" in response.content.decode()
    settings.FUNDFLOW_UPLOAD_MAX_ROWS = lines
    response = client.post("/disclosure/check/", {"file": SimpleUploadedFile("004.txt", content)})
    assert response.status_code == 200
    assert "发现 21 处问题" in response.content.decode()


def test_a_disclosure_workbook_over_the_row_limit_is_not_checked(users, settings):
    from fundflow.disclosure.services import budget_import
    from fundflow.regions.models import BudgetUnit
    from tests.web.test_disclosure_pages import budget_yaml

    unit = BudgetUnit.objects.get(code="654200-YB")
    budget = budget_import(user=users["tacheng"], unit=unit, filename="b.yaml", content=budget_yaml(unit.name)).budget
    client = Client()
    client.force_login(users["tacheng"])
    workbook = client.get(f"/disclosure/{budget.pk}/package.xlsx").content
    settings.FUNDFLOW_UPLOAD_MAX_ROWS = 10
    response = client.post("/disclosure/check/", {"file": SimpleUploadedFile("pkg.xlsx", workbook)})
    assert response.status_code == 400
    assert "pkg.xlsx 的数据超过 10 行（单次上传上限），未作核对" in response.content.decode()
