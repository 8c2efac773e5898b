"""Manual tail adjustments (尾差调整) entered in the plan page and the API.

Seed 001 (新财社〔2020〕34号) entered by hand without adjustments computes 1815 / 1455 万元 for 乌什县 / 库车县;
the printed table moves 1 万元 of 贫困人口因素 from 库车县 to 乌什县 (1816 / 1454). Here that adjustment is
entered through the page and must give the printed figures with every total unchanged.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from fundflow.io.plan_writer import plan_to_yaml
from fundflow.io.plan_yaml import load_plan
from tests.conftest import MEDICAL_AID_PLAN

pytestmark = pytest.mark.django_db

REASON = "印发表在阿克苏地区贫困人口因素内将1万元由库车县调至乌什县"
POOR = "贫困人口因素"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def seed_001(users):
    """Seed 001's plan as a user enters it: the example's parameters and recipients, WITHOUT its adjustments."""
    from fundflow.allocations import services

    example = load_plan(MEDICAL_AID_PLAN)
    assert len(example.adjustments) == 2  # the example has them; the web plan deliberately does not
    plan = services.plan_from_file_rows(
        user=users["region"], spec_yaml=plan_to_yaml(example, rows=False), recipients=example.recipients
    )
    assert plan.adjustments.count() == 0
    return plan


def compute(client, plan):
    plan.refresh_from_db()
    response = client.post(f"/allocations/{plan.pk}/compute/", {"version": plan.version})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.result_json is not None
    return plan.result_json


def line(result, name):
    return next(ln for ln in result["lines"] if ln["recipient"] == name)


def group(result, name):
    return next(g for g in result["groups"] if g["name"] == name)


def form(plan, rows, **extra):
    """The adjustment form as the page posts it: ``rows`` of (id, recipient, part, delta, reason[, delete])."""
    data = {"version": plan.version, **extra}
    for n, row in enumerate(rows, start=1):
        ident, recipient, part, delta, reason, *delete = row
        data |= {
            f"adj-{n}-id": ident or "",
            f"adj-{n}-recipient": recipient,
            f"adj-{n}-part": part,
            f"adj-{n}-delta": delta,
            f"adj-{n}-reason": reason,
        }
        if delete:
            data[f"adj-{n}-delete"] = "1"
    return data


def save(client, plan, rows):
    plan.refresh_from_db()
    return client.post(f"/allocations/{plan.pk}/adjustments/", form(plan, rows))


def cell(page, name):
    """The HTML of the adjustment form's table cell holding input ``name`` (its value and its errors)."""
    start = page.rindex("<td", 0, page.index(f'name="{name}"'))
    return page[start : page.index("</td>", start)]


def test_seed_001_adjustment_entered_in_the_page_gives_the_printed_figures(users, seed_001):
    client = client_for(users["region"])
    before = compute(client, seed_001)
    wushi, kuche = line(before, "乌什县"), line(before, "库车县")
    assert (wushi["parts"][POOR], wushi["amount"]) == ("731", "1815")
    assert (kuche["parts"][POOR], kuche["amount"]) == ("448", "1455")
    assert before["total"] == "101782"
    assert before["total_parts"] == {"困难群众人数因素": "50891", POOR: "33588", "特困、孤儿因素": "17303"}
    aksu = group(before, "阿克苏地区")
    assert (aksu["parts"][POOR], aksu["amount"]) == ("2894", "9000")

    page = client.get(f"/allocations/{seed_001.pk}/").content.decode()
    assert 'id="adjustments-form"' in page
    assert '<option value="贫困人口因素">' in page

    response = save(
        client,
        seed_001,
        [(None, "乌什县", POOR, "1", REASON), (None, "库车县", POOR, "-1", REASON), (None, "", "", "", "")],
    )
    assert response.status_code == 302
    seed_001.refresh_from_db()
    assert seed_001.result_json is None  # the stored result no longer holds: compute again
    stored = list(seed_001.adjustments.order_by("pk").values_list("group", "recipient", "part", "delta", "reason"))
    assert [(g, r, p, str(d.normalize()), why) for g, r, p, d, why in stored] == [
        ("阿克苏地区", "乌什县", POOR, "1", REASON),
        ("阿克苏地区", "库车县", POOR, "-1", REASON),
    ]
    page = client.get(response["Location"]).content.decode()
    assert "已保存 2 处尾差调整的修改。请重新计算。" in page

    after = compute(client, seed_001)
    wushi, kuche = line(after, "乌什县"), line(after, "库车县")
    assert (wushi["parts"][POOR], wushi["amount"]) == ("732", "1816")
    assert (kuche["parts"][POOR], kuche["amount"]) == ("447", "1454")
    assert after["total"] == "101782"
    assert after["total_parts"] == before["total_parts"]
    assert group(after, "阿克苏地区") == group(before, "阿克苏地区")
    assert [ln for ln in after["lines"] if ln["recipient"] not in ("乌什县", "库车县")] == [
        ln for ln in before["lines"] if ln["recipient"] not in ("乌什县", "库车县")
    ]
    explain = client.get(f"/allocations/{seed_001.pk}/explain/", {"who": "乌什县"}).content.decode()
    assert f"尾差调整 +1（理由：{REASON}）：731 → 732万元" in explain

    # Same figures as the CLI computes the example file with its adjustments.
    from fundflow.core.allocation import allocate

    cli = allocate(load_plan(MEDICAL_AID_PLAN))
    assert [(ln.recipient, str(ln.amount)) for ln in cli.lines] == [
        (ln["recipient"], ln["amount"]) for ln in after["lines"]
    ]

    # The plan's 修改记录 shows who entered each adjustment, with its values.
    history = client.get(f"/allocations/{seed_001.pk}/").content.decode()
    history = history[history.index('id="history"') :]
    assert "尾差调整 乌什县 贫困人口因素" in history
    assert "尾差调整 库车县 贫困人口因素" in history
    assert "u-region" in history


def test_an_unbalanced_adjustment_is_refused_and_nothing_is_saved(users, seed_001):
    client = client_for(users["region"])
    compute(client, seed_001)
    version = seed_001.version
    response = save(client, seed_001, [(None, "乌什县", POOR, "1", REASON)])
    assert response.status_code == 400
    page = response.content.decode()
    assert "尾差调整有 1 处错误，未保存任何修改" in page
    assert "尾差调整必须保持合计不变：“阿克苏地区”组内“贫困人口因素”调整合计为 1，应为 0" in page
    assert 'value="乌什县"' in page  # the user's input is shown again, to be completed
    seed_001.refresh_from_db()
    assert seed_001.adjustments.count() == 0
    assert (seed_001.version, seed_001.result_json is not None) == (version, True)


def test_each_error_is_shown_next_to_its_field(users, seed_001):
    client = client_for(users["region"])
    response = save(
        client,
        seed_001,
        [
            (None, "不存在县", POOR, "1", REASON),
            (None, "乌什县", "人口因素", "1", REASON),
            (None, "乌什县", POOR, "0.5", REASON),
            (None, "库车县", POOR, "abc", REASON),
            (None, "库车县", POOR, "-1", " "),
        ],
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "尾差调整中的“不存在县”不是分配对象" in cell(page, "adj-1-recipient")
    assert "尾差调整中的“人口因素”不是本表的列（可选：困难群众人数因素、贫困人口因素、特困、孤儿因素）" in cell(
        page, "adj-2-part"
    )
    assert "尾差调整数额“0.5”应为非零且不超过0位小数" in cell(page, "adj-3-delta")
    assert "应为数字，实为“abc”" in cell(page, "adj-4-delta")
    assert "尾差调整必须写明理由" in cell(page, "adj-5-reason")
    assert "field-error" not in cell(page, "adj-1-delta")
    assert "field-error" not in cell(page, "adj-5-delta")
    # With a row unreadable, the balance is not judged (it would be reported against incomplete input).
    assert "保持合计不变" not in page
    assert seed_001.adjustments.count() == 0


def test_a_formula_like_or_multi_line_reason_is_refused_in_the_page_and_the_api(users, seed_001):
    """The reason is entered text like a recipient's note: =, +, -, @ … at its start or a line break is refused."""
    client = client_for(users["region"])
    response = save(
        client,
        seed_001,
        [(None, "乌什县", POOR, "1", '=HYPERLINK("http://x")'), (None, "库车县", POOR, "-1", "第一行\n第二行")],
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "以“=”开头，在 Excel 等电子表格软件中可能被当作公式执行" in cell(page, "adj-1-reason")
    assert "理由应为一行文字，不能含换行符、制表符等控制字符" in cell(page, "adj-2-reason")
    rows = [
        {"recipient": "乌什县", "part": POOR, "delta": "1", "reason": "＠SUM(A1)"},
        {"recipient": "库车县", "part": POOR, "delta": "-1", "reason": REASON},
    ]
    seed_001.refresh_from_db()
    answer = api_for(users["region"]).post(
        f"/api/plans/{seed_001.pk}/adjustments/", {"version": seed_001.version, "adjustments": rows}, format="json"
    )
    assert answer.status_code == 400
    assert [p["rule"] for p in answer.json()["problems"]] == ["input.formula-text"]
    assert seed_001.adjustments.count() == 0


def test_edit_and_delete_are_versioned_and_recorded(users, seed_001):
    client = client_for(users["region"])
    assert (
        save(client, seed_001, [(None, "乌什县", POOR, "1", REASON), (None, "库车县", POOR, "-1", REASON)]).status_code
        == 302
    )
    wushi, kuche = seed_001.adjustments.order_by("pk")

    # A stale page is refused with the conflict message; nothing changes.
    stale = form(seed_001, [(wushi.pk, "乌什县", POOR, "2", REASON), (kuche.pk, "库车县", POOR, "-2", REASON)])
    stale["version"] = seed_001.version - 1
    response = client.post(f"/allocations/{seed_001.pk}/adjustments/", stale)
    assert response.status_code == 400
    assert "已被他人修改" in response.content.decode()
    wushi.refresh_from_db()
    assert wushi.delta == 1

    # Editing both rows in one save keeps the balance.
    response = save(
        client, seed_001, [(wushi.pk, "乌什县", POOR, "2", REASON), (kuche.pk, "库车县", POOR, "-2", REASON)]
    )
    assert response.status_code == 302
    assert sorted(seed_001.adjustments.values_list("delta", flat=True)) == [-2, 2]
    # Submitting the page unchanged changes nothing (and keeps the version).
    seed_001.refresh_from_db()
    version = seed_001.version
    response = save(
        client, seed_001, [(wushi.pk, "乌什县", POOR, "2", REASON), (kuche.pk, "库车县", POOR, "-2", REASON)]
    )
    seed_001.refresh_from_db()
    assert seed_001.version == version
    # Deleting one of the pair alone would unbalance the group: refused.
    response = save(
        client, seed_001, [(wushi.pk, "乌什县", POOR, "2", REASON, True), (kuche.pk, "库车县", POOR, "-2", REASON)]
    )
    assert response.status_code == 400
    assert seed_001.adjustments.count() == 2
    response = save(
        client,
        seed_001,
        [(wushi.pk, "乌什县", POOR, "2", REASON, True), (kuche.pk, "库车县", POOR, "-2", REASON, True)],
    )
    assert response.status_code == 302
    assert seed_001.adjustments.count() == 0
    result = compute(client, seed_001)
    assert (line(result, "乌什县")["amount"], line(result, "库车县")["amount"]) == ("1815", "1455")

    history = client.get(f"/allocations/{seed_001.pk}/").content.decode()
    history = history[history.index('id="history"') :]
    rows = re.findall(r"<tr><td>.*?</tr>", history, re.S)
    wushi_rows = [r for r in rows if "尾差调整 乌什县 贫困人口因素" in r]
    assert ["删除" in wushi_rows[0], "修改" in wushi_rows[1], "创建" in wushi_rows[2]] == [True, True, True]
    assert "调整数：1 → 2" in wushi_rows[1]
    assert all("u-region" in r for r in wushi_rows)


def test_api_lists_and_saves_adjustments(users, seed_001):
    api = api_for(users["region"])
    url = f"/api/plans/{seed_001.pk}/adjustments/"
    assert api.get(url).json() == {"version": seed_001.version, "unit": "万元", "adjustments": []}
    body = {
        "version": seed_001.version,
        "adjustments": [
            {"recipient": "阿克苏地区/乌什县", "part": POOR, "delta": "1", "reason": REASON},
            {"recipient": "库车县", "part": POOR, "delta": "1", "reason": REASON},
            {"recipient": "温宿县", "part": POOR, "delta": "5", "reason": REASON, "delete": True},
        ],
    }
    refused = api.post(url, body, format="json")
    assert refused.status_code == 400
    assert [p["rule"] for p in refused.json()["problems"]] == ["adjustment.unbalanced"]
    assert seed_001.adjustments.count() == 0

    body["adjustments"][1]["delta"] = "-1"
    saved = api.post(url, body, format="json")
    assert saved.status_code == 200
    data = saved.json()
    assert data["changed"] == 2
    assert [(a["group"], a["recipient"], a["part"], a["delta"]) for a in data["adjustments"]] == [
        ("阿克苏地区", "乌什县", POOR, "1"),
        ("阿克苏地区", "库车县", POOR, "-1"),
    ]
    seed_001.refresh_from_db()
    assert data["version"] == seed_001.version
    # Stale version: 409, nothing saved.
    stale = api.post(url, {**body, "version": seed_001.version - 1}, format="json")
    assert stale.status_code == 409
    assert seed_001.adjustments.count() == 2
    result = api.post(f"/api/plans/{seed_001.pk}/compute/", {"version": seed_001.version}, format="json").json()
    assert (line(result, "乌什县")["amount"], line(result, "库车县")["amount"]) == ("1816", "1454")
    assert result["total"] == "101782"
    history = api.get(f"/api/plans/{seed_001.pk}/history/").json()
    created = [e for e in history if e["object"] == "尾差调整" and e["type"] == "created"]
    assert {(e["label"], e["who"]) for e in created} == {
        ("乌什县 贫困人口因素", "u-region"),
        ("库车县 贫困人口因素", "u-region"),
    }
    schema = api.get("/api/schema/").content.decode()
    assert "/api/plans/{id}/adjustments/" in schema


def test_repeated_names_are_written_group_slash_name(users):
    from fundflow.allocations import services

    spec = "title: 同名\nyear: 2025\nunit: 元\nmethod: fixed\nrounding: {places: 2}\n"
    plan = services.plan_create(user=users["tacheng"], spec_yaml=spec)
    content = "分组,名称,金额\n一组,甲村,100\n一组,乙村,50\n二组,甲村,80\n".encode()
    services.recipients_import(user=users["tacheng"], plan=plan, filename="r.csv", content=content, version=1)
    client = client_for(users["tacheng"])
    page = client.get(f"/allocations/{plan.pk}/").content.decode()
    assert '<option value="一组/甲村">' in page
    assert '<option value="乙村">' in page
    response = save(client, plan, [(None, "甲村", "拨付资金", "0.01", "x"), (None, "乙村", "拨付资金", "-0.01", "x")])
    assert response.status_code == 400
    assert "“甲村”在多个分组中出现，请指明分组" in cell(response.content.decode(), "adj-1-recipient")
    response = save(
        client, plan, [(None, "一组/甲村", "拨付资金", "0.01", "x"), (None, "乙村", "拨付资金", "-0.010", "x")]
    )
    assert response.status_code == 302
    compute(client, plan)
    plan.refresh_from_db()
    amounts = [(ln["group"], ln["recipient"], ln["amount"]) for ln in plan.result_json["lines"]]
    assert amounts == [("一组", "甲村", "100.01"), ("一组", "乙村", "49.99"), ("二组", "甲村", "80.00")]
    page = client.get(f"/allocations/{plan.pk}/").content.decode()
    assert 'value="一组/甲村"' in page
    assert 'value="0.01"' in page
    assert 'value="-0.01"' in page


def test_read_only_roles_see_the_list_and_a_unit_only_its_own_lines(users):
    from fundflow.allocations import services

    spec = "title: 两单位定额\nyear: 2023\nunit: 万元\nmethod: fixed\nrounding: {places: 2}\n"
    plan = services.plan_create(user=users["tacheng"], spec_yaml=spec)
    content = "名称,金额\n塔城地区医疗保障局,48.5\n额敏县,30\n".encode()
    services.recipients_import(user=users["tacheng"], plan=plan, filename="r.csv", content=content, version=1)
    rows = [
        services.AdjustmentRow(None, "塔城地区医疗保障局", "拨付资金", "0.5", "给医保局的理由"),
        services.AdjustmentRow(None, "额敏县", "拨付资金", "-0.5", "给额敏县的理由"),
    ]
    plan.refresh_from_db()
    assert services.adjustments_save(user=users["tacheng"], plan=plan, rows=rows, version=plan.version) == 2
    plan.refresh_from_db()
    services.plan_compute(user=users["tacheng"], plan=plan, version=plan.version)

    audit = client_for(users["audit"]).get(f"/allocations/{plan.pk}/").content.decode()
    assert 'id="adjustments-form"' not in audit
    section = audit[audit.index('id="adjustments"') : audit.index("</table>", audit.index('id="adjustments"'))]
    for text in ("给医保局的理由", "给额敏县的理由", "+0.50", "-0.50"):
        assert text in section

    yibao = client_for(users["yibao"]).get(f"/allocations/{plan.pk}/").content.decode()
    assert 'id="adjustments-form"' not in yibao
    assert "给医保局的理由" in yibao
    assert "给额敏县的理由" not in yibao
    assert "额敏县" not in yibao
    api = api_for(users["yibao"]).get(f"/api/plans/{plan.pk}/adjustments/").json()
    assert [(a["recipient"], a["delta"], a["reason"]) for a in api["adjustments"]] == [
        ("塔城地区医疗保障局", "0.50", "给医保局的理由")
    ]
    assert api_for(users["yibao"]).post(f"/api/plans/{plan.pk}/adjustments/", {}, format="json").status_code == 403


def test_an_approved_plan_shows_its_adjustments_read_only(users, seed_001):
    from fundflow.allocations import services

    client = client_for(users["region"])
    save(client, seed_001, [(None, "乌什县", POOR, "1", REASON), (None, "库车县", POOR, "-1", REASON)])
    compute(client, seed_001)
    services.plan_approve(user=users["region"], plan=seed_001, version=seed_001.version)
    page = client.get(f"/allocations/{seed_001.pk}/").content.decode()
    assert 'id="adjustments-form"' not in page
    assert REASON in page
    seed_001.refresh_from_db()
    response = save(client, seed_001, [(None, "乌什县", POOR, "1", REASON), (None, "库车县", POOR, "-1", REASON)])
    assert response.status_code == 403
    assert seed_001.adjustments.count() == 2


def test_core_plan_keeps_the_example_figures_with_stored_adjustments(users, seed_001):
    """The web's stored adjustments feed the core exactly as a plan file's do."""
    from fundflow.allocations import services
    from fundflow.core.allocation import allocate

    example = load_plan(MEDICAL_AID_PLAN)
    reason = example.adjustments[0].reason
    client = client_for(users["region"])
    save(client, seed_001, [(None, "乌什县", POOR, "1", reason), (None, "库车县", POOR, "-1", reason)])
    seed_001.refresh_from_db()
    web = services.core_plan(seed_001)
    strip = [dataclasses.replace(a, location=None) for a in example.adjustments]
    assert [dataclasses.replace(a, location=None) for a in web.adjustments] == strip
    assert allocate(web).lines == allocate(example).lines
