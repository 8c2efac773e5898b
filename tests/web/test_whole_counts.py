"""Issue 13: head counts are whole numbers — uploads, in-page edits and the add-row form go through the same core
input rule (``input.fractional-count``); nothing is saved when it refuses."""

import pytest

from fundflow.allocations import services

SHARE_SPEC = """\
title: 城乡居民医保资助参保
unit: 万元
method: standard_share
rounding: {places: 2, mode: half_up}
components:
  - {name: 资助参保, kind: standard, count: persons, standard_yuan: 2000}
labels: {persons: 资助人数}
"""


@pytest.fixture
def share_plan(users):
    return services.plan_create(user=users["tacheng"], spec_yaml=SHARE_SPEC)


def test_an_upload_with_a_fractional_head_count_is_refused(users, share_plan):
    content = "名称,资助人数\n额敏县,1523.5\n托里县,877\n".encode()
    with pytest.raises(services.ServiceError) as caught:
        services.recipients_import(
            user=users["tacheng"], plan=share_plan, filename="r.csv", content=content, version=share_plan.version
        )
    assert caught.value.message == "r.csv 有 1 处错误，未导入任何数据"
    [problem] = caught.value.problems
    assert problem.rule == "input.fractional-count"
    assert problem.message == "“额敏县”的“资助人数”为 1523.5，人数、户数应为整数"
    assert problem.location.row == 2
    assert "第 2 列" in problem.location.column
    assert share_plan.recipients.count() == 0


def test_an_in_page_edit_to_a_fractional_head_count_is_refused(users, share_plan):
    content = "名称,资助人数\n额敏县,1523\n".encode()
    services.recipients_import(
        user=users["tacheng"], plan=share_plan, filename="r.csv", content=content, version=share_plan.version
    )
    share_plan.refresh_from_db()
    row = share_plan.recipients.get()
    with pytest.raises(services.ServiceError) as caught:
        services.recipients_update(
            user=users["tacheng"], plan=share_plan, cells={(row.pk, "persons"): "12.5"}, version=share_plan.version
        )
    assert [p.rule for p in caught.value.problems] == ["input.fractional-count"]
    row.refresh_from_db()
    assert row.values == {"persons": "1523"}
    with pytest.raises(services.ServiceError) as added:
        services.recipient_add(
            user=users["tacheng"],
            plan=share_plan,
            group="",
            name="裕民县",
            values={"persons": "0.5"},
            version=share_plan.version,
        )
    assert [p.rule for p in added.value.problems] == ["input.fractional-count"]
    assert share_plan.recipients.count() == 1


def test_factor_counts_may_be_fractional(users, plans):
    """Factor data columns are real quantities (areas, indices): they are not held to whole numbers."""
    plan = plans["tacheng"]
    row = plan.recipients.first()
    changed = services.recipients_update(
        user=users["tacheng"], plan=plan, cells={(row.pk, "低保对象人数"): "6580.5"}, version=plan.version
    )
    assert changed == 1
