"""第三部分 (the explanation) and 名词解释, generated from the same budget as the tables.

Every figure is computed from the budget lines, percentages follow the one rule of percent.py, and each
sentence uses the phrasing the checker's reader (figures.py) understands, so a generated package is checked
by exactly the rules a published one is. Reasons come from ``UnitBudget.reasons`` and should not contain figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from fundflow.core.disclosure.model import ZERO, BudgetLine, Category, Nature, Source, UnitBudget
from fundflow.core.disclosure.percent import percent, show
from fundflow.core.disclosure.stated import CodeBook, Paragraph
from fundflow.core.money import Rounding

NUMERALS = "一二三四五六七八九十"
GLOSSARY = (
    "一、财政拨款：包括一般公共预算、政府性基金预算和国有资本经营预算拨款。",
    "二、一般公共预算：包括公共财政拨款（补助）资金、专项收入。",
    "三、基本支出：包括人员经费、公用经费。其中，人员经费包括工资福利支出、对个人和家庭的补助。",
    "四、项目支出：单位支出预算的组成部分，是单位为完成其特定的行政任务或事业发展目标，在基本支出预算之外编制的年度项目支出计划。",
    "五、“三公”经费：指单位用一般公共预算财政拨款安排的因公出国（境）费、公务用车购置及运行费和公务接待费。",
    "六、机关运行经费：指各单位的公用经费，包括办公及印刷费、邮电费、差旅费、会议费、福利费、日常维修费、办公用房水电费、办公用房取暖费、办公用房物业管理费、公务用车运行维护费及其他费用。",
)


def money(value: Decimal) -> str:
    """An amount in 万元 as printed: always two decimals (``612.00``)."""
    return format(Rounding(2).apply(value), "f")


def _sum(
    lines: Iterable[BudgetLine],
    *,
    source: Source | None = None,
    nature: Nature | None = None,
    prefix: str = "",
    project: str | None = None,
    category: Category | None = None,
) -> Decimal:
    """Sum of the lines matching every given criterion."""
    return sum(
        (
            ln.amount
            for ln in lines
            if (source is None or ln.source is source)
            and (nature is None or ln.nature is nature)
            and ln.function.startswith(prefix)
            and (project is None or ln.project == project)
            and (category is None or ln.category is category)
        ),
        ZERO,
    )


def _economic(lines: Iterable[BudgetLine], code: str) -> Decimal:
    return sum((ln.amount for ln in lines if ln.economic == code), ZERO)


def _prev(
    budget: UnitBudget, *, source: Source | None = None, nature: Nature | None = None, function: str = ""
) -> Decimal | None:
    """Last year's figure, or None when the budget states no previous year at all."""
    if not budget.previous:
        return None
    return sum(
        (
            p.amount
            for p in budget.previous
            if (source is None or p.source is source)
            and (nature is None or p.nature is nature)
            and p.function.startswith(function)
        ),
        ZERO,
    )


def change(current: Decimal, previous: Decimal | None, reason: str = "") -> str:
    """``比上年预算增加22.28万元，增长5.65%，主要原因是：…`` (empty without a previous year)."""
    if previous is None:
        return ""
    delta = current - previous
    word, rate_word = ("增加", "增长") if delta >= 0 else ("减少", "下降")
    text = f"，比上年预算{word}{money(abs(delta))}万元"
    rate = percent(abs(delta), previous)
    if rate is not None:
        text += f"，{rate_word}{show(rate)}"
    elif not delta.is_zero():
        text += "，为新增预算"
    if reason:
        text += f"，主要原因是：{reason}"
    return text


def share(part: Decimal, base: Decimal) -> str:
    rate = percent(part, base)
    return "" if rate is None else f"，占{show(rate)}"


def narrative(budget: UnitBudget, book: CodeBook) -> tuple[Paragraph, ...]:
    """The ten sections of 第三部分, each paragraph tagged with its section numeral."""
    out: list[Paragraph] = []
    unit, year, lines = budget.unit, budget.year, list(budget.lines)
    gpb = [ln for ln in lines if ln.source is Source.GPB]
    total, gpb_total = _sum(lines), _sum(gpb)
    title = f"{unit}{year}年"

    def para(section: int, text: str) -> None:
        out.append(Paragraph(NUMERALS[section - 1], text))

    def head(section: int, text: str) -> None:
        para(section, f"{NUMERALS[section - 1]}、关于{title}{text}")

    classes = sorted({ln.function[:3] for ln in lines})

    def class_list(subset: list[BudgetLine]) -> str:
        parts = [
            f"{book.name('function', c) or c}{money(_sum(subset, prefix=c))}万元"
            for c in classes
            if _sum(subset, prefix=c)
        ]
        return "、".join(parts) if parts else "无"

    sources = [s for s in Source if _sum(lines, source=s)]
    # 一 overall
    head(1, "收支预算情况的总体说明")
    para(1, f"按照全口径预算的原则，{title}所有收入和支出均纳入单位预算管理。收支总预算{money(total)}万元。")
    income_parts = [f"{s.value}{money(_sum(lines, source=s))}万元" for s in sources]
    para(1, f"收入预算包括：{'、'.join(income_parts) or '无'}。")
    para(1, f"支出预算包括：{class_list(lines)}。")
    # 二 income
    head(2, "收入预算情况说明")
    para(2, f"{unit}预算收入{money(total)}万元，其中：")
    for s in Source:
        amount = _sum(lines, source=s)
        if amount:
            previous = _prev(budget, source=s)
            para(
                2,
                f"{s.value}{money(amount)}万元{share(amount, total)}"
                f"{change(amount, previous, budget.reason(s.value))}。",
            )
        elif s.fiscal:
            para(2, f"{s.value}未安排。")
    # 三 expenditure
    head(3, "支出预算情况说明")
    para(3, f"{title}支出预算{money(total)}万元，其中：")
    for nature, key in ((Nature.BASIC, "basic"), (Nature.PROJECT, "project")):
        amount = _sum(lines, nature=nature)
        previous = _prev(budget, nature=nature)
        para(
            3,
            f"{nature.value}{money(amount)}万元{share(amount, total)}{change(amount, previous, budget.reason(key))}。",
        )
    # 四 fiscal
    fiscal = [ln for ln in lines if ln.source.fiscal]
    head(4, "财政拨款收支预算情况的总体说明")
    para(4, f"{year}年财政拨款收支总预算{money(_sum(fiscal))}万元。")
    fiscal_parts = [
        f"{s.value}拨款{money(_sum(fiscal, source=s))}万元"
        for s in (Source.GPB, Source.FUND, Source.SOE)
        if _sum(fiscal, source=s)
    ]
    para(4, f"收入预算包括：{'、'.join(fiscal_parts) or '无'}。")
    para(4, f"财政拨款支出包括：{class_list(fiscal)}。")
    # 五 general public budget
    head(5, "一般公共预算当年拨款情况说明")
    para(5, "（一）一般公共预算当年拨款规模变化情况")
    para(5, f"{title}一般公共预算拨款合计{money(gpb_total)}万元，其中：")
    for nature, key in ((Nature.BASIC, "basic"), (Nature.PROJECT, "project")):
        amount = _sum(gpb, nature=nature)
        previous = _prev(budget, nature=nature, source=Source.GPB)
        para(5, f"{nature.value}{money(amount)}万元{change(amount, previous, budget.reason(key))}。")
    para(5, "（二）一般公共预算当年拨款结构情况")
    for i, c in enumerate(sorted({ln.function[:3] for ln in gpb}), 1):
        amount = _sum(gpb, prefix=c)
        para(5, f"{i}. {book.name('function', c) or c}（{c}类）{money(amount)}万元{share(amount, gpb_total)}。")
    para(5, "（三）一般公共预算当年拨款具体使用情况")
    for i, f in enumerate(sorted({ln.function for ln in gpb}), 1):
        amount = _sum(gpb, prefix=f)
        previous = _prev(budget, function=f, source=Source.GPB)
        label = (
            f"{book.name('function', f[:3]) or ''}（类：{f[:3]}）{book.name('function', f[:5]) or ''}（款：{f[3:5]}）"
            f"{book.name('function', f) or ''}（项：{f[5:]}）"
        )
        para(5, f"{i}. {label}{money(amount)}万元{change(amount, previous, budget.reason(f))}。")
    # 六 basic
    basic = [ln for ln in gpb if ln.nature is Nature.BASIC]
    head(6, "一般公共预算基本支出情况说明")
    para(6, f"{title}一般公共预算基本支出{money(_sum(basic))}万元，其中：")
    for category in Category:
        own = [ln for ln in basic if ln.category is category]
        items = "、".join(
            f"{book.name('dept_economic', e) or e}{money(_economic(own, e))}万元"
            for e in sorted({ln.economic for ln in own})
        )
        para(6, f"{category.value}{money(_sum(own))}万元" + (f"，主要包括：{items}。" if items else "。"))
    # 七 projects
    head(7, "一般公共预算项目支出情况说明")
    projects = [ln for ln in gpb if ln.nature is Nature.PROJECT]
    listed = [p for p in budget.projects if any(ln.project == p.name for ln in projects)]
    if not listed:
        para(7, f"{title}未安排一般公共预算项目支出。")
    for i, p in enumerate(listed, 1):
        para(7, f"{i}、项目名称：{p.name}")
        para(7, f"设立的政策依据：{p.basis or '无'}")
        para(7, f"预算安排规模：{p.scale or '无'}")
        if p.standard is not None and p.quantity is not None:
            para(7, f"测算标准：{format(p.standard, 'f')}{p.standard_unit}")
            para(7, f"测算数量：{format(p.quantity, 'f')}{p.quantity_unit}")
        para(7, f"项目承担单位：{p.executor or unit}")
        para(7, f"资金分配情况：{money(_sum(projects, project=p.name))}万元")
        para(7, f"资金执行时间：{p.period or f'{year}年1月1日至{year}年12月31日'}")
    # 八 三公
    t, tp = budget.three_public, budget.three_public_previous
    head(8, "一般公共预算“三公”经费预算情况说明")
    para(
        8,
        f"{title}一般公共预算“三公”经费数为{money(t.total)}万元，其中：因公出国（境）费{money(t.abroad)}万元，"
        f"公务用车购置费{money(t.car_purchase)}万元，公务用车运行费{money(t.car_running)}万元，"
        f"公务接待费{money(t.reception)}万元。",
    )
    if tp is not None:
        para(8, f"{year}年一般公共预算“三公”经费{change(t.total, tp.total, budget.reason('three_public'))[1:]}。")
    # 九 fund
    fund = _sum(lines, source=Source.FUND)
    head(9, "政府性基金预算拨款情况说明")
    if fund:
        para(9, f"{title}政府性基金预算支出{money(fund)}万元。")
    else:
        para(9, f"{title}没有使用政府性基金预算拨款安排的支出，政府性基金预算支出情况表为空表。")
    # 十 other
    para(10, "十、其他重要事项的情况说明")
    para(10, "（一）机关运行经费情况")
    running = budget.running_costs
    if running is None:
        running = _sum(basic, category=Category.PUBLIC)
    reason = budget.reason("running")
    para(
        10,
        f"{year}年，{unit}机关运行经费财政拨款预算{money(running)}万元"
        f"{change(running, budget.running_costs_previous, reason)}。",
    )
    pr = budget.procurement
    para(10, "（二）政府采购情况")
    para(
        10,
        f"{year}年，{unit}政府采购预算{money(pr.total)}万元，其中：政府采购货物预算{money(pr.goods)}万元、"
        f"政府采购工程预算{money(pr.works)}万元、政府采购服务预算{money(pr.services)}万元。",
    )
    para(
        10,
        f"{year}年度本部门面向中小企业预留政府采购项目预算金额{money(pr.sme_reserved)}万元，其中：面向小微企业预留"
        f"政府采购项目预算金额{money(pr.small_micro_reserved)}万元。",
    )
    a = budget.assets
    para(10, "（三）国有资产占用使用情况")
    para(10, f"截至{year - 1}年底，{unit}占用使用国有资产总体情况为：")
    para(10, f"1. 房屋{format(a.building_area, 'f')}平方米，价值{money(a.building_value)}万元。")
    para(
        10,
        f"2. 车辆{a.vehicles}辆，价值{money(a.vehicle_value)}万元；其中：一般公务用车{a.general_vehicles}辆，"
        f"价值{money(a.general_vehicle_value)}万元；执法执勤用车{a.enforcement_vehicles}辆，"
        f"价值{money(a.enforcement_vehicle_value)}万元；其他车辆{a.other_vehicles}辆，价值{money(a.other_vehicle_value)}万元。",
    )
    para(10, f"3. 办公家具价值{money(a.furniture_value)}万元。")
    para(10, f"4. 其他资产价值{money(a.other_value)}万元。")
    para(
        10,
        f"单位价值50万元以上大型设备{a.equipment_over_50}台，单位价值100万元以上大型设备{a.equipment_over_100}台。",
    )
    para(10, "（四）预算绩效情况")
    para(
        10,
        f"{year}年度，本年度实行绩效管理的一般公共预算项目{len(listed)}个，涉及预算金额{money(_sum(projects))}万元。",
    )
    return tuple(out)


def overview_text(budget: UnitBudget) -> tuple[Paragraph, ...]:
    """第一部分 概况: functions, structure and staffing."""
    s = budget.staffing
    out = [Paragraph("概况", "一、主要职能")]
    out += [Paragraph("概况", text) for text in budget.functions]
    out.append(Paragraph("概况", "二、机构设置及人员情况"))
    if budget.structure:
        out.append(Paragraph("概况", budget.structure))
    out.append(
        Paragraph(
            "概况",
            f"{budget.unit}编制数{s.authorized}人，实有人数{s.actual}人，其中：在职{s.in_service}人，退休{s.retired}人。",
        )
    )
    return tuple(out)
