"""The classification catalogue holds every code printed in the seeds and the full 类 list of the 2021 tables."""

import re

from fundflow.reference import Kind, catalogue, years
from tests.conftest import SEEDS


def test_every_quoted_code_in_the_seeds_is_known_except_the_typo():
    text = "\n".join(p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt"))
    quoted = set(re.findall(r"“(\d{5,7}) ", text))
    book = catalogue(2021)
    known = {c for c in quoted if any(book.get(k, c) for k in Kind)}
    assert quoted - known == {"2030249"}  # seed 001's typo for 2300249 is deliberately absent
    assert book.name("function", "2300249") == "医疗卫生共同财政事权转移支付支出"
    assert book.name("income", "1100249") == "医疗卫生共同财政事权转移支付收入"


def test_every_code_in_seed_004_tables_is_known(seed_004):
    book = catalogue(2021)
    for key, table in seed_004.tables.items():
        kind = "dept_economic" if key.value == "一般公共预算基本支出" else "function"
        for row in table.rows:
            if row.code:
                assert book.name(kind, row.code) is not None, (key, row.code)


def test_class_list_matches_the_2021_tables():
    classes = catalogue(2021).classes("function")
    assert [c for c, _ in classes][:2] == ["201", "202"]
    assert classes[-1] == ("234", "抗疫特别国债还本支出")
    assert len(classes) == 30
    assert dict(classes)["222"] == "粮油物资储备支出"  # table 4's spelling; table 1 misprints it


def test_hierarchy_and_fallback_year():
    book = catalogue(2021)
    entry = book.get("function", "2101202")
    assert entry is not None
    assert entry.level == 3
    assert entry.parent == "21012"
    assert entry.source == "seed:004"
    assert catalogue(2030).year == max(years())
    assert book.name("dept_economic", "30112") == "其他社会保障缴费"
