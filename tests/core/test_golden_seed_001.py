"""Golden test: seed 001 (新财社〔2020〕34号 附件1) reproduced to the last 万元 by examples/…medical-aid.yaml.

The expected figures are the printed table itself (tests/fixtures/seeds/001_…txt), read cell by cell; a few
headline figures are also asserted literally so a reader bug cannot hide an engine bug.
"""

from dataclasses import replace
from decimal import Decimal as D

from fundflow.core.allocation import allocate
from fundflow.core.apportion import Apportion
from fundflow.core.published import RowKind
from fundflow.core.table_check import build_plan, compare


def test_headline_figures(medical_aid_result):
    r = medical_aid_result
    assert r.total == D(101782)
    assert r.total_parts == {"困难群众人数因素": D(50891), "贫困人口因素": D(33588), "特困、孤儿因素": D(17303)}
    assert len(r.groups) == 14
    assert len(r.lines) == 97
    assert r.find_group("阿克苏地区").amount == D(9000)
    assert r.find_group("巴音郭楞蒙古自治州").amount == D(2637)
    assert r.find_group("塔城地区").amount == D(2525)
    wushi = r.find_line("乌什县")
    assert wushi.parts == {"困难群众人数因素": D(777), "贫困人口因素": D(732), "特困、孤儿因素": D(307)}
    assert wushi.amount == D(1816)
    assert r.find_line("库车县").amount == D(1454)
    assert r.find_line("乌尔禾区").amount == D(1)


def test_every_printed_cell_is_reproduced(medical_aid_result, seed_001_table):
    table = seed_001_table
    assert compare(table, medical_aid_result) == []
    cells = 0
    for row in table.lines:
        line = next(ln for ln in medical_aid_result.lines if (ln.group, ln.recipient) == (row.group, row.name))
        for f in table.factors:
            assert line.parts[f.name] == row.cells[f.amount_column]
            cells += 1
        assert line.amount == row.cells[table.total_column]
    assert cells == 291


def test_every_subtotal_and_the_total_row(medical_aid_result, seed_001_table):
    table = seed_001_table
    for sub in table.subtotals:
        group = medical_aid_result.find_group(sub.group)
        assert group.amount == sub.cells[table.total_column]
        for f in table.factors:
            assert group.parts[f.name] == sub.cells[f.amount_column]
    total = table.total_row
    assert total.kind is RowKind.TOTAL
    assert medical_aid_result.total == total.cells[table.total_column]


def test_plain_rounding_matches_only_269_of_291_cells(seed_001_table):
    plan = build_plan(seed_001_table)
    per_line = allocate(_with(plan, Apportion.PER_LINE))
    assert len(compare(seed_001_table, per_line)) == 22


def test_hierarchical_without_manual_adjustment_matches_289_of_291(seed_001_table):
    diffs = compare(seed_001_table, allocate(_with(build_plan(seed_001_table), Apportion.HIERARCHICAL)))
    assert {(d.recipient, d.factor, d.printed - d.computed) for d in diffs} == {
        ("乌什县", "贫困人口因素", D(1)),
        ("库车县", "贫困人口因素", D(-1)),
    }


def test_explanation_shows_the_group_step_and_the_manual_adjustment(medical_aid_result):
    steps = medical_aid_result.find_line("库车县").explain["贫困人口因素"]
    text = "\n".join(steps)
    assert "33588 × 31218 ÷ 2342947 = 447.534743…" in text
    assert "阿克苏地区目标" in text
    assert "尾差调整 -1" in text
    assert "448 → 447" in text


def test_seed_003_single_fixed_line():
    from fundflow.io.plan_yaml import load_plan
    from tests.conftest import EXAMPLES

    result = allocate(load_plan(EXAMPLES / "tacheng-2023-medical-security-capacity.yaml"))
    assert result.total == D("48.5")
    assert [(ln.recipient, ln.amount) for ln in result.lines] == [("塔城地区医疗保障局", D("48.5"))]


def _with(plan, apportion):
    return replace(plan, apportion=apportion, adjustments=())
