"""A GBK/GB18030 CSV (Excel's default in China) uploads like a UTF-8 one (issue 13 item 8)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.web.conftest import GOOD_ROWS

pytestmark = pytest.mark.django_db


def test_a_gb18030_csv_with_chinese_names_is_imported(users, plans):
    client = Client()
    client.force_login(users["tacheng"])
    plan = plans["tacheng"]
    rows = [*GOOD_ROWS, ("塔城地区", "和布克赛尔蒙古自治县", 1500, 60, 12)]
    text = "分组,名称,低保对象人数,特困人员人数,孤儿人数\n" + "".join(",".join(map(str, r)) + "\n" for r in rows)
    response = client.post(
        f"/allocations/{plan.pk}/upload/",
        {"version": plan.version, "file": SimpleUploadedFile("分配对象.csv", text.encode("gb18030"))},
    )
    assert response.status_code == 302
    stored = [(r.group, r.name, r.values["低保对象人数"]) for r in plan.recipients.order_by("position")]
    assert stored[-1] == ("塔城地区", "和布克赛尔蒙古自治县", "1500")
    assert len(stored) == 4
