"""Properties: a generated package always passes its own checker; budgets with empty categories work."""

from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundflow.core.disclosure import check, generate
from fundflow.core.disclosure.model import BudgetLine, Nature, PreviousLine, Project, Source, ThreePublic, UnitBudget
from fundflow.core.disclosure.stated import TableKey
from fundflow.reference import catalogue

BOOK = catalogue(2021)
FUNCTIONS = ["2080505", "2101201", "2101202", "2101401", "2101501", "2101506", "2300249"]
ECONOMICS = ["30101", "30102", "30112", "30201", "30231", "30299", "30307", "30309", "31002"]
SOURCES = [Source.GPB, Source.GPB, Source.FUND, Source.BUSINESS, Source.SPECIAL]
PROJECTS = ["甲项目", "乙项目"]

amounts = st.integers(min_value=0, max_value=10**7).map(lambda cents: D(cents) / 100)


@st.composite
def budgets(draw):
    lines = []
    for _ in range(draw(st.integers(1, 12))):
        nature = draw(st.sampled_from(Nature))
        lines.append(
            BudgetLine(
                function=draw(st.sampled_from(FUNCTIONS)),
                economic=draw(st.sampled_from(ECONOMICS)),
                amount=draw(amounts),
                nature=nature,
                source=draw(st.sampled_from(SOURCES)),
                project=draw(st.sampled_from(PROJECTS)) if nature is Nature.PROJECT else "",
            )
        )
    projects = [Project(name) for name in PROJECTS]
    if draw(st.booleans()):  # a standard × quantity project, funded by the general public budget only
        standard, quantity = draw(st.integers(1, 500)), draw(st.integers(1, 10**5))
        amount = D(standard * quantity) / 10000
        if amount == amount.quantize(D("0.01")):
            projects.append(Project("丙项目", standard=D(standard), quantity=D(quantity)))
            lines.append(BudgetLine("2101202", "30399", amount, Nature.PROJECT, Source.GPB, "丙项目"))
    previous = [
        PreviousLine(
            draw(st.sampled_from(FUNCTIONS)),
            draw(st.sampled_from(Nature)),
            draw(amounts),
            draw(st.sampled_from(SOURCES)),
        )
        for _ in range(draw(st.integers(0, 4)))
    ]

    def basic_gpb(code):
        return sum(
            (
                ln.amount
                for ln in lines
                if ln.economic == code and ln.nature is Nature.BASIC and ln.source is Source.GPB
            ),
            D(0),
        )

    # a valid budget's “三公” figures cover the basic lines of the same economic codes (checked by the loader)
    three = ThreePublic(draw(amounts), draw(amounts), basic_gpb("30231") + draw(amounts), draw(amounts))
    return UnitBudget(
        unit="测试单位",
        year=2021,
        lines=tuple(lines),
        previous=tuple(previous),
        projects=tuple(projects),
        three_public=three,
        three_public_previous=draw(st.none() | st.builds(ThreePublic, amounts, amounts, amounts, amounts)),
        running_costs_previous=draw(st.none() | amounts),
        reasons={"basic": "人员变动", "project": "项目调整"},
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(budgets())
def test_generated_package_passes_its_own_checker(budget):
    package = generate(budget, BOOK)
    assert [f.describe() for f in check(package, BOOK)] == []


@settings(max_examples=60, deadline=None)
@given(budgets())
def test_parents_equal_the_sum_of_their_children(budget):
    """Conservation: every class row of 表三 is the sum of the lines under it, and 合计 the sum of all lines."""
    table = generate(budget, BOOK).tables[TableKey.EXPENDITURE]
    total = sum((ln.amount for ln in budget.lines), D(0))
    assert table.total_row().value("合计") == total
    for row in table.rows:
        if len(row.code) == 3:
            assert row.value("合计") == sum(
                (ln.amount for ln in budget.lines if ln.function.startswith(row.code)), D(0)
            )


def test_budget_with_no_projects_and_no_personnel():
    budget = UnitBudget(
        unit="测试单位",
        year=2021,
        lines=(BudgetLine("2101501", "30201", D("5.00"), Nature.BASIC),),
        previous=(PreviousLine("2101501", Nature.BASIC, D("4.00")),),
    )
    package = generate(budget, BOOK)
    assert check(package, BOOK) == []
    t7 = package.tables[TableKey.GPB_PROJECT]
    assert [r.total for r in t7.rows] == [True]
    assert t7.rows[0].value("合计") == 0
    text = "\n".join(p.text for p in package.paragraphs)
    assert "人员经费0.00万元。" in text
    assert "未安排一般公共预算项目支出" in text
    assert "项目支出0.00万元，占0.00%，比上年预算增加0.00万元。" in text  # no previous project: no growth rate
    assert "基本支出5.00万元，占100.00%，比上年预算增加1.00万元，增长25.00%" in text


def test_budget_with_zero_total_has_no_shares():
    budget = UnitBudget(unit="测试单位", year=2021, lines=(BudgetLine("2101501", "30201", D(0), Nature.BASIC),))
    package = generate(budget, BOOK)
    assert check(package, BOOK) == []
    assert not any("，占" in p.text for p in package.paragraphs)


def test_checker_catches_a_wrong_generated_figure():
    """The property above could pass with a checker that finds nothing; this shows it does not."""
    budget = UnitBudget(unit="测试单位", year=2021, lines=(BudgetLine("2101501", "30201", D("5.00"), Nature.BASIC),))
    package = generate(budget, BOOK)
    from dataclasses import replace

    paragraphs = tuple(
        replace(p, text=p.text.replace("基本支出5.00万元", "基本支出6.00万元")) for p in package.paragraphs
    )
    findings = check(replace(package, paragraphs=paragraphs), BOOK)
    assert {f.rule for f in findings} == {"disclosure.narrative-amount", "disclosure.narrative-share"}
