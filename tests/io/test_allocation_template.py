"""The template workbook and its upload reader work on bytes and return values with problems (no temp files)."""

from fundflow.io.allocation_template import TemplateRow, read_recipients_upload, template_workbook
from fundflow.io.plan_yaml import parse_plan

SPEC = parse_plan(
    """\
title: t
total: 100
method: factor
factors:
  - {name: 人数因素, weight: 100%, counts: [persons]}
labels: {persons: 人数}
""",
    "spec",
    parameters_only=True,
)


def test_the_template_reads_back_as_its_rows():
    content = template_workbook(SPEC, [TemplateRow("", "额敏县", {"persons": "12"}, "备注一")])
    read = read_recipients_upload(SPEC, "模板.xlsx", content, max_rows=10)
    assert read.refusal == ""
    [r] = read.recipients
    assert (r.name, r.values["persons"], r.note) == ("额敏县", 12, "备注一")


def test_a_refused_upload_is_a_value_with_its_problems():
    read = read_recipients_upload(SPEC, "r.csv", "名称,面积\n甲,1\n".encode(), max_rows=10)
    assert read.recipients == ()
    assert read.refusal.startswith("r.csv 表头不符：缺少列“人数”")
    assert [p.rule for p in read.problems] == ["file.header"]
    too_many = read_recipients_upload(SPEC, "r.csv", "名称,人数\n甲,1\n乙,2\n".encode(), max_rows=1)
    assert "超过 1 行" in too_many.refusal
    assert read_recipients_upload(SPEC, "r.txt", b"x", max_rows=1).refusal == "文件 r.txt 应为 .xlsx 或 .csv"
