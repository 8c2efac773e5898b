"""Property tests for the allocation core (Hypothesis).

Plans are generated at random but always valid: factor-method plans with 1–8 groups, 1–12 uniquely named
recipients per group, 1–4 factors whose integer-percentage weights sum to exactly 100 %, non-negative integer
counts (at least one positive count per factor) and a positive total printable at the plan's places (0–2).

Expected figures are computed independently of ``fundflow`` with :class:`fractions.Fraction`, so that a
test never checks the code against itself.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundflow.core.allocation import allocate
from fundflow.core.apportion import Apportion
from fundflow.core.money import Rounding, RoundingMode, Unit
from fundflow.core.plan import Factor, FactorMethod, FixedMethod, Plan, Recipient, SettlementMethod
from fundflow.core.result import AllocationResult

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ALL_APPORTIONS = tuple(Apportion)
BALANCED = (Apportion.LARGEST_REMAINDER, Apportion.HIERARCHICAL)

# ---------------------------------------------------------------------------------------------------------
# Independent arithmetic (exact rationals, no fundflow code)
# ---------------------------------------------------------------------------------------------------------


def frac(value: Decimal | int) -> Fraction:
    return Fraction(value)


def units(value: Decimal, places: int) -> Fraction:
    """``value`` measured in quanta of the plan (an integer when ``value`` is on the grid)."""
    return Fraction(value) * 10**places


def from_units(n: int, places: int) -> Decimal:
    return Decimal(n).scaleb(-places)


def half_up(value: Fraction, places: int) -> Decimal:
    """Plain 四舍五入 of a non-negative rational to ``places`` decimals."""
    assert value >= 0
    return from_units(math.floor(value * 10**places + Fraction(1, 2)), places)


def hamilton(exact: Sequence[Fraction], target: Decimal, places: int, ties: Sequence[object]) -> list[Decimal]:
    """Largest remainder: floors, then one quantum each to the largest remainders (ties by ``ties``)."""
    scaled = [e * 10**places for e in exact]
    floors = [math.floor(s) for s in scaled]
    missing = int(units(target, places)) - sum(floors)
    assert 0 <= missing <= len(exact)
    order = sorted(range(len(exact)), key=lambda i: (-(scaled[i] - floors[i]), ties[i]))
    result = list(floors)
    for i in order[:missing]:
        result[i] += 1
    return [from_units(n, places) for n in result]


# ---------------------------------------------------------------------------------------------------------
# Plan generation
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A generated factor plan plus the raw inputs it was built from (for independent expectations)."""

    plan: Plan
    counts: dict[tuple[str, str], dict[str, int]]  # (group, recipient) -> factor name -> summed count

    @property
    def method(self) -> FactorMethod:
        assert isinstance(self.plan.method, FactorMethod)
        return self.plan.method

    @property
    def places(self) -> int:
        return self.plan.rounding.places

    def base(self, factor: str) -> int:
        return sum(c[factor] for c in self.counts.values())

    def with_apportion(self, apportion: Apportion) -> Plan:
        return replace(self.plan, apportion=apportion)


# Small count ranges make equal remainders (ties) common; large ones exercise realistic magnitudes.
COUNT_RANGES = (1, 3, 60, 200_000)


@st.composite
def totals(draw: st.DrawFn, places: int) -> Decimal:
    decimals = draw(st.integers(0, places))
    magnitude = draw(st.sampled_from([10, 1_000, 100_000, 10**9]))
    return from_units(draw(st.integers(1, magnitude)), decimals)


@st.composite
def factor_cases(draw: st.DrawFn, *, zero_row: bool = False, declare_groups: bool | None = None) -> Case:
    places = draw(st.integers(0, 2))
    n_groups = draw(st.integers(1, 8))
    # Table order deliberately differs from lexical order of the group names.
    groups = draw(st.permutations([f"地区{chr(ord('A') + i)}" for i in range(n_groups)]))

    n_factors = draw(st.integers(1, 4))
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=n_factors - 1, max_size=n_factors - 1)))
    percents = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    factors = []
    for i, k in enumerate(percents):
        columns = tuple(f"f{i}c{j}" for j in range(draw(st.integers(1, 2))))
        factors.append(Factor(name=f"因素{i + 1}", weight=Decimal(k) / 100, counts=columns))
    assert sum(f.weight for f in factors) == 1

    count = st.integers(0, draw(st.sampled_from(COUNT_RANGES)))
    rows: list[tuple[str, str]] = []
    for g in groups:
        numbers = draw(st.lists(st.integers(1, 40), min_size=1, max_size=12, unique=True))
        rows.extend((g, f"县{n}") for n in numbers)
    cells: list[dict[str, int]] = [{c: draw(count) for f in factors for c in f.counts} for _ in rows]

    zero = draw(st.integers(0, len(rows) - 1)) if zero_row else None
    if zero is not None:
        if len(rows) == 1:  # a second recipient to carry the counts
            rows.append((rows[0][0], "县0"))
            cells.append({c: draw(count) for f in factors for c in f.counts})
        cells[zero] = dict.fromkeys(cells[zero], 0)
    candidates = [i for i in range(len(rows)) if i != zero]
    for f in factors:  # at least one positive count per factor
        if all(cells[i][c] == 0 for i in range(len(rows)) for c in f.counts):
            i = draw(st.sampled_from(candidates))
            cells[i][f.counts[0]] = draw(st.integers(1, 1000))

    declared = draw(st.booleans()) if declare_groups is None else declare_groups
    recipients = tuple(
        Recipient(name=name, group=g, values={k: Decimal(v) for k, v in cell.items()})
        for (g, name), cell in zip(rows, cells, strict=True)
    )
    plan = Plan(
        title="性质测试",
        method=FactorMethod(tuple(factors)),
        recipients=recipients,
        unit=Unit.WAN,
        total=draw(totals(places)),
        rounding=Rounding(places),
        groups=tuple(groups) if declared else (),
    )
    counts = {
        row: {f.name: sum(cell[c] for c in f.counts) for f in factors} for row, cell in zip(rows, cells, strict=True)
    }
    return Case(plan, counts)


def parts_by_key(result: AllocationResult) -> dict[tuple[str | None, str], dict[str, Decimal]]:
    return {(ln.group, ln.recipient): dict(ln.parts) for ln in result.lines}


def lr_pots(case: Case) -> dict[str, Decimal]:
    """Factor pots as the balanced apportionments form them: largest remainder of total × weight."""
    assert case.plan.total is not None
    factors = case.method.factors
    exact = [frac(case.plan.total) * frac(f.weight) for f in factors]
    pots = hamilton(exact, case.plan.total, case.places, [(-f.weight, f.name) for f in factors])
    return {f.name: p for f, p in zip(factors, pots, strict=True)}


def check_sums(result: AllocationResult, *, nonnegative: bool = True) -> None:
    """Line amount = Σ parts; group subtotal = Σ its lines; totals = Σ lines."""
    names = result.part_names
    for ln in result.lines:
        assert ln.amount == sum(ln.parts.values(), Decimal(0)), ln
        assert not nonnegative or all(v >= 0 for v in ln.parts.values()), ln
    by_group: dict[str | None, list] = defaultdict(list)
    for ln in result.lines:
        by_group[ln.group].append(ln)
    assert {g.name for g in result.groups} == {g for g in by_group if g is not None}
    for g in result.groups:
        lines = by_group[g.name]
        assert g.amount == sum((ln.amount for ln in lines), Decimal(0))
        for n in names:
            assert g.parts[n] == sum((ln.parts[n] for ln in lines), Decimal(0))
    for n in names:
        assert result.total_parts[n] == sum((ln.parts[n] for ln in result.lines), Decimal(0))
    assert result.total == sum((ln.amount for ln in result.lines), Decimal(0))
    if by_group.keys() != {None}:
        assert result.total == sum((g.amount for g in result.groups), Decimal(0))


# ---------------------------------------------------------------------------------------------------------
# 1. Balanced apportionments conserve every pot and the total
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("apportion", BALANCED, ids=str)
@SETTINGS
@given(case=factor_cases())
def test_balanced_apportionments_conserve_pots_and_total(case: Case, apportion: Apportion) -> None:
    result = allocate(case.with_apportion(apportion))
    assert len(result.lines) == len(case.plan.recipients)
    pots = lr_pots(case)
    for f in case.method.factors:
        assert sum((ln.parts[f.name] for ln in result.lines), Decimal(0)) == pots[f.name]
        assert result.total_parts[f.name] == pots[f.name]
    assert result.total == case.plan.total
    assert not any("相差" in note for note in result.notes)
    check_sums(result)
    quantum = Fraction(1, 10**case.places)
    for ln in result.lines:
        for f in case.method.factors:
            assert ln.parts[f.name] == Rounding(case.places).apply(ln.parts[f.name])  # on the printed grid
    if apportion is Apportion.HIERARCHICAL:
        # Each group gets its rounded share of the pot, moved by at most one quantum.
        for f in case.method.factors:
            base = case.base(f.name)
            for g in result.groups:
                gcount = sum(c[f.name] for (grp, _), c in case.counts.items() if grp == g.name)
                exact = frac(pots[f.name]) * gcount / base
                assert abs(frac(g.parts[f.name]) - exact) <= Fraction(3, 2) * quantum, (f.name, g.name)


# ---------------------------------------------------------------------------------------------------------
# 2. per_line: every part is the plain half-up rounding of its exact share; totals are sums of lines
# ---------------------------------------------------------------------------------------------------------


@SETTINGS
@given(case=factor_cases())
def test_per_line_rounds_each_line_half_up(case: Case) -> None:
    assert case.plan.total is not None
    result = allocate(case.with_apportion(Apportion.PER_LINE))
    got = parts_by_key(result)
    for f in case.method.factors:
        pot = half_up(frac(case.plan.total) * frac(f.weight), case.places)
        base = case.base(f.name)
        for key, counts in case.counts.items():
            expected = half_up(frac(pot) * counts[f.name] / base, case.places)
            assert got[key][f.name] == expected, (f.name, key)
        printed = sum((ln.parts[f.name] for ln in result.lines), Decimal(0))
        differs = any(note.startswith(f"“{f.name}”合计") for note in result.notes)
        assert differs == (printed != pot), (f.name, printed, pot, result.notes)
    check_sums(result)


# ---------------------------------------------------------------------------------------------------------
# 3. largest_remainder: every part is the floor or the ceiling of its exact quota, biggest remainders up
# ---------------------------------------------------------------------------------------------------------


@SETTINGS
@given(case=factor_cases())
def test_largest_remainder_parts_are_floor_or_ceiling_of_quota(case: Case) -> None:
    result = allocate(case.with_apportion(Apportion.LARGEST_REMAINDER))
    got = parts_by_key(result)
    pots = lr_pots(case)
    for f in case.method.factors:
        pot = sum((parts[f.name] for parts in got.values()), Decimal(0))
        assert pot == pots[f.name]
        base = case.base(f.name)
        rounded_up: list[Fraction] = []
        rounded_down: list[Fraction] = []
        for key, counts in case.counts.items():
            quota = units(pot, case.places) * counts[f.name] / base
            part = units(got[key][f.name], case.places)
            assert part in (math.floor(quota), math.ceil(quota)), (f.name, key, part, quota)
            remainder = quota - math.floor(quota)
            if remainder:
                (rounded_up if part > quota else rounded_down).append(remainder)
        # Hamilton: no line left at its floor has a larger remainder than a line given the extra unit.
        if rounded_up and rounded_down:
            assert min(rounded_up) >= max(rounded_down), f.name


# ---------------------------------------------------------------------------------------------------------
# 4. A recipient with no counts gets nothing
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("apportion", ALL_APPORTIONS, ids=str)
@SETTINGS
@given(case=factor_cases(zero_row=True))
def test_recipient_with_zero_counts_gets_zero(case: Case, apportion: Apportion) -> None:
    result = allocate(case.with_apportion(apportion))
    got = parts_by_key(result)
    zero_rows = [key for key, counts in case.counts.items() if not any(counts.values())]
    assert zero_rows
    for key in zero_rows:
        assert all(v == 0 for v in got[key].values()), (key, got[key])
        line = next(ln for ln in result.lines if (ln.group, ln.recipient) == key)
        assert line.amount == 0


# ---------------------------------------------------------------------------------------------------------
# 5. Order independence: shuffling the recipients changes nothing (group order declared)
# ---------------------------------------------------------------------------------------------------------


@SETTINGS
@given(data=st.data(), case=factor_cases(declare_groups=True))
def test_shuffling_recipients_changes_no_figure(data: st.DataObject, case: Case) -> None:
    recipients = case.plan.recipients
    order = data.draw(st.permutations(range(len(recipients))), label="order")
    shuffled_plan = replace(case.plan, recipients=tuple(recipients[i] for i in order))
    for apportion in ALL_APPORTIONS:
        original = allocate(replace(case.plan, apportion=apportion))
        shuffled = allocate(replace(shuffled_plan, apportion=apportion))
        assert parts_by_key(shuffled) == parts_by_key(original), apportion
        assert {g.name: dict(g.parts) for g in shuffled.groups} == {g.name: dict(g.parts) for g in original.groups}
        assert [g.name for g in shuffled.groups] == [g.name for g in original.groups]
        assert shuffled.total_parts == original.total_parts
        assert shuffled.total == original.total


# ---------------------------------------------------------------------------------------------------------
# 6. Determinism and idempotence
# ---------------------------------------------------------------------------------------------------------


@SETTINGS
@given(case=factor_cases())
def test_allocation_is_deterministic(case: Case) -> None:
    for apportion in ALL_APPORTIONS:
        plan = case.with_apportion(apportion)
        first = allocate(plan)
        second = allocate(plan)
        assert first == second
        assert [(ln.group, ln.recipient) for ln in first.lines] == [(ln.group, ln.recipient) for ln in second.lines]


@settings(max_examples=300, deadline=None)
@given(
    value=st.decimals(min_value=-(10**12), max_value=10**12, allow_nan=False, allow_infinity=False, places=8),
    places=st.integers(0, 6),
    mode=st.sampled_from(RoundingMode),
)
def test_rounding_apply_is_idempotent(value: Decimal, places: int, mode: RoundingMode) -> None:
    rounding = Rounding(places, mode)
    once = rounding.apply(value)
    assert rounding.apply(once) == once
    quantum = Decimal(1).scaleb(-places)
    assert abs(once - value) < quantum
    assert once % quantum == 0
    if mode is RoundingMode.FLOOR:
        assert once <= value
    elif mode is RoundingMode.CEILING:
        assert once >= value
    else:
        assert abs(once - value) * 2 <= quantum


# ---------------------------------------------------------------------------------------------------------
# 7. Fixed and settlement methods
# ---------------------------------------------------------------------------------------------------------


def grid_amounts(places: int, *, min_units: int = 0, max_units: int = 10**8) -> st.SearchStrategy[Decimal]:
    return st.integers(min_units, max_units).map(lambda n: from_units(n, places))


@st.composite
def fixed_plans(draw: st.DrawFn) -> tuple[Plan, dict[str, Decimal]]:
    places = draw(st.integers(0, 2))
    names = draw(st.lists(st.integers(1, 500), min_size=1, max_size=30, unique=True))
    amounts = {f"单位{n}": draw(grid_amounts(places)) for n in names}
    grouped = draw(st.booleans())
    recipients = tuple(
        Recipient(name=name, group=f"组{i % 3}" if grouped else None, values={"amount": amount})
        for i, (name, amount) in enumerate(amounts.items())
    )
    total = sum(amounts.values(), Decimal(0)) if draw(st.booleans()) else None
    plan = Plan(
        title="定额下达",
        method=FixedMethod(),
        recipients=recipients,
        unit=Unit.WAN,
        total=total,
        rounding=Rounding(places),
    )
    return plan, amounts


@SETTINGS
@given(generated=fixed_plans())
def test_fixed_total_is_sum_of_given_amounts(generated: tuple[Plan, dict[str, Decimal]]) -> None:
    plan, amounts = generated
    result = allocate(plan)
    assert result.total == sum(amounts.values(), Decimal(0))
    assert result.total_parts["拨付资金"] == result.total
    assert {ln.recipient: ln.amount for ln in result.lines} == amounts
    assert {ln.recipient: ln.parts["拨付资金"] for ln in result.lines} == amounts
    check_sums(result)


DOCUMENTS = ("塔地财社〔2021〕8号", "新财社〔2020〕34号", "伊州财社〔2022〕115号")


@st.composite
def settlement_plans(draw: st.DrawFn) -> tuple[Plan, dict[str, tuple[Decimal, Decimal]]]:
    """A settlement plan and, per recipient, the independently expected (entitlement, advanced)."""
    places = draw(st.integers(0, 2))
    standard = draw(st.one_of(st.none(), st.integers(1, 100_000).map(lambda n: Decimal(n) / 100)))
    names = draw(st.lists(st.integers(1, 500), min_size=1, max_size=25, unique=True))
    recipients = []
    expected: dict[str, tuple[Decimal, Decimal]] = {}
    for n in names:
        name = f"县{n}"
        advanced = draw(grid_amounts(places, max_units=10**7))
        if standard is not None and draw(st.booleans()):
            insured = draw(st.integers(0, 500_000))
            dups = draw(st.lists(st.integers(0, 1000), max_size=3))
            if sum(dups) > insured:
                dups = []
            duplicates = {f"重复{i}": Decimal(d) for i, d in enumerate(dups)}
            values = {"insured": Decimal(insured), "advanced": advanced}
            persons = insured - sum(dups)
            entitlement = half_up(Fraction(persons) * frac(standard) / 10_000, places)
        else:
            duplicates = {}
            entitlement = draw(grid_amounts(places, max_units=10**7))
            values = {"entitlement": entitlement, "advanced": advanced}
        recipients.append(Recipient(name=name, values=values, duplicates=duplicates))
        expected[name] = (entitlement, advanced)
    net = sum((e - a for e, a in expected.values()), Decimal(0))
    plan = Plan(
        title="结算",
        method=SettlementMethod(advance_document=draw(st.sampled_from(DOCUMENTS)), standard_yuan=standard),
        recipients=tuple(recipients),
        unit=Unit.WAN,
        total=net if draw(st.booleans()) else None,
        rounding=Rounding(places),
    )
    return plan, expected


@SETTINGS
@given(generated=settlement_plans())
def test_settlement_is_entitlement_minus_advanced(generated: tuple[Plan, dict[str, tuple[Decimal, Decimal]]]) -> None:
    plan, expected = generated
    assert isinstance(plan.method, SettlementMethod)
    result = allocate(plan)
    assert {ln.recipient for ln in result.lines} == set(expected)
    for ln in result.lines:
        entitlement, advanced = expected[ln.recipient]
        assert ln.inputs["entitlement"] == entitlement, ln.recipient
        assert ln.inputs["advanced"] == advanced, ln.recipient
        assert ln.inputs["entitlement"] - ln.inputs["advanced"] == ln.amount
        assert ln.amount == entitlement - advanced
        if ln.amount < 0:
            assert plan.method.advance_document in ln.note, (ln.recipient, ln.note)
            assert "扣回" in ln.note
        else:
            assert ln.note == ""
    assert result.total == sum((e - a for e, a in expected.values()), Decimal(0))
    check_sums(result, nonnegative=False)
