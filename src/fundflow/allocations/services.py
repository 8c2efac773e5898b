"""Writes to allocation plans. Each service validates first, writes in one transaction, bumps the version
(optimistic locking: a stale version is refused, never silently overwritten) and leaves history behind.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from fundflow.accounts.scope import profile_of
from fundflow.allocations.models import AllocationPlan, PlanAdjustment, PlanRecipient
from fundflow.core.allocation import allocate
from fundflow.core.errors import Location, PlanError, Problem
from fundflow.core.money import Unit, convert
from fundflow.core.plan import (
    Adjustment,
    FactorMethod,
    FixedMethod,
    Plan,
    Recipient,
    SettlementMethod,
    ShareComponent,
    StandardComponent,
    StandardShareMethod,
)
from fundflow.core.result import AllocationResult
from fundflow.io.json_allocation import result_to_dict
from fundflow.io.plan_yaml import parse_plan
from fundflow.io.recipients_file import recipients_from_rows
from fundflow.io.xlsx_write import formula_like, formula_problem, formula_texts
from fundflow.regions.models import BudgetUnit, Region


class ServiceError(Exception):
    """A refusal the user can act on; ``problems`` carry row/column details when there are any."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = tuple(problems)


class ConflictError(ServiceError):
    pass


class PermissionDenied(ServiceError):
    pass


FORBIDDEN_SPEC_KEYS = ("recipients", "recipients_file", "adjustments")


def parse_spec(spec_yaml: str) -> Plan:
    """Parse the plan parameters (the plan-file format without recipients)."""
    try:
        plan = parse_plan(spec_yaml + "\nrecipients: []\n", "分配参数")
    except PlanError as exc:
        raise ServiceError("分配参数有误", exc.problems) from None
    return plan


# Rules that depend on the recipients, not on the parameters alone.
_NEEDS_RECIPIENTS = ("plan.no-recipients", "plan.total-mismatch", "factor.zero-base", "share.zero-base")


def validate_spec(spec_yaml: str) -> Plan:
    """Parse and check the parameters as far as they can be checked without recipients (weights, total…)."""
    plan = parse_spec(spec_yaml)
    try:
        allocate(plan)
    except PlanError as exc:
        problems = [p for p in exc.problems if p.rule not in _NEEDS_RECIPIENTS and not p.rule.startswith(INPUT_RULES)]
        if problems:
            raise ServiceError("分配参数有误", problems) from None
    return plan


def _check_spec_text(spec_yaml: str) -> None:
    for key in FORBIDDEN_SPEC_KEYS:
        if any(line.startswith(f"{key}:") for line in spec_yaml.splitlines()):
            raise ServiceError(f"分配参数中不应包含“{key}”：分配对象请通过 Excel 模板上传或在页面中编辑")


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
        raise PermissionDenied("您没有权限进行此操作")


def _locked_for_update(plan: AllocationPlan, version: int) -> AllocationPlan:
    """Re-read the plan inside the transaction (row-locked on PostgreSQL) and check the version."""
    fresh = AllocationPlan.objects.select_for_update().get(pk=plan.pk)
    if fresh.version != version:
        raise ConflictError("该分配方案已被他人修改（版本已更新），您的保存未生效。请刷新页面，查看最新内容后再修改。")
    return fresh


@transaction.atomic
def plan_create(*, user: Any, spec_yaml: str, document_number: str = "") -> AllocationPlan:
    _require(user, "allocations.add_plan")
    _check_spec_text(spec_yaml)
    parsed = validate_spec(spec_yaml)
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
    _check_spec_text(spec_yaml)
    parsed = validate_spec(spec_yaml)
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


def input_columns(plan: Plan) -> list[str]:
    """The recipient columns the plan's method needs, in order (the Excel template's headers)."""
    method = plan.method
    if isinstance(method, FactorMethod):
        return list(dict.fromkeys(c for f in method.factors for c in f.counts))
    if isinstance(method, StandardShareMethod):
        cols: list[str] = []
        for c in method.components:
            if isinstance(c, StandardComponent):
                cols.append(c.count)
            elif isinstance(c, ShareComponent):
                cols.append(c.share_percent or c.count or "")
        return list(dict.fromkeys(x for x in cols if x))
    if isinstance(method, SettlementMethod):
        return ["insured", "entitlement", "advanced"]
    assert isinstance(method, FixedMethod)
    return ["amount"]


DEFAULT_LABELS = {
    "amount": "金额",
    "insured": "参保人数",
    "entitlement": "核定应补助",
    "advanced": "已预拨",
    "standard_yuan": "人均补助标准（元）",
}
SETTLEMENT_OPTIONAL = ("insured", "entitlement", "standard_yuan")


def column_label(plan: Plan, key: str) -> str:
    """The printed header of an input column: the plan's label, a Chinese default, or the key itself."""
    return plan.labels.get(key) or DEFAULT_LABELS.get(key, key)


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
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from fundflow.io.xlsx_write import save_workbook

    spec = parse_spec(plan.spec_yaml)
    columns = input_columns(spec)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "分配对象"
    ws.append(["分组", "名称", *[column_label(spec, c) for c in columns], "备注"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in plan.recipients.all():
        if own is not None and (r.group, r.name) not in own:
            continue
        ws.append([r.group, r.name, *[_number(r.values.get(c)) for c in columns], r.note])
    buffer = io.BytesIO()
    save_workbook(wb, buffer)
    return buffer.getvalue()


def _number(text: str | None) -> int | float | str | None:
    """Template cells: whole numbers as ints; other decimals as text so Excel cannot alter them."""
    if text is None:
        return None
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else text


@dataclasses.dataclass(frozen=True)
class ImportReport:
    rows: int
    changed: bool


def read_upload(filename: str, content: bytes) -> list[list[str]]:
    import csv
    import tempfile
    from pathlib import Path

    from fundflow.io.xlsx_cells import read_first_sheet

    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ServiceError(f"文件 {filename} 不是 UTF-8 编码的 CSV") from None
        return [list(r) for r in csv.reader(io.StringIO(text))]
    if suffix != ".xlsx":
        raise ServiceError(f"文件 {filename} 应为 .xlsx 或 .csv")
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        tmp.write(content)
        tmp.flush()
        try:
            return read_first_sheet(Path(tmp.name), display_name=filename)
        except PlanError as exc:
            raise ServiceError(f"无法读取 {filename}", exc.problems) from None


@transaction.atomic
def recipients_import(*, user: Any, plan: AllocationPlan, filename: str, content: bytes, version: int) -> ImportReport:
    """Validate the whole file first; write all rows in one transaction or nothing. Same file twice: no change."""
    _require(user, "allocations.change_plan", plan)
    rows = read_upload(filename, content)
    spec = parse_spec(plan.spec_yaml)
    aliases = {column_label(spec, c): c for c in input_columns(spec)}
    optional = SETTLEMENT_OPTIONAL if isinstance(spec.method, SettlementMethod) else ()
    try:
        parsed = recipients_from_rows(rows, filename, aliases=aliases, optional=optional)
    except PlanError as exc:
        raise ServiceError(f"{filename} 有 {len(exc.problems)} 处错误，未导入任何数据", exc.problems) from None
    header = [aliases.get(h.strip(), h.strip()) for h in next((r for r in rows if any(c.strip() for c in r)), [])]
    missing = [column_label(spec, c) for c in input_columns(spec) if c not in header]
    if missing and not isinstance(spec.method, SettlementMethod):
        raise ServiceError(
            f"{filename} 缺少列：{'、'.join(missing)}（请下载模板填写）",
            [Problem("input.missing-column", f"缺少“{c}”列", Location(filename, 1)) for c in missing],
        )
    if not parsed:
        raise ServiceError(f"{filename} 中没有分配对象（只有表头），未作任何修改")
    _check_formula_texts(parsed, filename)
    _check_unique(parsed, filename)
    _check_inputs(spec, parsed, filename)
    links = _links_in_scope(plan.region, parsed, filename)
    fresh = _locked_for_update(plan, version)
    new_rows = [_row_values(r) for r in parsed]
    old_rows = [(r.group, r.name, r.values, r.duplicates, r.note) for r in fresh.recipients.all()]
    if new_rows == old_rows:
        return ImportReport(len(new_rows), changed=False)
    _store_rows(fresh, parsed, links)
    _invalidate(fresh)
    fresh.save()
    return ImportReport(len(new_rows), changed=True)


INPUT_RULES = ("input.", "recipient.")


def _check_inputs(spec: Plan, parsed: Sequence[Recipient], filename: str) -> None:
    """Run the method's own input rules (negative counts, missing columns, …) on the file, at its rows.

    Plan-level rules (totals, weights) are the parameters' business and are reported when computing.
    """
    try:
        allocate(dataclasses.replace(spec, recipients=tuple(parsed), adjustments=()))
    except PlanError as exc:
        problems = [p for p in exc.problems if p.rule.startswith(INPUT_RULES)]
        if problems:
            raise ServiceError(f"{filename} 有 {len(problems)} 处错误，未导入任何数据", problems) from None


Link = tuple[Region | None, BudgetUnit | None]


def _links_in_scope(scope: Region, recipients: Sequence[Recipient], where: str) -> list[Link]:
    """Link each recipient to the region or unit of its name — which must lie within the plan's region.

    A plan may only allocate within its own region and below: a name that matches only regions or units
    elsewhere (e.g. 莎车县 in a 额敏县 plan) is refused. Names that match nothing (development zones, units not
    yet in the reference data) are kept unlinked.
    """
    links: list[Link] = []
    problems = []
    for r in recipients:
        regions = _regions_named(r.name)
        units = _units_named(r.name)
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


def _store_rows(plan: AllocationPlan, recipients: Sequence[Recipient], links: Sequence[Link]) -> None:
    """Bring the stored rows to ``recipients``, updating rows in place (matched by group and name) so that the
    history shows each changed value, creating new rows and deleting rows no longer in the file."""
    existing = {(r.group, r.name): r for r in plan.recipients.all()}
    keep: set[int] = set()
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
            row = PlanRecipient.objects.create(plan=plan, group=group, name=name, **fields)
        elif any(getattr(row, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(row, k, v)
            row.save()
        keep.add(row.pk)
    for row in existing.values():
        if row.pk not in keep:
            row.delete()


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


def _regions_named(name: str) -> list[Region]:
    """Regions whose name or an alias is ``name`` (沙湾县 → 沙湾市)."""
    exact = list(Region.objects.filter(name=name).select_related("parent"))
    return exact + [g for g in Region.objects.exclude(aliases=[]).select_related("parent") if name in g.aliases]


def _units_named(name: str) -> list[BudgetUnit]:
    exact = list(BudgetUnit.objects.filter(name=name).select_related("region"))
    return exact + [u for u in BudgetUnit.objects.exclude(aliases=[]).select_related("region") if name in u.aliases]


@transaction.atomic
def recipient_add(
    *, user: Any, plan: AllocationPlan, group: str, name: str, values: dict[str, str], version: int
) -> PlanRecipient:
    """Enter one recipient in the page. Every needed column is validated before anything is written."""
    from fundflow.io.numbers import parse_decimal

    _require(user, "allocations.change_plan", plan)
    spec = parse_spec(plan.spec_yaml)
    optional = SETTLEMENT_OPTIONAL if isinstance(spec.method, SettlementMethod) else ()
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


@transaction.atomic
def recipients_update(*, user: Any, plan: AllocationPlan, cells: dict[tuple[int, str], str], version: int) -> int:
    """Edit input cells in the page: ``cells`` maps (recipient id, column) → text. All or nothing."""
    from fundflow.io.numbers import parse_decimal

    _require(user, "allocations.change_plan", plan)
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
    if changed:
        for row in dirty.values():  # only rows that changed, so history shows exactly what was edited
            row.save()
        _invalidate(fresh)
        fresh.save()
    return changed


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
    *, user: Any, spec_yaml: str, recipients: Sequence[Recipient], adjustments: Sequence[Adjustment] = ()
) -> AllocationPlan:
    """Create a plan with its rows directly (demo data, CLI imports)."""
    plan = plan_create(user=user, spec_yaml=spec_yaml)
    _store_rows(plan, recipients, _links_in_scope(plan.region, recipients, "分配对象"))
    for a in adjustments:
        PlanAdjustment.objects.create(
            plan=plan, group=a.group or "", recipient=a.recipient, part=a.part, delta=a.delta, reason=a.reason
        )
    return plan
