"""`fundflow regions import` / `units import`: another province (甘肃省) loaded beside the built-in Xinjiang data,
validated whole, idempotent; refusals write nothing."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from fundflow.cli import app
from fundflow.platform.errors import ServiceError
from fundflow.regions.imports import import_regions, import_units
from fundflow.regions.models import BudgetUnit, Region

GANSU = """代码,名称,级次,上级代码,别名
620100,兰州市,地州市,620000,
620000,甘肃省,省,,甘肃|陇
620102,城关区,县市区,620100,
620900,酒泉市,市,620000,
620982,敦煌市,县,620900,敦煌
"""
UNITS = """代码,名称,所属区划,类别,别名
620982-YB,敦煌市医疗保障局,敦煌,医疗保障局,敦煌医保局
620100-CZ,兰州市财政局,620100,财政局,
"""


def snapshot():
    return (
        list(Region.objects.values_list("code", "name", "path", "aliases").order_by("code")),
        list(BudgetUnit.objects.values_list("code", "name", "region__code", "aliases").order_by("code")),
    )


def refused(call, rule="ledger.import-reference"):
    before = snapshot()
    with pytest.raises(ServiceError) as exc:
        call()
    assert rule in [p.rule for p in exc.value.problems], exc.value.problems
    assert snapshot() == before
    return exc.value.problems


def test_other_province_loads_beside_xinjiang(reference):
    xinjiang = Region.objects.count()
    report = import_regions(filename="gansu.csv", content=GANSU.encode("gbk"))
    assert (report.created, report.updated, report.unchanged) == (5, 0, 0)
    assert Region.objects.count() == xinjiang + 5
    dunhuang = Region.objects.get(code="620982")
    assert (dunhuang.path, dunhuang.level, dunhuang.aliases) == ("620000/620900/620982", "county", ["敦煌"])
    assert Region.objects.get(code="620000").aliases == ["甘肃", "陇"]
    assert Region.objects.get(code="654221").path == "650000/654200/654221"  # Xinjiang untouched
    again = import_regions(filename="gansu.csv", content=GANSU.encode())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)

    units = import_units(filename="units.csv", content=UNITS.encode())
    assert (units.created, units.unchanged) == (2, 0)
    unit = BudgetUnit.objects.get(code="620982-YB")
    assert (unit.region.code, unit.kind, unit.aliases) == ("620982", "医疗保障局", ["敦煌医保局"])
    assert import_units(filename="units.csv", content=UNITS.encode()).unchanged == 2
    renamed = UNITS.replace("兰州市财政局", "兰州市财政局（新）")
    assert import_units(filename="units.csv", content=renamed.encode()).updated == 1


def test_region_refusals_write_nothing(reference):
    problems = refused(lambda: import_regions(filename="g.csv", content=GANSU.replace(",620900,", ",629999,").encode()))
    assert problems[0].location.row == 6
    assert "629999" in problems[0].message
    refused(lambda: import_regions(filename="g.csv", content=GANSU.replace("县,620900", "镇,620900").encode()))
    refused(
        lambda: import_regions(
            filename="g.csv",
            content=GANSU.replace("620102,城关区,县市区,620100", "620102,城关区,县市区,620000").encode(),
        )
    )
    refused(lambda: import_regions(filename="g.csv", content=(GANSU + "620102,城关区,县市区,620100,\n").encode()))
    refused(
        lambda: import_regions(filename="g.csv", content=GANSU.replace(",兰州市,", ",,").encode()), "input.required"
    )
    refused(
        lambda: import_regions(filename="g.csv", content=GANSU.replace("级次", "层级").encode()), "file.missing-column"
    )


def test_unit_refusals_write_nothing(reference):
    refused(lambda: import_units(filename="u.csv", content=UNITS.encode()))  # 敦煌 not loaded yet
    import_regions(filename="g.csv", content=GANSU.encode())
    refused(lambda: import_units(filename="u.csv", content=UNITS.replace(",620100,", ",不存在市,").encode()))


def test_cli(reference, tmp_path, monkeypatch):
    monkeypatch.setattr("fundflow.cli.ledger_imports.setup_django", lambda: None)
    path = tmp_path / "gansu.csv"
    path.write_text(GANSU, encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(app, ["regions", "import", str(path)])
    assert first.exit_code == 0, first.output
    assert "行政区划：新增 5，更新 0，未变 0" in first.output
    second = runner.invoke(app, ["regions", "import", str(path)])
    assert "未作改变" in second.output
    bad = tmp_path / "units.csv"
    bad.write_text(UNITS.replace(",620100,", ",不存在市,"), encoding="utf-8")
    out = runner.invoke(app, ["units", "import", str(bad)])
    assert out.exit_code == 2
    assert "文件 units.csv 第 3 行" in out.output
    assert "所属区划“不存在市”不是已知的行政区划代码或名称" in out.output
