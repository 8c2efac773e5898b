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


INDICATOR_HEADER = (
    "指标编号,上级指标编号,文号,发文日期,下达方,接收方,资金名称,项目名称,预算年度,金额,"
    "直达资金标识,收入科目,支出功能科目,经济科目,提前下达"
)


@pytest.mark.parametrize(
    ("column", "text"),
    [(7, '=HYPERLINK("http://x/","y")'), (8, "@SUM(1+1)"), (3, "+塔地财社〔2024〕9号"), (1, "-Q001")],
)
def test_the_indicator_import_refuses_formula_like_text_as_the_other_imports_do(column, text):
    """Uploaded as 塔城 on the demo, a 资金名称 of ``=HYPERLINK(…)`` was stored and shown on every ledger page and
    export; allocation and budget imports refuse such text on entry (issue 13 item 3)."""
    from fundflow.io.indicators_file import read_indicators

    cells = [
        "Q001",
        "",
        "塔地财社〔2024〕9号",
        "2024-01-08",
        "塔城地区",
        "额敏县",
        "医疗救助补助资金",
        "医疗救助",
        "2024",
        "-1000",
        "01 中央直达资金",
        "1100249",
        "2101301",
        "",
        "否",
    ]
    cells[column - 1] = '"' + text.replace('"', '""') + '"'  # a negative amount is a number, not a formula
    content = (INDICATOR_HEADER + "\n" + ",".join(cells) + "\n").encode()
    rows, problems = read_indicators(content, "i.csv")
    assert rows == []
    [problem] = problems
    assert problem.rule == "input.formula-text"
    assert problem.message.startswith(f"“{text}”以“{text[0]}”开头，在 Excel 等电子表格软件中可能被当作公式执行")
    assert problem.location.row == 2
    assert f"（第 {column} 列）" in problem.location.column


@pytest.mark.parametrize(("header", "text"), [("收款人", '=HYPERLINK("http://x/","y")'), ("用途", "@SUM(1)")])
def test_the_payments_import_refuses_formula_like_text(header, text):
    """Uploaded as 额敏县 on the demo, a 收款人 of ``=HYPERLINK(…)`` was imported (issue 13 item 3's rule)."""
    from fundflow.io.payments_file import iter_payments

    head = "支付凭证号,支付日期,指标编号,付款单位,收款人,金额,原凭证号,经济科目,功能科目,用途"
    cells = {"收款人": "某医院", "用途": "医疗救助", header: '"' + text.replace('"', '""') + '"'}
    line = f"P1,2021-03-01,654221001,额敏县医疗保障局,{cells['收款人']},-100,P0,30307,2101301,{cells['用途']}"
    [result] = iter_payments(f"{head}\n{line}\n".encode(), "p.csv")
    assert isinstance(result, list)
    [problem] = result
    assert problem.rule == "input.formula-text"
    assert problem.message.startswith(f"“{text}”以“{text[0]}”开头")
    assert (problem.location.row, problem.location.column) == (2, header)


def _approved(user, plan):
    plan.refresh_from_db()
    services.plan_compute(user=user, plan=plan, version=plan.version)
    plan.refresh_from_db()
    services.plan_approve(user=user, plan=plan, version=plan.version)
    plan.refresh_from_db()
    return plan


def test_issuing_and_amending_refuse_formula_like_document_text(users, plans):
    """POST /api/ledger/documents/ as 塔城 on the demo stored a title ``=HYPERLINK(…)`` and a 项目名称 ``@SUM(1)``
    (issue 13 item 3: refused on entry everywhere)."""
    from fundflow.ledger import services as ledger
    from fundflow.ledger.models import Document, Indicator

    plan = _approved(users["region"], plans["region"])
    with pytest.raises(services.ServiceError) as caught:
        ledger.issue_plan(
            user=users["region"],
            plan=plan,
            doc=ledger.DocFields(prefix="新财社", title='=HYPERLINK("http://x/","y")', main_recipients="各地州"),
            attrs=ledger.IndicatorAttrs(project_name="@SUM(1)"),
        )
    assert caught.value.message == "不能下达"
    assert [(p.rule, p.message.split("，")[0]) for p in caught.value.problems] == [
        ("input.formula-text", '“=HYPERLINK("http://x/","y")”以“=”开头'),
        ("input.formula-text", "“@SUM(1)”以“@”开头"),
    ]
    assert (Document.objects.count(), Indicator.objects.count()) == (0, 0)
    document = ledger.issue_plan(user=users["region"], plan=plan, doc=ledger.DocFields(prefix="新财社"))
    line = document.indicators.first()
    with pytest.raises(services.ServiceError) as amended:
        ledger.amend(
            user=users["region"],
            document=document,
            kind="reduce",
            lines=[ledger.AmendLine(line, None)],
            doc=ledger.DocFields(prefix="新财社", cc="-抄送"),
        )
    assert [p.rule for p in amended.value.problems] == ["input.formula-text"]
    assert Document.objects.count() == 1
