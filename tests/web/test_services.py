"""Services: validation first, all-or-nothing writes, idempotent imports, optimistic locking, history."""

from decimal import Decimal as D

import pytest

from fundflow.allocations import services
from fundflow.allocations.models import AllocationPlan
from tests.web.conftest import FACTOR_SPEC, GOOD_ROWS, rows_csv

pytestmark = pytest.mark.django_db


def test_reference_data_is_complete_and_idempotent(reference):
    from fundflow.regions.models import Region
    from fundflow.regions.selectors import region_by_name, region_subtree
    from fundflow.regions.services import regions_load

    assert Region.objects.filter(level="prefecture").count() == 14
    assert region_by_name("沙湾县").name == "沙湾市"
    assert region_by_name("和丰县").code == "654226"
    assert region_by_name("库车县").code == "652902"
    tacheng = Region.objects.get(code="654200")
    assert set(region_subtree(tacheng).values_list("name", flat=True)) >= {"塔城地区", "额敏县", "沙湾市"}
    report = regions_load()
    assert (report.created, report.updated) == (0, 0)


def test_every_county_of_seed_001_is_in_the_reference(reference, seed_001_table):
    from fundflow.regions.selectors import region_by_name

    missing = [row.name for row in seed_001_table.lines if region_by_name(row.name) is None]
    assert missing == []


def test_create_import_compute_gives_the_core_figures(users):
    user = users["tacheng"]
    plan = services.plan_create(user=user, spec_yaml=FACTOR_SPEC)
    assert plan.region.code == "654200"
    report = services.recipients_import(
        user=user, plan=plan, filename="r.csv", content=rows_csv(GOOD_ROWS), version=plan.version
    )
    assert (report.rows, report.changed) == (3, True)
    plan.refresh_from_db()
    result = services.plan_compute(user=user, plan=plan, version=plan.version)
    assert result.total == D(100)
    plan.refresh_from_db()
    assert plan.total == D("1000000.00")  # stored in 元
    assert plan.result_json["total"] == "100"
    emin = next(ln for ln in plan.result_json["lines"] if ln["recipient"] == "额敏县")
    # 困难群众: 50 × 6580 / 13161 = 24.998… → 25; 特困、孤儿: 50 × 132 / 432 = 15.277… → 15
    assert emin["parts"] == {"困难群众人数因素": "25", "特困、孤儿因素": "15"}


def test_bad_upload_names_row_and_column_and_writes_nothing(plans, users):
    plan = plans["tacheng"]
    before = list(plan.recipients.values_list("name", "values"))
    bad = rows_csv([("塔城地区", "额敏县", 6580, 107, 25), ("塔城地区", "托里县", "abc", 173, "")])
    with pytest.raises(services.ServiceError) as err:
        services.recipients_import(
            user=users["tacheng"], plan=plan, filename="bad.csv", content=bad, version=plan.version
        )
    described = [p.location.describe() + "：" + p.message for p in err.value.problems]
    assert described[0] == "文件 bad.csv 第 3 行 “低保对象人数（第 3 列）”列：应为数字，实为“abc”"
    assert "“孤儿人数（第 5 列）”列" in described[1]
    assert list(plan.recipients.values_list("name", "values")) == before


def test_reimporting_the_same_file_changes_nothing(plans, users):
    plan = plans["tacheng"]
    version, history = plan.version, plan.history.count()
    report = services.recipients_import(
        user=users["tacheng"], plan=plan, filename="r.csv", content=rows_csv(GOOD_ROWS), version=plan.version
    )
    plan.refresh_from_db()
    assert report.changed is False
    assert plan.version == version
    assert plan.history.count() == history
    assert plan.result_json is not None


def test_stale_version_is_refused_not_overwritten(plans, users):
    plan = plans["tacheng"]
    stale = plan.version
    row = plan.recipients.get(name="额敏县")
    services.recipients_update(
        user=users["tacheng"], plan=plan, cells={(row.pk, "低保对象人数"): "7000"}, version=stale
    )
    with pytest.raises(services.ConflictError, match="已被他人修改"):
        services.recipients_update(
            user=users["tacheng"], plan=plan, cells={(row.pk, "低保对象人数"): "1"}, version=stale
        )
    row.refresh_from_db()
    assert row.values["低保对象人数"] == "7000"


def test_edit_invalidates_result_and_history_records_before_and_after(plans, users):
    plan = plans["tacheng"]
    row = plan.recipients.get(name="托里县")
    services.recipients_update(
        user=users["tacheng"], plan=plan, cells={(row.pk, "孤儿人数"): "41"}, version=plan.version
    )
    plan.refresh_from_db()
    assert plan.result_json is None
    last = row.history.first()
    delta = last.diff_against(last.prev_record)
    assert [(c.field, c.old["孤儿人数"], c.new["孤儿人数"]) for c in delta.changes] == [("values", "40", "41")]
    from fundflow.allocations.history import history_entries

    entries = history_entries(plan)
    row_entry = next(e for e in entries if e["object"] == "分配对象" and e["type"] == "changed")
    assert row_entry["label"] == "塔城地区 托里县"
    assert row_entry["changes"][0]["old"]["孤儿人数"] == "40"
    assert row_entry["changes"][0]["new"]["孤儿人数"] == "41"
    plan_entry = next(e for e in entries if e["object"] == "方案")
    assert plan_entry["who"] is None  # services called outside a request: no history user
    changed = {c["field"]: (c["old"], c["new"]) for c in plan_entry["changes"]}
    assert changed["version"] == (plan.version - 1, plan.version)
    assert changed["result_json"][1] is None


def test_approve_locks_the_plan(plans, users):
    plan = plans["tacheng"]
    services.plan_approve(user=users["tacheng"], plan=plan, version=plan.version)
    plan.refresh_from_db()
    assert plan.status == AllocationPlan.Status.APPROVED
    assert plan.approved_by == users["tacheng"]
    with pytest.raises(services.ActionNotAllowed):
        services.plan_compute(user=users["tacheng"], plan=plan, version=plan.version)


def test_approve_requires_a_result(users):
    plan = services.plan_create(user=users["tacheng"], spec_yaml=FACTOR_SPEC)
    with pytest.raises(services.ServiceError, match="请先计算"):
        services.plan_approve(user=users["tacheng"], plan=plan, version=plan.version)


def test_spec_errors_are_reported_with_lines(users):
    with pytest.raises(services.ServiceError) as err:
        services.plan_create(
            user=users["tacheng"],
            spec_yaml=FACTOR_SPEC.replace("weight: 50%, counts: [低保", "weight: 5O%, counts: [低保"),
        )
    assert err.value.problems[0].rule == "factor.weight"
    assert err.value.problems[0].location.row == 10


def test_only_finance_roles_create_plans(users):
    for key in ("yibao", "audit"):
        with pytest.raises(services.ActionNotAllowed):
            services.plan_create(user=users[key], spec_yaml=FACTOR_SPEC)


def test_unit_user_sees_the_plan_that_names_its_unit(plans, users):
    from fundflow.allocations.selectors import plans_visible_to

    assert list(plans_visible_to(users["yibao"])) == [plans["fixed"]]


def test_a_plan_cannot_allocate_outside_its_region(plans, users):
    plan = plans["emin"]
    outside = rows_csv([("额敏县", "额敏县", 1, 1, 1), ("喀什地区", "莎车县", 1, 1, 1)])
    with pytest.raises(services.ServiceError) as err:
        services.recipients_import(
            user=users["emin"], plan=plan, filename="r.csv", content=outside, version=plan.version
        )
    [problem] = err.value.problems
    assert problem.rule == "recipient.out-of-scope"
    assert problem.message == "“莎车县”属于喀什地区，不在本方案编制地区（额敏县）范围内"
    assert problem.location.row == 3
    unit = rows_csv([("额敏县", "塔城地区医疗保障局", 1, 1, 1)])
    with pytest.raises(services.ServiceError) as err:
        services.recipients_import(user=users["emin"], plan=plan, filename="u.csv", content=unit, version=plan.version)
    assert err.value.problems[0].message == "“塔城地区医疗保障局”属于塔城地区，不在本方案编制地区（额敏县）范围内"
    from fundflow.allocations.selectors import plans_visible_to

    assert plan not in plans_visible_to(users["yibao"])


def test_upload_checks_counts_at_their_row(plans, users):
    plan = plans["tacheng"]
    bad = rows_csv([("塔城地区", "额敏县", 6580, 107, 25), ("塔城地区", "托里县", -100, 173, 40)])
    with pytest.raises(services.ServiceError) as err:
        services.recipients_import(
            user=users["tacheng"], plan=plan, filename="neg.csv", content=bad, version=plan.version
        )
    [problem] = err.value.problems
    assert problem.rule == "input.negative"
    assert (
        problem.describe()
        == "文件 neg.csv 第 3 行 “低保对象人数（第 3 列）”列：“托里县”的“低保对象人数”为负数（-100），应为非负数"
    )


def test_header_only_upload_changes_nothing(plans, users):
    plan = plans["tacheng"]
    with pytest.raises(services.ServiceError, match="没有分配对象"):
        services.recipients_import(
            user=users["tacheng"], plan=plan, filename="h.csv", content=rows_csv([]), version=plan.version
        )
    assert plan.recipients.count() == 3


def test_reupload_records_each_changed_value(plans, users):
    from fundflow.allocations.history import history_entries

    plan = plans["tacheng"]
    changed = [("塔城地区", "额敏县", 6590, 107, 25), ("塔城地区", "托里县", 4451, 173, 40)]
    services.recipients_import(
        user=users["tacheng"], plan=plan, filename="r2.csv", content=rows_csv(changed), version=plan.version
    )
    entries = history_entries(plan)
    edited = next(e for e in entries if e["object"] == "分配对象" and e["type"] == "changed")
    assert edited["label"] == "塔城地区 额敏县"
    values = next(c for c in edited["changes"] if c["field"] == "values")
    assert (values["old"]["低保对象人数"], values["new"]["低保对象人数"]) == ("6580", "6590")
    assert any(e["type"] == "deleted" and e["label"] == "塔城地区 裕民县" for e in entries)
    assert not any(e["type"] == "deleted" and e["label"] == "塔城地区 托里县" for e in entries)
