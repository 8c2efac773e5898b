"""Fixtures for the web system: reference data, one user per role, and plans in two regions.

Regions used: 塔城地区 (654200) with counties 额敏县 (654221) and 托里县 (654224); a sibling prefecture,
阿勒泰地区 (654300), holds the plans that 塔城 users must never see.
"""

from __future__ import annotations

import pytest

from fundflow.io.plan_writer import plan_to_yaml
from fundflow.io.plan_yaml import load_plan
from tests.conftest import EXAMPLES

PASSWORD = "test-pass-123"

FACTOR_SPEC = """\
title: 测试因素法分配表
fund: 测试资金
year: 2025
unit: 万元
total: 100
method: factor
rounding: {places: 0, mode: half_up}
apportion: hierarchical
factors:
  - {name: 困难群众人数因素, weight: 50%, counts: [低保对象人数]}
  - {name: 特困、孤儿因素, weight: 50%, counts: [特困人员人数, 孤儿人数]}
labels: {group: 地州市名称, name: 县市区名称}
"""


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Password hashing is deliberately slow; tests need many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def reference(db):
    from fundflow.regions.services import regions_load, units_load

    regions_load()
    units_load()


def make_user(username, role, region_code, unit_code=None):
    from django.contrib.auth import get_user_model

    from fundflow.accounts.models import Profile
    from fundflow.regions.models import BudgetUnit, Region

    user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    Profile.objects.create(
        user=user,
        role=role,
        region=Region.objects.get(code=region_code),
        unit=BudgetUnit.objects.get(code=unit_code) if unit_code else None,
    )
    return user


@pytest.fixture
def users(reference):
    return {
        "region": make_user("u-region", "region_finance", "650000"),
        "tacheng": make_user("u-tacheng", "prefecture_finance", "654200"),
        "altay": make_user("u-altay", "prefecture_finance", "654300"),
        "emin": make_user("u-emin", "county_finance", "654221"),
        "toli": make_user("u-toli", "county_finance", "654224"),
        "yibao": make_user("u-yibao", "unit", "654200", "654200-YB"),
        "audit": make_user("u-audit", "auditor", "654200"),
    }


def rows_csv(rows):
    header = "分组,名称,低保对象人数,特困人员人数,孤儿人数\n"
    return (header + "".join(",".join(map(str, r)) + "\n" for r in rows)).encode("utf-8")


GOOD_ROWS = [
    ("塔城地区", "额敏县", 6580, 107, 25),
    ("塔城地区", "托里县", 4451, 173, 40),
    ("塔城地区", "裕民县", 2130, 69, 18),
]
# Each plan allocates within its own region (a county plan to the county itself and bodies below it).
ROWS_OF = {
    "region": GOOD_ROWS,
    "tacheng": GOOD_ROWS,
    "altay": [("阿勒泰地区", "哈巴河县", 3476, 134, 40), ("阿勒泰地区", "吉木乃县", 1449, 89, 19)],
    "emin": [("额敏县", "额敏县", 6580, 107, 25), ("额敏县", "额敏镇", 2130, 69, 18)],
    "toli": [("托里县", "托里县", 4451, 173, 40), ("托里县", "托里镇", 1200, 30, 5)],
}


@pytest.fixture
def plans(users):
    """One plan per finance user's own region, with inputs, computed; plus the fixed 48.5 万元 plan."""
    from fundflow.allocations import services

    made = {}
    for key in ("region", "tacheng", "altay", "emin", "toli"):
        user = users[key]
        plan = services.plan_create(user=user, spec_yaml=FACTOR_SPEC.replace("测试因素法", f"{key}测试因素法"))
        services.recipients_import(
            user=user, plan=plan, filename="r.csv", content=rows_csv(ROWS_OF[key]), version=plan.version
        )
        plan.refresh_from_db()
        services.plan_compute(user=user, plan=plan, version=plan.version)
        plan.refresh_from_db()
        made[key] = plan
    fixed = load_plan(EXAMPLES / "tacheng-2023-medical-security-capacity.yaml")
    made["fixed"] = services.plan_from_file_rows(
        user=users["tacheng"], spec_yaml=plan_to_yaml(fixed, rows=False), recipients=fixed.recipients
    )
    services.plan_compute(user=users["tacheng"], plan=made["fixed"], version=made["fixed"].version)
    made["fixed"].refresh_from_db()
    return made
