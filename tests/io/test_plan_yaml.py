"""Plan files: every key documented in docs/plan-format.md, and precise Chinese errors with line/column."""

from decimal import Decimal as D

import pytest

from fundflow.core.apportion import Apportion
from fundflow.core.errors import PlanError
from fundflow.core.plan import FactorMethod
from fundflow.io.plan_yaml import load_plan, parse_plan

GOOD = """\
title: 示例
unit: 万元
total: 100
method: factor
rounding: {places: 0, mode: half_up}
apportion: hierarchical
factors:
  - {name: 困难群众, weight: 50%, counts: [低保]}
  - {name: 特困孤儿, weight: 0.50, counts: [特困, 孤儿]}
recipients:
  - {group: 甲地区, name: 甲县, 低保: 10, 特困: 1, 孤儿: 2}
  - {group: 甲地区, name: 乙县, 低保: 30, 特困: 0, 孤儿: 1}
"""


def problems_of(text):
    with pytest.raises(PlanError) as err:
        parse_plan(text, "plan.yaml")
    return err.value.problems


def test_weights_accept_percent_and_fraction_and_numbers_are_exact():
    plan = parse_plan(GOOD, "plan.yaml")
    assert isinstance(plan.method, FactorMethod)
    assert [f.weight for f in plan.method.factors] == [D("0.5"), D("0.50")]
    assert plan.method.factors[1].counts == ("特困", "孤儿")
    assert plan.apportion is Apportion.HIERARCHICAL
    assert plan.recipients[0].values == {"低保": D(10), "特困": D(1), "孤儿": D(2)}


def test_non_number_cell_names_line_and_column():
    text = GOOD.replace("低保: 30", "低保: 三十")
    [problem] = problems_of(text)
    assert problem.location.file == "plan.yaml"
    assert problem.location.row == 12
    assert problem.location.column == 32
    assert "“乙县”的“低保”应为数字，实为“三十”" in problem.describe()
    assert problem.describe().startswith("文件 plan.yaml 第 12 行 第 32 列")


def test_unknown_key_bad_method_and_bad_weight_are_reported():
    assert any(p.rule == "plan.unknown-key" for p in problems_of(GOOD + "colour: red\n"))
    assert [p.rule for p in problems_of(GOOD.replace("method: factor", "method: magic"))] == ["plan.method"]
    bad_weight = problems_of(GOOD.replace("weight: 50%", "weight: half"))
    assert any(p.rule == "factor.weight" and p.location.row == 8 for p in bad_weight)


def test_a_method_typo_does_not_hide_the_other_problems():
    text = (
        GOOD.replace("method: factor", "method: factr")
        .replace("unit: 万元", "unit: 千元")
        .replace("mode: half_up", "mode: sideways")
        .replace("apportion: hierarchical", "apportion: evenly")
        .replace("低保: 30", "低保: 三十")
        + "adjustments:\n  - {recipient: 甲县, part: x}\n"
    )
    rules = [p.rule for p in problems_of(text)]
    assert rules[0] == "plan.method"
    assert {"plan.unit", "plan.rounding-mode", "plan.apportion", "input.not-number", "adjustment.incomplete"} <= set(
        rules
    )


def test_blank_cell_is_an_error_not_a_zero():
    [problem] = problems_of(GOOD.replace("孤儿: 1}", "孤儿: }"))
    assert problem.rule == "input.blank"
    assert "无则填 0" in problem.message


def test_yaml_syntax_error_has_a_position():
    [problem] = problems_of("title: [unclosed\nmethod: factor\n")
    assert problem.rule == "yaml.syntax"
    assert problem.location.row is not None


def test_settlement_requires_the_advance_document():
    text = "title: 结算\nmethod: settlement\nrecipients:\n  - {name: 甲, entitlement: 1, advanced: 0}\n"
    assert [p.rule for p in problems_of(text)] == ["settlement.document"]


def test_recipients_file_csv_and_its_errors(tmp_path):
    (tmp_path / "r.csv").write_text(
        "group,name,低保,特困,孤儿\n甲地区,甲县,10,1,2\n甲地区,乙县,x,0,\n", encoding="utf-8"
    )
    head = GOOD.split("recipients:")[0]
    (tmp_path / "p.yaml").write_text(head + "recipients_file: r.csv\n", encoding="utf-8")
    with pytest.raises(PlanError) as err:
        load_plan(tmp_path / "p.yaml")
    described = [p.describe() for p in err.value.problems]
    assert described[0].endswith("第 3 行 “低保（第 3 列）”列：应为数字，实为“x”")
    assert "“孤儿（第 5 列）”列：单元格为空" in described[1]
    (tmp_path / "r.csv").write_text(
        "group,name,低保,特困,孤儿\n甲地区,甲县,10,1,2\n甲地区,乙县,30,0,1\n", encoding="utf-8"
    )
    plan = load_plan(tmp_path / "p.yaml")
    assert [r.name for r in plan.recipients] == ["甲县", "乙县"]


def test_recipients_file_xlsx(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["分组", "名称", "低保", "特困", "孤儿"])
    ws.append(["甲地区", "甲县", 10, 1, 2])
    ws.append(["甲地区", "乙县", 30, 0, 1])
    wb.save(tmp_path / "r.xlsx")
    head = GOOD.split("recipients:")[0]
    (tmp_path / "p.yaml").write_text(head + "recipients_file: r.xlsx\n", encoding="utf-8")
    plan = load_plan(tmp_path / "p.yaml")
    assert plan.recipients[1].values == {"低保": D(30), "特困": D(0), "孤儿": D(1)}


def test_recipients_xlsx_formula_without_result_is_not_a_blank_cell(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["分组", "名称", "低保", "特困", "孤儿"])
    ws.append(["甲地区", "甲县", 10, 1, "=B2*0"])
    wb.save(tmp_path / "r.xlsx")
    head = GOOD.split("recipients:")[0]
    (tmp_path / "p.yaml").write_text(head + "recipients_file: r.xlsx\n", encoding="utf-8")
    with pytest.raises(PlanError) as err:
        load_plan(tmp_path / "p.yaml")
    [problem] = err.value.problems
    assert problem.rule == "file.formula-no-value"
    assert (problem.location.row, problem.location.column) == (2, "E")
    assert "input.blank" not in {p.rule for p in err.value.problems}


def test_recipients_file_outside_the_plans_folder_is_refused(tmp_path):
    """A plan names files in its own folder (or below); ``..`` and absolute paths elsewhere are refused."""
    outside = tmp_path / "outside.csv"
    outside.write_text("group,name,低保,特困,孤儿\n甲地区,甲县,x,1,2\n", encoding="utf-8")
    folder = tmp_path / "plans"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "r.csv").write_text(
        "group,name,低保,特困,孤儿\n甲地区,甲县,10,1,2\n甲地区,乙县,30,0,1\n", encoding="utf-8"
    )
    head = GOOD.split("recipients:")[0]
    for name in ("../outside.csv", str(outside), "data/../../outside.csv", "/etc/passwd.csv"):
        (folder / "p.yaml").write_text(head + f"recipients_file: {name}\n", encoding="utf-8")
        with pytest.raises(PlanError) as err:
            load_plan(folder / "p.yaml")
        [problem] = err.value.problems
        assert problem.rule == "plan.recipients-file-outside", name
        assert "只能引用计划文件所在文件夹" in problem.message
        assert (problem.location.file, problem.location.row) == (str(folder / "p.yaml"), head.count("\n") + 1)
    (folder / "p.yaml").write_text(head + f"recipients_file: {folder / 'data' / 'r.csv'}\n", encoding="utf-8")
    assert [r.name for r in load_plan(folder / "p.yaml").recipients] == ["甲县", "乙县"]
    (folder / "p.yaml").write_text(head + "recipients_file: data/r.csv\n", encoding="utf-8")
    assert [r.name for r in load_plan(folder / "p.yaml").recipients] == ["甲县", "乙县"]


def test_parameters_only_mode_refuses_rows_and_files_without_reading(tmp_path, monkeypatch):
    import fundflow.io.plan_yaml as plan_yaml

    monkeypatch.setattr(plan_yaml, "read_recipients_file", lambda path: pytest.fail(f"read {path}"))
    head = GOOD.split("recipients:")[0]
    with pytest.raises(PlanError) as err:
        parse_plan(head + "recipients_file: r.csv\n", "p", tmp_path, parameters_only=True)
    assert [p.rule for p in err.value.problems] == ["plan.forbidden-key"]
    plan = parse_plan(head, "p", parameters_only=True)
    assert plan.recipients == ()


def test_missing_plan_file():
    with pytest.raises(PlanError, match="找不到计划文件"):
        load_plan("/nonexistent/plan.yaml")


def test_row_numbers_are_the_files_own_even_after_blank_rows():
    from fundflow.io.recipients_file import recipients_from_rows

    rows = [["分组", "名称", "低保"], ["a", "x", "1"], ["", "", ""], ["a", "y", "abc"]]
    with pytest.raises(PlanError) as err:
        recipients_from_rows(rows, "r.xlsx")
    assert err.value.problems[0].location.row == 4
