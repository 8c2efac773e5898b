"""Starting parameters for a new plan, one per method (the plan-file format of docs/plan-format.md)."""

SPEC_TEMPLATES = {
    "factor": """\
title: 2025年XX补助资金分配表
fund: XX补助资金
year: 2025
unit: 万元
total: 1000
method: factor
rounding: {places: 0, mode: half_up}
apportion: hierarchical
factors:
  - {name: 困难群众人数因素, weight: 50%, counts: [低保对象人数]}
  - {name: 特困、孤儿因素, weight: 50%, counts: [特困人员人数, 孤儿人数]}
labels: {group: 地州市名称, name: 县市区名称}
""",
    "standard_share": """\
title: 2025年XX补助资金分配表
year: 2025
unit: 万元
method: standard_share
rounding: {places: 2, mode: half_up}
apportion: largest_remainder
components:
  - {name: 资助参保, kind: standard, count: 资助人数, standard_yuan: 2000}
  - {name: 就医救助, kind: share, pot_yuan: 3000000, share_percent: 救助比例}
""",
    "settlement": """\
title: 2025年XX补助资金结算表
year: 2025
unit: 万元
method: settlement
advance_document: 塔地财社〔2025〕1号
standard_yuan: 30
rounding: {places: 2, mode: half_up}
""",
    "fixed": """\
title: 2025年XX补助资金预算分配表
year: 2025
unit: 万元
total: 48.5
method: fixed
rounding: {places: 2, mode: half_up}
part: 拨付资金
""",
}


METHOD_CHOICES = {
    "factor": "因素法",
    "standard_share": "定额标准加比例分配",
    "settlement": "结算（多退少补）",
    "fixed": "定额下达",
}
