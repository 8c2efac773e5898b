"""Warnings (预警): every rule evaluated over an imported chain with (synthetic) payments, idempotent evaluation,
the 未处理 → 已核实 / 已整改 workflow and its scope (another region 404, auditor 403), the JSON of the command."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from typer.testing import CliRunner

from fundflow.ledger.demo import synthetic_payment
from fundflow.ledger.indicator_import import import_indicators
from fundflow.ledger.models import Indicator, Warning, WarningRule
from fundflow.ledger.warnings import evaluate_warnings, handle_warning
from fundflow.platform.errors import ActionNotAllowed, ServiceError
from tests.web.test_indicator_import import ROWS, csv_bytes, ledger_ref  # noqa: F401  (fixture)

MID_2021 = datetime.date(2021, 7, 15)


@pytest.fixture
def chain(ledger_ref):  # noqa: F811
    import_indicators(user=None, filename="ind.csv", content=csv_bytes(ROWS), evaluate=False)
    return {i.bgt_id: i for i in Indicator.objects.all()}


def rules(rule_id):
    return {(w.details["subject"], w.region.code) for w in Warning.objects.filter(rule_id=rule_id)}


def test_each_rule(chain):
    e001, x001 = chain["E001"], chain["X001"]
    synthetic_payment(indicator=e001, pay_app_no="P1", amount=Decimal("400000"), pay_date=datetime.date(2021, 6, 1))
    synthetic_payment(
        indicator=e001, pay_app_no="P2", amount=Decimal("1000"), pay_date=datetime.date(2021, 6, 2), func_code="2080701"
    )
    synthetic_payment(
        indicator=e001,
        pay_app_no="P3",
        amount=Decimal("1000"),
        pay_date=datetime.date(2021, 6, 3),
        func_code="210130101",
    )
    synthetic_payment(indicator=x001, pay_app_no="P4", amount=Decimal("5000"), pay_date=datetime.date(2020, 12, 20))
    report = evaluate_warnings(as_of=MID_2021)
    # E001 spent 402000 of 1000000 = 40.20 % < 50 % (July); T002 held by 托里县 spent nothing
    assert rules("warn.spending-behind") == {("E001", "654221"), ("T002", "654224")}
    w = Warning.objects.get(rule_id="warn.spending-behind", details__subject="E001")
    assert w.message == "支出进度 40.20% 低于序时进度 50.00%"
    assert rules("warn.code-mismatch") == {("P2", "654221")}
    assert Warning.objects.get(rule_id="warn.code-mismatch").message == "支付的功能科目 2080701 与指标的 2101301 不一致"
    assert rules("warn.paid-before-year") == {("P4", "654200")}
    assert rules("warn.not-reallocated") == set()  # received today, as of 2021
    assert report.created == 4
    assert evaluate_warnings(as_of=MID_2021).created == 0  # idempotent

    later = datetime.date.today() + datetime.timedelta(days=31)
    evaluate_warnings(as_of=later)
    # T002 (托里县, direct, nothing issued onward); E001 is a unit's; T001 and X001 have children
    assert rules("warn.not-reallocated") == {("T002", "654224")}
    WarningRule.objects.filter(rule_id="warn.not-reallocated").update(parameters={"days": 60})
    Warning.objects.filter(rule_id="warn.not-reallocated").delete()
    assert evaluate_warnings(as_of=later).by_rule["warn.not-reallocated"] == 0


def test_disabled_rule_and_scope_of_evaluation(chain):
    WarningRule.objects.filter(rule_id="warn.spending-behind").update(enabled=False)
    assert evaluate_warnings(as_of=MID_2021).created == 0
    WarningRule.objects.filter(rule_id="warn.spending-behind").update(enabled=True)
    from fundflow.regions.models import Region

    report = evaluate_warnings(as_of=MID_2021, regions=[Region.objects.get(code="654221")])
    assert report.created == 1
    assert rules("warn.spending-behind") == {("E001", "654221")}


def test_workflow_and_no_reopen(chain, users):
    evaluate_warnings(as_of=MID_2021)
    w = Warning.objects.get(rule_id="warn.spending-behind", details__subject="E001")
    with pytest.raises(ActionNotAllowed):
        handle_warning(user=users["audit"], warning=w, status="verified", note="看过")
    with pytest.raises(ActionNotAllowed):
        handle_warning(user=users["toli"], warning=w, status="verified", note="不是我的")
    with pytest.raises(ServiceError):
        handle_warning(user=users["emin"], warning=w, status="verified", note="  ")
    done = handle_warning(user=users["emin"], warning=w, status="verified", note="已核实，年底前支付")
    assert (done.status, done.handled_by, done.note) == ("verified", users["emin"], "已核实，年底前支付")
    fixed = handle_warning(user=users["tacheng"], warning=w, status="fixed", note="已督促整改")
    assert fixed.handled_by == users["tacheng"]
    assert [h.status for h in fixed.history.order_by("history_id")] == ["open", "verified", "fixed"]
    with pytest.raises(ServiceError):
        handle_warning(user=users["emin"], warning=w, status="verified", note="再来")
    # condition resolved, then back again: the handled warning is neither reopened nor duplicated
    synthetic_payment(indicator=chain["E001"], pay_app_no="P9", amount=Decimal("600000"), pay_date=MID_2021)
    evaluate_warnings(as_of=MID_2021)
    assert Warning.objects.filter(rule_id="warn.spending-behind", details__subject="E001").count() == 1
    assert Warning.objects.get(pk=w.pk).status == "fixed"


def test_pages_scope(chain, users, client):
    evaluate_warnings(as_of=MID_2021)
    e_warn = Warning.objects.get(details__subject="E001")
    t_warn = Warning.objects.get(details__subject="T002")
    url = reverse("ledger:warning-list")

    client.force_login(users["emin"])
    page = client.get(url).content.decode()
    assert f'id="warning-{e_warn.pk}"' in page
    assert f'id="warning-{t_warn.pk}"' not in page
    assert e_warn.rule_title != e_warn.rule_id  # every warning rule has a Chinese name, shown in the list
    assert f"<td>{e_warn.rule_title}<br>" in page
    assert (
        client.post(reverse("ledger:warning-handle", args=[t_warn.pk]), {"status": "fixed", "note": "x"}).status_code
        == 404
    )
    resp = client.post(reverse("ledger:warning-handle", args=[e_warn.pk]), {"status": "verified", "note": "已核实"})
    assert resp.status_code == 302
    assert Warning.objects.get(pk=e_warn.pk).status == "verified"

    client.force_login(users["altay"])
    assert 'id="warning-' not in client.get(url).content.decode()
    assert (
        client.post(reverse("ledger:warning-handle", args=[e_warn.pk]), {"status": "fixed", "note": "x"}).status_code
        == 404
    )

    client.force_login(users["audit"])
    page = client.get(url).content.decode()
    assert f'id="warning-{t_warn.pk}"' in page
    assert 'name="note"' not in page
    assert (
        client.post(reverse("ledger:warning-handle", args=[t_warn.pk]), {"status": "fixed", "note": "x"}).status_code
        == 403
    )
    assert client.post(reverse("ledger:warning-evaluate")).status_code == 403
    data = json.loads(client.get(url + "?format=json").content)
    assert {d["subject"] for d in data} == {"指标 E001", "指标 T002"}
    assert set(data[0]) == {
        "id",
        "rule",
        "severity",
        "region",
        "subject",
        "message",
        "status",
        "created_at",
        "handled_by",
        "handled_at",
        "note",
    }

    client.force_login(users["yibao"])  # 塔城地区医疗保障局 holds none of these
    assert 'id="warning-' not in client.get(url).content.decode()


def test_cli_json(chain, monkeypatch):
    from fundflow.cli import app

    monkeypatch.setattr("fundflow.cli.ledger_imports.setup_django", lambda: None)
    out = CliRunner().invoke(app, ["warnings", "--evaluate", "--as-of", "2021-07-15", "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert [(d["rule"], d["region"], d["subject"], d["status"]) for d in data] == [
        ("warn.spending-behind", "654221", "指标 E001", "未处理"),
        ("warn.spending-behind", "654224", "指标 T002", "未处理"),
    ]
    bad = CliRunner().invoke(app, ["warnings", "--as-of", "2021-13-01"])
    assert bad.exit_code == 2


def test_cli_indicator_import(ledger_ref, tmp_path, monkeypatch):  # noqa: F811
    from fundflow.cli import app

    monkeypatch.setattr("fundflow.cli.ledger_imports.setup_django", lambda: None)
    path = tmp_path / "指标.csv"
    path.write_bytes(csv_bytes(ROWS))
    first = CliRunner().invoke(app, ["indicators", "import", str(path)])
    assert first.exit_code == 0, first.output
    assert "导入指标 5 条、文件 4 份" in first.output
    second = CliRunner().invoke(app, ["indicators", "import", str(path)])
    assert "5 行均已导入过，内容相同，未作改变" in second.output
    path.write_bytes(csv_bytes([ROWS[0].replace("100000000.00", "-1")]).replace(b"Z001", b"Z009"))
    bad = CliRunner().invoke(app, ["indicators", "import", str(path)])
    assert bad.exit_code == 2
    assert "文件 指标.csv 第 2 行 “金额（第 10 列）”列" in bad.output
