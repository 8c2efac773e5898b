"""结算 (settlement against earlier advances): entitlement − advanced = this settlement.

Entitlement is given per recipient, or computed as (insured persons − each category of duplicates) ×
the per-capita standard in 元, converted to the plan's unit with the plan's named rounding. A negative
settlement is a clawback (扣回) and its note names the advance document it is taken from, e.g.
"从塔地财社〔2021〕8号文件扣回".
"""

from __future__ import annotations

from decimal import Decimal

from fundflow.core.allocation.common import Problems, Working, check_total, finish
from fundflow.core.allocation.validation import ADVANCED, ENTITLEMENT, INSURED, STANDARD
from fundflow.core.money import Unit, convert, fmt, fmt_exact
from fundflow.core.plan import Plan, Recipient, SettlementMethod
from fundflow.core.result import AllocationResult, InputColumn, PartSpec

PART = "本次结算"


def _entitlement(plan: Plan, method: SettlementMethod, w: Working) -> Decimal:
    r = w.recipient
    unit = plan.unit.value
    if ENTITLEMENT in r.values:
        value = r.values[ENTITLEMENT]
        w.say(PART, f"核定应补助 {fmt(value)}{unit}（计划直接给定）")
        return value
    insured = r.values[INSURED]
    standard = _standard(method, r)
    persons = insured
    pieces = [f"参保人数 {fmt(insured)}"]
    for category, dup in r.duplicates.items():
        persons -= dup
        pieces.append(f"− {category} {fmt(dup)}")
    yuan = persons * standard
    value = plan.rounding.apply(convert(yuan, Unit.YUAN, plan.unit))
    w.inputs["persons"] = persons
    w.say(PART, f"核定人数 = {' '.join(pieces)} = {fmt(persons)} 人")
    w.say(
        PART,
        f"核定应补助 = {fmt(persons)} 人 × {fmt(standard)} 元 = {fmt(yuan)} 元"
        f" = {fmt_exact(convert(yuan, Unit.YUAN, plan.unit))}{unit}"
        f" → {fmt(value)}{unit}（{plan.rounding.describe()}）",
    )
    return value


def _standard(method: SettlementMethod, r: Recipient) -> Decimal:
    """The row's own per-capita standard, else the plan's (the input rules saw that one of them is given)."""
    if STANDARD in r.values:
        return r.values[STANDARD]
    assert method.standard_yuan is not None
    return method.standard_yuan


def allocate_settlement(plan: Plan) -> AllocationResult:
    assert isinstance(plan.method, SettlementMethod)
    method = plan.method
    unit = plan.unit.value
    problems = Problems()
    work = []
    for r in plan.recipients:
        w = Working(r)
        entitled = _entitlement(plan, method, w)
        advanced = r.values[ADVANCED]
        settled = entitled - advanced
        w.inputs[ENTITLEMENT] = entitled
        w.inputs[ADVANCED] = advanced
        w.parts[PART] = settled
        places = plan.rounding.places
        w.say(
            PART,
            f"本次结算 = 核定应补助 {fmt(entitled, places)} − 已预拨 {fmt(advanced, places)}"
            f" = {fmt(settled, places)}{unit}",
        )
        if settled < 0:
            w.note = _clawback_note(method, r)
            w.say(PART, f"结算为负数，即扣回 {fmt(-settled, places)}{unit}：{w.note}")
        elif r.note:
            w.note = r.note
        work.append(w)
    check_total(plan, sum((w.parts[PART] for w in work), Decimal(0)), problems)
    problems.raise_if_any()
    has_persons = any("persons" in w.inputs for w in work)
    inputs: tuple[InputColumn, ...] = (
        (InputColumn("persons", plan.label("persons") if "persons" in plan.labels else "核定人数"),)
        if has_persons
        else ()
    )
    inputs += (
        InputColumn(ENTITLEMENT, plan.labels.get(ENTITLEMENT, f"核定应补助（{unit}）"), money=True),
        InputColumn(ADVANCED, plan.labels.get(ADVANCED, f"已预拨（{unit}）"), money=True),
    )
    clawback = sum((-w.parts[PART] for w in work if w.parts[PART] < 0), Decimal(0))
    topup = sum((w.parts[PART] for w in work if w.parts[PART] > 0), Decimal(0))
    places = plan.rounding.places  # every figure of the note printed as the table prints it
    notes = [
        f"本次结算补拨 {fmt(topup, places)}{unit}，扣回 {fmt(clawback, places)}{unit}，"
        f"净额 {fmt(topup - clawback, places)}{unit}。"
    ]
    return finish(
        plan, work, [PartSpec(name=PART, header=PART, inputs=inputs, amount_label=f"本次结算（{unit}）")], notes
    )


def _clawback_note(method: SettlementMethod, r: Recipient) -> str:
    """The clawback always names its advance document; a recipient's own note is kept after it."""
    doc = method.advance_document.strip()
    note = f"从{doc}文件扣回" if doc else "扣回"
    return f"{note}；{r.note}" if r.note else note
