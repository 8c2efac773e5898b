"""Warnings (预警) evaluated after a payments import and after a re-match: once the write has committed, for the
payer regions touched only; a refused file or ``evaluate=False`` evaluates nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from fundflow.platform.errors import ServiceError
from tests.web.test_ledger_payments import csv_bytes

YEAR = 2025  # a budget year that is over (as of today): its schedule is 100 %


@pytest.fixture
def direct(users):
    """Two direct-fund (直达) indicators of 2025: 额敏县's and its sibling 托里县's, both unspent."""
    from fundflow.ledger.models import Document, Indicator
    from fundflow.ledger.reference import markers_load
    from fundflow.ledger.warnings import warning_rules_load
    from fundflow.regions.models import Region

    markers_load()
    warning_rules_load()
    tacheng = Region.objects.get(code="654200")
    doc = Document.objects.create(
        issuer=tacheng,
        doc_no="塔地财社〔2025〕7号",
        title="测试",
        doc_date=datetime.date(YEAR, 1, 8),
        budget_year=YEAR,
        fiscal_year=YEAR,
    )

    def make(bgt_id, code):
        region = Region.objects.get(code=code)
        return Indicator.objects.create(
            bgt_id=bgt_id,
            fiscal_year=YEAR,
            document=doc,
            cor_doc_no=doc.doc_no,
            issuer=tacheng,
            rec_region=region,
            holder_region=region,
            fund="医疗救助补助资金",
            project_name="医疗救助",
            amount=Decimal("1000.00"),
            marker_code="01",
            marker_name="中央直达资金",
            exp_func_code="2101301",
            gov_eco_code="30307",
            status="received",
        )

    return {"emin": make("6542212025000001", "654221"), "toli": make("6542242025000001", "654224")}


def pay(no, amount, func="2101301", bgt="6542212025000001"):
    return (no, f"{YEAR}-03-01", bgt, "额敏县医疗保障局", "某医院", amount, "", "30307", func, "医疗救助")


def do_import(user, rows, **kw):
    from fundflow.ledger.payments import import_payments

    name = kw.pop("name", "pay.csv")
    region = user.profile.region.code  # as the page does: the user's region pays
    return import_payments(user=user, filename=name, source=csv_bytes(rows), region=region, **kw)


def found(rule_id):
    from fundflow.ledger.models import Warning

    return {(w.details["subject"], w.region.code, w.message) for w in Warning.objects.filter(rule_id=rule_id)}


def test_import_raises_code_mismatch_and_spending_behind_for_the_regions_touched(
    users, direct, django_capture_on_commit_callbacks
):
    from fundflow.ledger.models import Warning

    rows = [pay("P001", "300.00"), pay("P002", "50.00", func="2080701")]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = do_import(users["emin"], rows)
    assert len(callbacks) == 1
    assert (report.matched, report.warnings) == (2, 2)
    assert found("warn.code-mismatch") == {("P002", "654221", "支付的功能科目 2080701 与指标的 2101301 不一致")}
    # 350 of 1000 spent in a budget year that is over; 托里县's unspent indicator is not in the import's scope
    assert found("warn.spending-behind") == {("6542212025000001", "654221", "支出进度 35.00% 低于序时进度 100.00%")}
    assert Warning.objects.count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        again = do_import(users["emin"], [*rows, pay("P003", "10.00")], name="more.csv")
    assert (again.inserted, again.warnings) == (1, 0)  # nothing new: evaluating again creates no duplicates
    assert Warning.objects.count() == 2


def test_evaluation_waits_for_the_commit_and_is_skipped_when_asked_or_refused(
    users, direct, django_capture_on_commit_callbacks
):
    from fundflow.ledger.models import Warning

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = do_import(users["emin"], [pay("P001", "300.00", func="2080701")])
    # Inside a caller's transaction (the test's): nothing evaluated until it commits.
    assert (len(callbacks), report.warnings, Warning.objects.count()) == (1, 0, 0)
    callbacks[0]()
    assert {w.rule_id for w in Warning.objects.all()} == {"warn.code-mismatch", "warn.spending-behind"}

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        do_import(users["emin"], [pay("P002", "10.00", func="2080701")], name="b.csv", evaluate=False)
        with pytest.raises(ServiceError):
            do_import(users["emin"], [pay("P003", "5000.00")], name="c.csv")  # over the balance: refused
        do_import(users["emin"], [pay("P001", "300.00", func="2080701")], name="d.csv")  # unchanged only
    assert callbacks == []
    assert found("warn.code-mismatch") == {("P001", "654221", "支付的功能科目 2080701 与指标的 2101301 不一致")}


def test_rematch_evaluates_the_users_subtree(users, direct, django_capture_on_commit_callbacks):
    from fundflow.ledger.models import Indicator
    from fundflow.ledger.payments import rematch

    Indicator.objects.filter(pk=direct["toli"].pk).update(status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        report = do_import(users["toli"], [pay("T001", "100.00", func="2080701", bgt="6542242025000001")])
    assert (report.unmatched, report.warnings) == (1, 0)  # waiting rows count nowhere
    Indicator.objects.filter(pk=direct["toli"].pk).update(status="received")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert rematch(user=users["toli"]) == 1
    assert len(callbacks) == 1
    assert found("warn.code-mismatch") == {("T001", "654224", "支付的功能科目 2080701 与指标的 2101301 不一致")}
    assert found("warn.spending-behind") == {("6542242025000001", "654224", "支出进度 10.00% 低于序时进度 100.00%")}

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert rematch(user=users["toli"]) == 0
    assert callbacks == []


def test_scope_of_collapses_to_covering_regions(users, monkeypatch):
    from fundflow.ledger import warnings
    from fundflow.regions.models import Region

    ids = {c: Region.objects.get(code=c).pk for c in ("650000", "654200", "654221", "654224", "654300")}
    assert [r.code for r in warnings.scope_of([ids["654221"], ids["654200"], ids["654224"]])] == ["654200"]
    assert [r.code for r in warnings.scope_of([ids["654221"], ids["654224"]])] == ["654221", "654224"]
    many = Region.objects.filter(path__startswith=Region.objects.get(code="654200").path + "/")
    many = list(many.values_list("pk", flat=True)) + list(
        Region.objects.filter(parent__code="654300").values_list("pk", flat=True)
    )
    monkeypatch.setattr(warnings, "MAX_SCOPE_REGIONS", 3)
    assert [r.code for r in warnings.scope_of(many)] == ["650000"]
    assert [r.code for r in warnings.scope_of([ids["654221"], ids["654224"], ids["654200"]])] == ["654200"]
    assert warnings.scope_of([]) == []
