"""Writes to allocation plans. Each service validates first, writes in one transaction, bumps the version
(optimistic locking: a stale version is refused, never silently overwritten) and leaves history behind.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from fundflow.accounts.scope import profile_of
from fundflow.allocations.models import AllocationPlan, PlanAdjustment, PlanRecipient
from fundflow.core.allocation import allocate
from fundflow.core.allocation.columns import column_label, input_columns, optional_columns
from fundflow.core.allocation.validation import input_problems, parameter_problems
from fundflow.core.errors import Location, PlanError, Problem
from fundflow.core.money import Unit, convert, fmt
from fundflow.core.plan import (
    Adjustment,
    Plan,
    Recipient,
)
from fundflow.core.result import AllocationResult
from fundflow.io.allocation_template import TemplateRow, read_recipients_upload, template_workbook
from fundflow.io.json_allocation import result_to_dict
from fundflow.io.plan_yaml import parse_plan
from fundflow.io.xlsx_write import formula_like, formula_problem, formula_texts
from fundflow.platform.errors import ActionNotAllowed, ConflictError, ServiceError
from fundflow.platform.uploads import check_upload_size, upload_max_rows
from fundflow.regions.matching import regions_named, units_named
from fundflow.regions.models import BudgetUnit, Region
from fundflow.text_fields import has_control, text_problems

__all__ = ["ActionNotAllowed", "ConflictError", "ServiceError", "check_upload_size"]


def parse_spec(spec_yaml: str) -> Plan:
    """Parse the plan parameters (the plan-file format without recipients).

    Parameters come from users of the web: parsed in parameters-only mode, which refuses ``recipients``,
    ``recipients_file`` and ``adjustments`` by their parsed keys (any quoting or spacing) and never reads a file.
    """
    try:
        plan = parse_plan(spec_yaml, "分配参数", parameters_only=True)
    except PlanError as exc:
        raise ServiceError("分配参数有误", exc.problems) from None
    return plan


def spec_problems(spec_yaml: str) -> tuple[Problem, ...]:
    """What the current rules refuse in stored parameters — empty when they parse. A plan saved before a rule
    existed (e.g. ``recipients :`` before row keys were refused however spelled) must still open, not fail."""
    try:
        parse_spec(spec_yaml)
    except ServiceError as exc:
        return tuple(exc.problems) or (Problem("yaml.syntax", exc.message, Location("分配参数")),)
    return ()


def stored_places(spec_yaml: str) -> int | None:
    """The plan's decimal places, or None when its stored parameters no longer parse."""
    return None if spec_problems(spec_yaml) else parse_spec(spec_yaml).rounding.places


def validate_spec(spec_yaml: str) -> Plan:
    """Parse and check the parameters by the core's parameter rules (weights, shares, total…): those need no
    recipients, so a spec is judged before any row exists."""
    plan = parse_spec(spec_yaml)
    problems = parameter_problems(plan)
    if problems:
        raise ServiceError("分配参数有误", problems)
    return plan


def _check_spec_formulas(parsed: Plan, document_number: str) -> None:
    """Refuse parameter texts (title, fund, labels, factor names, …) that a spreadsheet could run as a formula:
    they are printed in every exported table."""
    texts = [*formula_texts(parsed), *formula_texts(document_number.strip())]
    if texts:
        where = Location("分配参数")
        raise ServiceError(
            f"分配参数有 {len(texts)} 处文字以公式符号开头，未保存",
            [formula_problem("plan.formula-text", t, where) for t in dict.fromkeys(texts)],
        )


def _check_formula_texts(parsed: Sequence[Recipient], filename: str) -> None:
    """Refuse a group, name or note that a spreadsheet could run as a formula (=, +, -, @ …), at its cell."""
    problems = [
        formula_problem("input.formula-text", text, r.cell_locations.get(key) or r.location)
        for r in parsed
        for key, text in (("group", r.group or ""), ("name", r.name), ("note", r.note))
        if formula_like(text)
    ]
    if problems:
        raise ServiceError(f"{filename} 有 {len(problems)} 处错误，未导入任何数据", problems)


def _require(user: Any, perm: str, plan: AllocationPlan | None = None) -> None:
    if not user.has_perm(perm, plan):
        raise ActionNotAllowed("您没有权限进行此操作")


def _locked_for_update(plan: AllocationPlan, version: int) -> AllocationPlan:
    """Re-read the plan inside the transaction (row-locked on PostgreSQL) and check the version."""
    fresh = AllocationPlan.objects.select_for_update().get(pk=plan.pk)
    if fresh.version != version:
        raise ConflictError("该分配方案已被他人修改（版本已更新），您的保存未生效。请刷新页面，查看最新内容后再修改。")
    return fresh


def _check_plan_text(parsed: Plan, document_number: str) -> None:
    """Title, fund and document number fit their columns and are single lines (PostgreSQL refuses longer text)."""
    where = Location("分配参数")
    problems = [
        *text_problems(AllocationPlan, "title", parsed.title, where),
        *text_problems(AllocationPlan, "fund", parsed.fund or "", where),
        *text_problems(AllocationPlan, "document_number", document_number, where),
    ]
    if problems:
        raise ServiceError("分配参数有误", problems)


@transaction.atomic
def plan_create(*, user: Any, spec_yaml: str, document_number: str = "") -> AllocationPlan:
    _require(user, "allocations.add_plan")
    parsed = validate_spec(spec_yaml)
    _check_plan_text(parsed, document_number)
    _check_spec_formulas(parsed, document_number)
    profile = profile_of(user)
    assert profile is not None
    return AllocationPlan.objects.create(
        region=profile.region,
        title=parsed.title,
        fund=parsed.fund,
        year=parsed.year or timezone.localdate().year,
        document_number=document_number,
        method=parsed.method_kind.value,
        spec_yaml=spec_yaml.strip() + "\n",
        unit_label=parsed.unit.value,
        created_by=user,
    )


@transaction.atomic
def plan_update_spec(
    *, user: Any, plan: AllocationPlan, spec_yaml: str, document_number: str, version: int
) -> AllocationPlan:
    _require(user, "allocations.change_plan", plan)
    parsed = validate_spec(spec_yaml)
    _check_plan_text(parsed, document_number)
    _check_spec_formulas(parsed, document_number)
    fresh = _locked_for_update(plan, version)
    fresh.spec_yaml = spec_yaml.strip() + "\n"
    fresh.title, fresh.fund, fresh.method = parsed.title, parsed.fund, parsed.method_kind.value
    fresh.year = parsed.year or fresh.year
    fresh.unit_label = parsed.unit.value
    fresh.document_number = document_number
    _invalidate(fresh)
    fresh.save()
    return fresh


def _invalidate(plan: AllocationPlan) -> None:
    """Inputs changed: the stored result no longer holds."""
    plan.version += 1
    plan.result_json = None
    plan.total = None
    plan.computed_at = None


def core_plan(plan: AllocationPlan) -> Plan:
    """The pure plan for fundflow.core: parameters + recipient rows + adjustments."""
    base = parse_spec(plan.spec_yaml)
    recipients = tuple(
        Recipient(
            name=r.name,
            group=r.group or None,
            values={k: Decimal(v) for k, v in r.values.items()},
            duplicates={k: Decimal(v) for k, v in r.duplicates.items()},
            note=r.note,
            location=Location("分配对象", r.position),
        )
        for r in plan.recipients.all()
    )
    adjustments = tuple(
        Adjustment(a.recipient, a.part, a.delta.normalize(), a.reason, a.group or None) for a in plan.adjustments.all()
    )
    return dataclasses.replace(base, recipients=recipients, adjustments=adjustments)


def template_xlsx(plan: AllocationPlan, own: frozenset[tuple[str, str]] | None = None) -> bytes:
    """An Excel template: 分组, 名称 and the method's input columns, pre-filled with current rows.

    ``own`` (see ``visibility.own_lines``) limits the rows to a recipient unit's own lines: the template is a
    download like any other and must not show another recipient's inputs or notes.
    """
    rows = (
        TemplateRow(r.group, r.name, r.values, r.note)
        for r in plan.recipients.all()
        if own is None or (r.group, r.name) in own
    )
    return template_workbook(parse_spec(plan.spec_yaml), rows)


@dataclasses.dataclass(frozen=True)
class ImportReport:
    rows: int
    changed: bool


def recipients_import(*, user: Any, plan: AllocationPlan, filename: str, content: bytes, version: int) -> ImportReport:
    """Validate the whole file first; write all rows in one transaction or nothing. Same file twice: no change.

    Reading, validation and linking run outside the transaction, so the database is write-locked only for the
    writes themselves (on SQLite one write transaction blocks every other user's writes).
    """
    _require(user, "allocations.change_plan", plan)
    spec = parse_spec(plan.spec_yaml)
    check_upload_size(filename, len(content))
    read = read_recipients_upload(spec, filename, content, max_rows=upload_max_rows())
    if read.refusal:
        raise ServiceError(read.refusal, read.problems)
    parsed = read.recipients
    _check_formula_texts(parsed, filename)
    _check_unique(parsed, filename)
    _check_texts(parsed, filename)
    _check_inputs(spec, parsed, filename)
    links = _links_in_scope(plan.region, parsed, filename)
    new_rows = [_row_values(r) for r in parsed]
    with transaction.atomic():
        fresh = _locked_for_update(plan, version)
        old_rows = [(r.group, r.name, r.values, r.duplicates, r.note) for r in fresh.recipients.all()]
        if new_rows == old_rows:
            return ImportReport(len(new_rows), changed=False)
        _store_rows(fresh, parsed, links, user)
        _invalidate(fresh)
        fresh.save()
    return ImportReport(len(new_rows), changed=True)


def _check_inputs(spec: Plan, parsed: Sequence[Recipient], filename: str, message: str = "") -> None:
    """Run the core's input rules (negative or fractional counts, missing columns, …) on the rows, at their cells.

    Nothing is computed: what only the computation can judge (a zero base, the stated total) is reported when
    computing. ``message`` (with ``{n}`` for the number of problems) replaces the upload's refusal text.
    """
    problems = input_problems(spec, parsed)
    if problems:
        text = (message or "{file} 有 {n} 处错误，未导入任何数据").format(file=filename, n=len(problems))
        raise ServiceError(text, problems)


Link = tuple[Region | None, BudgetUnit | None]


def _links_in_scope(scope: Region, recipients: Sequence[Recipient], where: str) -> list[Link]:
    """Link each recipient to the region or unit of its name — which must lie within the plan's region.

    A plan may only allocate within its own region and below: a name that matches only regions or units
    elsewhere (e.g. 莎车县 in a 额敏县 plan) is refused. Names that match nothing (development zones, units not
    yet in the reference data) are kept unlinked.
    """
    links: list[Link] = []
    problems = []
    names = {r.name for r in recipients}
    regions_of, units_of = regions_named(names), units_named(names)
    for r in recipients:
        regions = regions_of.get(r.name, [])
        units = units_of.get(r.name, [])
        region = next((g for g in regions if g.is_within(scope)), None)
        unit = next((u for u in units if u.region.is_within(scope)), None)
        if region is None and unit is None and (regions or units):
            home = regions[0].parent if regions else units[0].region
            elsewhere = home.name if home is not None else "其他地区"
            problems.append(
                Problem(
                    "recipient.out-of-scope",
                    f"“{r.name}”属于{elsewhere}，不在本方案编制地区（{scope.name}）范围内",
                    r.location or Location(where),
                )
            )
        links.append((region, unit))
    if problems:
        raise ServiceError(f"{where} 有 {len(problems)} 处错误，未导入任何数据", problems)
    return links


def _store_rows(plan: AllocationPlan, recipients: Sequence[Recipient], links: Sequence[Link], user: Any = None) -> None:
    """Bring the stored rows to ``recipients``, updating rows in place (matched by group and name) so that the
    history shows each changed value, creating new rows and deleting rows no longer in the file.

    New and changed rows are written in bulk (with their history rows), so a large file holds the write lock
    for a few statements rather than one per row.
    """
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    existing = {(r.group, r.name): r for r in plan.recipients.all()}
    keep: set[int] = set()
    created: list[PlanRecipient] = []
    changed: list[PlanRecipient] = []
    changed_fields: set[str] = set()
    for position, (r, (region, unit)) in enumerate(zip(recipients, links, strict=True), start=1):
        group, name, values, duplicates, note = _row_values(r)
        row = existing.get((group, name))
        fields = {
            "position": position,
            "values": values,
            "duplicates": duplicates,
            "note": note,
            "region": region,
            "unit": unit,
        }
        if row is None:
            created.append(PlanRecipient(plan=plan, group=group, name=name, **fields))
            continue
        differ = [k for k, v in fields.items() if getattr(row, k) != v]
        if differ:
            for k in differ:
                setattr(row, k, fields[k])
            changed.append(row)
            changed_fields.update(differ)
        keep.add(row.pk)
    for row in existing.values():
        if row.pk not in keep:
            row.delete()
    history_user = user if getattr(user, "is_authenticated", False) else None
    if changed:
        # Only the changed columns, in small batches: bulk_update's CASE grows with both.
        columns = [f for f in _STORED_FIELDS if f in changed_fields]
        bulk_update_with_history(changed, PlanRecipient, columns, batch_size=100, default_user=history_user)
    if created:
        bulk_create_with_history(created, PlanRecipient, batch_size=500, default_user=history_user)


_STORED_FIELDS = ("position", "values", "duplicates", "note", "region", "unit")


def _recipient_text_problems(r: Recipient, where: Location | None) -> list[Problem]:
    return [
        *text_problems(PlanRecipient, "group", r.group or "", where),
        *text_problems(PlanRecipient, "name", r.name, where),
        *text_problems(PlanRecipient, "note", r.note, where),
    ]


def _check_texts(parsed: Sequence[Recipient], filename: str) -> None:
    """Names, groups and notes fit their columns and are single lines, reported at their rows."""
    problems = [p for r in parsed for p in _recipient_text_problems(r, r.location or Location(filename))]
    if problems:
        raise ServiceError(f"{filename} 有 {len(problems)} 处错误，未导入任何数据", problems)


def _check_unique(parsed: Sequence[Recipient], filename: str) -> None:
    seen: set[tuple[str | None, str]] = set()
    problems = []
    for r in parsed:
        if (r.group, r.name) in seen:
            problems.append(Problem("recipient.duplicate", f"“{r.name}”在同一分组中重复出现", r.location))
        seen.add((r.group, r.name))
    if problems:
        raise ServiceError(f"{filename} 有 {len(problems)} 处错误，未导入任何数据", problems)


def _row_values(r: Recipient) -> tuple[str, str, dict[str, str], dict[str, str], str]:
    return (
        r.group or "",
        r.name,
        {k: format(v, "f") for k, v in r.values.items()},
        {k: format(v, "f") for k, v in r.duplicates.items()},
        r.note,
    )


@transaction.atomic
def recipient_add(
    *, user: Any, plan: AllocationPlan, group: str, name: str, values: dict[str, str], version: int
) -> PlanRecipient:
    """Enter one recipient in the page. Every needed column is validated before anything is written."""
    from fundflow.io.numbers import parse_decimal

    _require(user, "allocations.change_plan", plan)
    spec = parse_spec(plan.spec_yaml)
    optional = optional_columns(spec)
    problems = []
    if not name.strip():
        problems.append(Problem("recipient.name-missing", "请填写名称", Location("新增行", None, "名称")))
    for column, text in (("分组", group.strip()), ("名称", name.strip())):
        if formula_like(text):
            problems.append(formula_problem("input.formula-text", text, Location("新增行", None, column)))
    parsed: dict[str, str] = {}
    for column in input_columns(spec):
        text = values.get(column, "").strip()
        where = Location("新增行", None, column_label(spec, column))
        if not text:
            if column not in optional:
                problems.append(Problem("input.blank", "应填写数字（无则填 0）", where))
            continue
        try:
            parsed[column] = format(parse_decimal(text), "f")
        except ValueError:
            problems.append(Problem("input.not-number", f"应为数字，实为“{text}”", where))
    fresh = _locked_for_update(plan, version)
    if fresh.recipients.filter(group=group.strip(), name=name.strip()).exists():
        problems.append(Problem("recipient.duplicate", f"“{name.strip()}”在同一分组中已存在", Location("新增行")))
    grouped = fresh.recipients.exclude(group="").exists()
    if fresh.recipients.exists() and grouped != bool(group.strip()):
        needed = "请填写分组（其他分配对象均已分组）" if grouped else "其他分配对象都没有分组，本行也不应填写分组"
        problems.append(Problem("recipient.group-missing", needed, Location("新增行", None, "分组")))
    new = Recipient(
        name=name.strip(),
        group=group.strip() or None,
        values={k: Decimal(v) for k, v in parsed.items()},
        location=Location("新增行"),
    )
    problems.extend(_recipient_text_problems(new, Location("新增行")))
    if not problems:
        try:
            _check_inputs(spec, [new], "新增行")
            [(region, unit)] = _links_in_scope(fresh.region, [new], "新增行")
        except ServiceError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ServiceError(f"新增的分配对象有 {len(problems)} 处错误，未保存", problems)
    position = (fresh.recipients.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    row = PlanRecipient.objects.create(
        plan=fresh,
        position=position,
        group=group.strip(),
        name=name.strip(),
        values=parsed,
        region=region,
        unit=unit,
    )
    _invalidate(fresh)
    fresh.save()
    return row


ADJUSTMENTS_WHERE = "尾差调整"
# Field of the adjustment form → its Chinese column name, which is also where a problem is placed.
ADJUSTMENT_FIELDS = {"recipient": "分配对象", "part": "因素/列", "delta": "调整数", "reason": "理由"}
_ADJUSTMENT_RULE_FIELD = {
    "adjustment.unknown-recipient": "recipient",
    "adjustment.unknown-part": "part",
    "adjustment.bad-delta": "delta",
    "adjustment.negative": "delta",
    "adjustment.no-reason": "reason",
}
_REASON_MAX = 255
_DELTA_MAX = Decimal(10) ** 12  # the column holds 18 digits, 6 of them decimals


@dataclasses.dataclass(frozen=True)
class AdjustmentRow:
    """One row of the adjustment form or API body. ``id`` names the stored adjustment it edits (None: a new one);
    ``recipient`` is written ``名称`` or, when the name occurs in several groups, ``分组/名称``."""

    id: int | None = None
    recipient: str = ""
    part: str = ""
    delta: str = ""
    reason: str = ""
    delete: bool = False

    @property
    def blank(self) -> bool:
        """An empty new row of the form: ignored rather than refused."""
        # The part alone does not count: the form may preselect it when the table has a single part.
        return self.id is None and not any(x.strip() for x in (self.recipient, self.delta, self.reason))


def adjustment_field(problem: Problem) -> str | None:
    """The form field (recipient, part, delta, reason) a problem of one adjustment row belongs next to."""
    if problem.location is None or problem.location.row is None:
        return None
    column = problem.location.column
    return next((k for k, label in ADJUSTMENT_FIELDS.items() if label == column), None)


def recipient_labels(plan: AllocationPlan) -> dict[tuple[str, str], str]:
    """How users write each recipient in an adjustment: its name, or ``分组/名称`` when the name repeats."""
    rows = list(plan.recipients.values_list("group", "name"))
    repeated = {n for n in (name for _, name in rows) if sum(1 for _, other in rows if other == n) > 1}
    return {(g, n): f"{g}/{n}" if n in repeated else n for g, n in rows}


def adjustment_label(adjustment: PlanAdjustment, labels: dict[tuple[str, str], str]) -> str:
    """The recipient of a stored adjustment as the form shows it (see :func:`recipient_labels`)."""
    if adjustment.group:
        return labels.get((adjustment.group, adjustment.recipient), f"{adjustment.group}/{adjustment.recipient}")
    return adjustment.recipient


def delta_text(delta: Decimal, places: int) -> str:
    """An adjustment at the plan's places (1 → "1", or "1.00" at two places); finer stored values unrounded."""
    step = Decimal(1).scaleb(-places)
    return fmt(delta, places) if delta == delta.quantize(step) else fmt(delta.normalize())


def _adjustment_target(text: str, names: set[str]) -> tuple[str | None, str]:
    """``名称`` → (None, 名称); ``分组/名称`` → (分组, 名称) unless the whole text is itself a recipient's name."""
    text = text.strip().replace("／", "/")
    if text in names or "/" not in text:
        return None, text
    group, name = text.split("/", 1)
    return group.strip(), name.strip()


def _adjustment_problem(problem: Problem) -> Problem:
    """A core adjustment problem placed at the form field it concerns (its row is already in the location)."""
    field = _ADJUSTMENT_RULE_FIELD.get(problem.rule)
    if field is None or problem.location is None:
        return problem
    return dataclasses.replace(problem, location=problem.location.at_column(ADJUSTMENT_FIELDS[field]))


def _parse_adjustment_row(
    row: AdjustmentRow, where: Location, names: set[str]
) -> tuple[Adjustment | None, list[Problem]]:
    """Read one row's text; the rules on the values themselves are the core's (see ``_check_adjustments``)."""
    from fundflow.io.numbers import parse_decimal

    problems = []
    text = row.delta.strip().replace("−", "-")
    delta = Decimal(0)
    if not text:
        problems.append(
            Problem("input.blank", "请填写调整数（如 1 或 -1）", where.at_column(ADJUSTMENT_FIELDS["delta"]))
        )
    else:
        try:
            delta = parse_decimal(text)
        except ValueError:
            problems.append(
                Problem("input.not-number", f"应为数字，实为“{row.delta}”", where.at_column(ADJUSTMENT_FIELDS["delta"]))
            )
        else:
            if abs(delta) >= _DELTA_MAX:
                problems.append(Problem("input.too-large", "调整数过大", where.at_column(ADJUSTMENT_FIELDS["delta"])))
    reason = row.reason.strip()
    at_reason = where.at_column(ADJUSTMENT_FIELDS["reason"])
    if len(reason) > _REASON_MAX:
        problems.append(Problem("input.too-long", f"理由不能超过 {_REASON_MAX} 个字", at_reason))
    # The reason is printed in the plan's history and explanations and may reach a workbook: refused like any
    # other entered text that a spreadsheet could run as a formula, and kept to a single line.
    if formula_like(reason):
        problems.append(formula_problem("input.formula-text", reason, at_reason))
    if has_control(reason):
        problems.append(
            Problem("text.control-character", "理由应为一行文字，不能含换行符、制表符等控制字符", at_reason)
        )
    if problems:
        return None, problems
    group, name = _adjustment_target(row.recipient, names)
    return Adjustment(name, row.part.strip(), delta, row.reason.strip(), group, where), []


def _check_adjustments(
    spec: Plan, adjustments: Sequence[Adjustment], complete: bool
) -> tuple[list[Recipient], list[Problem]]:
    """The core's adjustment rules on the new set — exactly those a plan file's ``adjustments`` must meet.

    When some rows could not be read (``complete`` false), the balance of their group is not judged. When the
    plan computes, whether a figure would turn negative is judged too.
    """
    from fundflow.core.allocation import part_names
    from fundflow.core.allocation.common import Problems, check_adjustments

    where = {**spec.location, "adjustments": Location(ADJUSTMENTS_WHERE)}
    candidate = dataclasses.replace(spec, adjustments=tuple(adjustments), location=where)
    found = Problems()
    targets = check_adjustments(candidate, part_names(candidate), found)
    problems = [p for p in found.items if complete or p.rule != "adjustment.unbalanced"]
    if not found.items and complete:
        try:
            allocate(candidate)
        except PlanError as exc:  # other problems (inputs, totals) are the computation's business
            problems = [p for p in exc.problems if p.rule.startswith("adjustment.")]
    return targets, [_adjustment_problem(p) for p in problems]


@transaction.atomic
def adjustments_save(*, user: Any, plan: AllocationPlan, rows: Sequence[AdjustmentRow], version: int) -> int:
    """Add, edit and delete manual tail adjustments (尾差调整) in one go, as the page's form and the API send them.

    ``rows`` with an ``id`` edit (or, with ``delete``, remove) that stored adjustment; rows without one are new;
    stored adjustments not named are kept. The resulting set is checked by the core's rules for plan files, so a
    balanced pair (+1 on one line, −1 on another of the same group and part) is entered together. On any problem
    nothing is saved. A change clears the stored result (the plan must be computed again) and is recorded in the
    plan's history. Returns the number of adjustments added, changed or deleted.
    """
    _require(user, "allocations.change_plan", plan)
    fresh = _locked_for_update(plan, version)
    spec = core_plan(fresh)
    names = {r.name for r in spec.recipients}
    stored = {a.pk: a for a in fresh.adjustments.order_by("pk")}
    problems: list[Problem] = []
    edits: dict[int, Adjustment | None] = {}  # stored id → its new value (None: unreadable, see problems)
    deleted: list[int] = []
    added: list[Adjustment] = []
    for number, row in enumerate(rows, start=1):
        if row.blank:
            continue
        where = Location(ADJUSTMENTS_WHERE, number)
        if row.id is not None and (row.id not in stored or row.id in edits or row.id in deleted):
            problems.append(Problem("adjustment.unknown-row", "该调整不属于本方案或已被删除，请刷新页面", where))
            continue
        if row.delete:  # a new row marked for deletion is simply not added
            if row.id is not None:
                deleted.append(row.id)
            continue
        adjustment, row_problems = _parse_adjustment_row(row, where, names)
        problems += row_problems
        if row.id is not None:
            edits[row.id] = adjustment
        elif adjustment is not None:
            added.append(adjustment)
    pending: list[tuple[PlanAdjustment | None, Adjustment]] = []
    for pk, row in stored.items():
        if pk in deleted:
            continue
        if pk in edits:
            edited = edits[pk]
            if edited is not None:
                pending.append((row, edited))
        else:
            where = Location(ADJUSTMENTS_WHERE)
            kept = Adjustment(row.recipient, row.part, row.delta.normalize(), row.reason, row.group or None, where)
            pending.append((row, kept))
    pending += [(None, a) for a in added]
    targets, core_problems = _check_adjustments(spec, [a for _, a in pending], complete=not problems)
    problems += core_problems
    if problems:
        problems.sort(key=lambda p: (p.location.row or 0) if p.location else 0)
        raise ServiceError(f"尾差调整有 {len(problems)} 处错误，未保存任何修改", problems)
    return _store_adjustments(user, fresh, pending, targets, [stored[pk] for pk in deleted])


def _store_adjustments(
    user: Any,
    plan: AllocationPlan,
    pending: Sequence[tuple[PlanAdjustment | None, Adjustment]],
    targets: Sequence[Recipient],
    deleted: Sequence[PlanAdjustment],
) -> int:
    """Write the checked set: only rows that changed are saved, so the history shows exactly what was edited."""
    changes = 0
    for (row, adjustment), target in zip(pending, targets, strict=True):
        group = target.group or ""
        if row is not None and adjustment.group is None and row.group == "":
            group = ""  # written without a group in a plan file and still unambiguous: leave it so
        fields = {
            "group": group,
            "recipient": adjustment.recipient,
            "part": adjustment.part,
            "delta": adjustment.delta,
            "reason": adjustment.reason,
        }
        if row is None:
            row = PlanAdjustment(plan=plan, **fields)
        elif all(getattr(row, k) == v for k, v in fields.items()):
            continue
        else:
            for k, v in fields.items():
                setattr(row, k, v)
        row._history_user = user  # type: ignore[attr-defined]  # recorded as the author also for API calls
        row.save()
        changes += 1
    for row in deleted:
        row._history_user = user  # type: ignore[attr-defined]
        row.delete()
        changes += 1
    if changes:
        _invalidate(plan)
        plan.save()
    return changes


@transaction.atomic
def recipients_update(*, user: Any, plan: AllocationPlan, cells: dict[tuple[int, str], str], version: int) -> int:
    """Edit input cells in the page: ``cells`` maps (recipient id, column) → text. All or nothing.

    Only the method's input columns may be edited, and the edited rows must pass the same input rules as an
    uploaded file (the core's rules for the method: no negative counts, amounts at the plan's places …).
    """
    from fundflow.io.numbers import parse_decimal

    _require(user, "allocations.change_plan", plan)
    spec = parse_spec(plan.spec_yaml)
    columns = input_columns(spec)
    fresh = _locked_for_update(plan, version)
    rows = {r.pk: r for r in fresh.recipients.all()}
    problems = []
    changed = 0
    dirty: dict[int, PlanRecipient] = {}
    for (pk, column), text in cells.items():
        row = rows.get(pk)
        if row is None:
            problems.append(Problem("input.unknown-row", "该行不属于本方案", Location("页面", None, column)))
            continue
        if column not in columns:
            problems.append(
                Problem("input.unknown-column", f"“{column}”不是本方案的输入列", Location("页面", row.position, column))
            )
            continue
        try:
            value = parse_decimal(text)
        except ValueError:
            problems.append(
                Problem("input.not-number", f"应为数字，实为“{text}”", Location("页面", row.position, column))
            )
            continue
        if format(value, "f") != row.values.get(column):
            row.values[column] = format(value, "f")
            dirty[row.pk] = row
            changed += 1
    if problems:
        raise ServiceError(f"有 {len(problems)} 处输入错误，未保存任何修改", problems)
    if dirty:
        edited = [_core_recipient(spec, r, "页面") for r in dirty.values()]
        _check_inputs(spec, edited, "页面", message="有 {n} 处输入错误，未保存任何修改")
    if changed:
        for row in dirty.values():  # only rows that changed, so history shows exactly what was edited
            row.save()
        _invalidate(fresh)
        fresh.save()
    return changed


def _core_recipient(spec: Plan, row: PlanRecipient, where: str) -> Recipient:
    """A stored row as the core sees it, located by its position and each column's label (for messages)."""
    location = Location(where, row.position)
    return Recipient(
        name=row.name,
        group=row.group or None,
        values={k: Decimal(v) for k, v in row.values.items()},
        duplicates={k: Decimal(v) for k, v in row.duplicates.items()},
        note=row.note,
        location=location,
        cell_locations={k: location.at_column(column_label(spec, k)) for k in row.values},
    )


@transaction.atomic
def plan_compute(*, user: Any, plan: AllocationPlan, version: int) -> AllocationResult:
    _require(user, "allocations.change_plan", plan)
    fresh = _locked_for_update(plan, version)
    try:
        result = allocate(core_plan(fresh))
    except PlanError as exc:
        raise ServiceError("计算未通过校验", exc.problems) from None
    fresh.result_json = result_to_dict(result)
    fresh.total = convert(result.total, result.unit, Unit.YUAN)  # stored in 元
    fresh.computed_at = timezone.now()
    fresh.version += 1
    fresh.save()
    return result


@transaction.atomic
def plan_approve(*, user: Any, plan: AllocationPlan, version: int) -> None:
    _require(user, "allocations.approve_plan", plan)
    fresh = _locked_for_update(plan, version)
    if fresh.result_json is None:
        raise ServiceError("请先计算，再审定")
    fresh.status = AllocationPlan.Status.APPROVED
    fresh.approved_by = user
    fresh.approved_at = timezone.now()
    fresh.version += 1
    fresh.save()


def plan_from_file_rows(
    *,
    user: Any,
    spec_yaml: str,
    recipients: Sequence[Recipient],
    adjustments: Sequence[Adjustment] = (),
    document_number: str = "",
) -> AllocationPlan:
    """Create a plan with its rows directly (demo data, CLI imports)."""
    plan = plan_create(user=user, spec_yaml=spec_yaml, document_number=document_number)
    _store_rows(plan, recipients, _links_in_scope(plan.region, recipients, "分配对象"), user)
    for a in adjustments:
        PlanAdjustment.objects.create(
            plan=plan, group=a.group or "", recipient=a.recipient, part=a.part, delta=a.delta, reason=a.reason
        )
    return plan


@transaction.atomic
def plan_seed(*, user: Any, plan: Plan, spec_yaml: str, document_number: str, approve: bool) -> AllocationPlan | None:
    """Load a whole plan file as a computed (and optionally approved) plan, once per document number.

    For ``fundflow demo``: None when a plan with ``document_number`` exists already (running the demo again
    creates nothing); otherwise create, compute and approve in one transaction, each step through its service.
    """
    if AllocationPlan.objects.filter(document_number=document_number).exists():
        return None
    record = plan_from_file_rows(
        user=user,
        spec_yaml=spec_yaml,
        recipients=plan.recipients,
        adjustments=plan.adjustments,
        document_number=document_number,
    )
    plan_compute(user=user, plan=record, version=record.version)
    record.refresh_from_db()
    if approve:
        plan_approve(user=user, plan=record, version=record.version)
        record.refresh_from_db()
    return record
