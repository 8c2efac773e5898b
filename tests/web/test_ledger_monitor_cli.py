"""`fundflow monitor` and `fundflow trace` on the constructed chain (in process, same test database)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from fundflow.cli import app
from tests.web.ledger_chain import FUND, build_chain

runner = CliRunner()
KEYS = [
    "code",
    "name",
    "level",
    "parent",
    "received",
    "allocated_own",
    "allocated_lower",
    "unallocated",
    "spent_own",
    "spent_total",
    "allocation_progress",
    "spending_progress",
]


@pytest.fixture
def chain(reference):
    return build_chain()


def test_monitor_json_shape_pins_every_key(chain):
    result = runner.invoke(
        app, ["monitor", "--fund", FUND, "--year", "2021", "--as-of", "2021-12-31", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["fund", "year", "as_of", "unit", "regions"]
    assert (data["fund"], data["year"], data["as_of"], data["unit"]) == (FUND, 2021, "2021-12-31", "元")
    assert all(list(r) == KEYS for r in data["regions"])
    em = next(r for r in data["regions"] if r["code"] == "654221")
    assert em["spent_total"] == "190000.00"
    assert em["spending_progress"] == "34.55"


def test_monitor_table_in_wan_yuan(chain):
    result = runner.invoke(app, ["monitor", "--fund", FUND, "--year", "2021", "--as-of", "2021-12-31"])
    assert result.exit_code == 0, result.output
    assert "单位：万元" in result.stdout
    assert "额敏县" in result.stdout
    assert "22.33" in result.stdout  # 塔城地区's spending progress
    assert "55.00" in result.stdout  # 额敏县 received 550000 元 = 55.00 万元


def test_monitor_xlsx(chain, tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "m.xlsx"
    result = runner.invoke(
        app,
        ["monitor", "--fund", FUND, "--year", "2021", "--as-of", "2021-12-31", "--format", "xlsx", "-o", str(target)],
    )
    assert result.exit_code == 0, result.output
    ws = load_workbook(target).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][3] == "单位：元"
    assert rows[2][:4] == ("区划代码", "地区", "级次", "上级下达")
    em = next(r for r in rows if r[0] == "654221")
    assert em[3] == 550000
    assert em[10] == pytest.approx(34.55)


def test_monitor_unknown_fund_exits_2(chain):
    result = runner.invoke(app, ["monitor", "--fund", "没有的资金", "--year", "2021"])
    assert result.exit_code == 2
    assert "指标账中没有 2021 年度的资金“没有的资金”" in result.output
    bad = runner.invoke(app, ["monitor", "--fund", FUND, "--year", "2021", "--as-of", "2021-02-30"])
    assert bad.exit_code == 2
    assert "日期“2021-02-30”格式不对" in bad.output


def test_trace_indicator_json_and_text(chain):
    result = runner.invoke(app, ["trace", "I4", "--format", "json"])
    assert result.exit_code == 0, result.output
    tree = json.loads(result.stdout)
    assert tree["id"] == "I1"
    assert tree["available"] == "250000.00"
    text = runner.invoke(app, ["trace", "I4"])
    assert text.exit_code == 0, text.output
    assert "I4  额财社〔2021〕3号  额敏县医疗保障局  金额 500000.00 元  可用 310000.00 元" in text.stdout
    assert "支付 P3  2021-05-20" in text.stdout


def test_trace_document_and_unknown(chain):
    result = runner.invoke(app, ["trace", "塔地财社[2021]5号", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["doc_no", "title", "issuer", "doc_date", "indicators"]
    assert [t["id"] for t in data["indicators"]] == ["I2", "I3"]
    missing = runner.invoke(app, ["trace", "NOPE"])
    assert missing.exit_code == 2
    assert "指标账中没有指标编号或文号“NOPE”" in missing.output
