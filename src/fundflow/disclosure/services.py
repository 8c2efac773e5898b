"""Writes to unit budgets, and the budget disclosure computations the pages show.

Each write validates the whole input first (the budget-file rules of fundflow.io.disclosure_budget, for YAML and
the Excel template alike), then writes in one transaction, bumping the version (optimistic locking: a stale
version is refused, never silently overwritten). Budgets are stored in one canonical text, so importing the same
data twice — or the same data as YAML and as Excel — changes nothing.
"""

from __future__ import annotations

import dataclasses
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from fundflow.core.disclosure import Disclosure, Finding, check, generate
from fundflow.core.disclosure.model import UnitBudget as Budget
from fundflow.core.disclosure.stated import CodeBook
from fundflow.core.errors import Location, PlanError, Problem
from fundflow.core.money import Unit, convert
from fundflow.disclosure.models import BudgetRecord
from fundflow.io.disclosure_budget import parse_budget
from fundflow.io.disclosure_budget_writer import budget_to_yaml
from fundflow.io.encoding import decode_text
from fundflow.io.numbers import parse_decimal
from fundflow.io.xlsx_write import formula_problem, formula_texts
from fundflow.platform.errors import ActionNotAllowed, ConflictError, ServiceError
from fundflow.platform.uploads import check_upload_size, upload_max_rows
from fundflow.reference import catalogue, years
from fundflow.regions.models import BudgetUnit

BUDGET_SUFFIXES = (".xlsx", ".yaml", ".yml")
DISCLOSURE_SUFFIXES = (".xlsx", ".txt", ".tsv")


@dataclasses.dataclass(frozen=True)
class ImportReport:
    budget: BudgetRecord
    created: bool
    changed: bool


def _require(user: Any, obj: object) -> None:
    if not user.has_perm("disclosure.change_budget", obj):
        raise ActionNotAllowed("您没有权限修改该单位的预算")


def _parse(filename: str, content: bytes, book: CodeBook) -> Budget:
    if Path(filename).suffix.lower() == ".xlsx":
        from fundflow.io.disclosure_budget_xlsx import read_budget_xlsx_bytes

        return read_budget_xlsx_bytes(content, book, filename, max_rows=upload_max_rows())
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PlanError.single("file.encoding", "文件不是 UTF-8 编码", Location(filename)) from None
    return parse_budget(text, filename, book)


def parse_budget_upload(filename: str, content: bytes) -> tuple[Budget, CodeBook]:
    """A budget from an uploaded .xlsx (fundflow's template) or .yaml, validated against its year's catalogue."""
    if Path(filename).suffix.lower() not in BUDGET_SUFFIXES:
        raise ServiceError(f"文件 {filename} 应为预算数据 Excel 模板（.xlsx）或 YAML 预算文件（.yaml）")
    try:
        first = catalogue(max(years()))
        budget = _parse(filename, content, first)
        book = catalogue(budget.year)
        if book.year != first.year:
            budget = _parse(filename, content, book)
    except PlanError as exc:
        _refuse_too_many_rows(exc, filename, "未导入任何数据")
        raise ServiceError(f"{filename} 有 {len(exc.problems)} 处错误，未导入任何数据", exc.problems) from None
    _check_formulas(budget, filename, "未导入任何数据")
    return budget, book


def _too_many_rows(filename: str, outcome: str) -> ServiceError:
    """The refusal of an upload past the row limit, worded as the allocation uploads word it."""
    return ServiceError(
        f"{filename} 的数据超过 {upload_max_rows()} 行（单次上传上限），{outcome}。"
        "请删去多余的行；确需更多行请联系系统管理员调整上限。"
    )


def _refuse_too_many_rows(exc: PlanError, filename: str, outcome: str) -> None:
    from fundflow.io.xlsx_cells import TOO_MANY_ROWS

    if any(p.rule == TOO_MANY_ROWS for p in exc.problems):
        raise _too_many_rows(filename, outcome) from None


def _check_formulas(budget: Budget, where: str, outcome: str) -> None:
    """Refuse texts (unit, functions, projects, reasons …) a spreadsheet could run as a formula: every one of
    them is written to the disclosure workbook and the budget template."""
    texts = list(dict.fromkeys(formula_texts(budget)))
    if texts:
        raise ServiceError(
            f"{where} 有 {len(texts)} 处文字以公式符号开头，{outcome}",
            [formula_problem("budget.formula-text", t, Location(where)) for t in texts],
        )


def load(record: BudgetRecord) -> tuple[Budget, CodeBook]:
    """The stored budget as data (it was validated on the way in)."""
    book = catalogue(record.year)
    return parse_budget(record.budget_yaml, "预算数据", book), book


def package(record: BudgetRecord) -> tuple[Disclosure, list[Finding], CodeBook]:
    """The generated disclosure and its own check findings (there should be none)."""
    budget, book = load(record)
    generated = generate(budget, book)
    return generated, check(generated, book), book


def package_xlsx(record: BudgetRecord) -> bytes:
    from fundflow.io.disclosure_xlsx import write_disclosure_xlsx

    return _written(record, write_disclosure_xlsx)


def package_docx(record: BudgetRecord) -> bytes:
    from fundflow.io.disclosure_docx import write_disclosure_docx

    return _written(record, write_disclosure_docx)


def package_pdf(record: BudgetRecord) -> bytes:
    """The Word package converted by LibreOffice (raises PlanError with a Chinese message if unavailable)."""
    from fundflow.io.pdf import pdf_bytes

    return pdf_bytes(package_docx(record))


def _written(record: BudgetRecord, writer: Any) -> bytes:
    """The generated package written by ``writer`` to memory (no temporary file)."""
    generated, _, _ = package(record)
    buffer = io.BytesIO()
    writer(generated, buffer)
    return buffer.getvalue()


def budget_xlsx(record: BudgetRecord) -> bytes:
    """The stored budget in the Excel template, to edit offline and import again."""
    from fundflow.io.disclosure_budget_xlsx import budget_template_bytes

    return budget_template_bytes(load(record)[0])


def _total(budget: Budget) -> Decimal:
    """The budget's 支出合计 as stored: in 元 (budget lines are in 万元)."""
    return convert(sum((ln.amount for ln in budget.lines), Decimal(0)), Unit.WAN, Unit.YUAN)


def _check_unit(budget: Budget, unit: BudgetUnit, filename: str) -> None:
    if budget.unit != unit.name and budget.unit not in unit.aliases:
        raise ServiceError(
            f"{filename} 中的单位名称“{budget.unit}”与所选预算单位“{unit.name}”不一致，未导入任何数据",
            [Problem("budget.unit-mismatch", f"单位名称应为“{unit.name}”，实为“{budget.unit}”", Location(filename))],
        )


def budget_import(
    *, user: Any, unit: BudgetUnit, filename: str, content: bytes, version: int | None = None
) -> ImportReport:
    """Import a unit's budget for the file's year: create it, or replace it when the data differ.

    The same data again is a no-op. Replacing an existing budget needs its current ``version`` (from the page
    the user saw); a stale or missing version is refused. The file is read and validated before the write
    transaction starts, so the database is write-locked only for the write itself.
    """
    _require(user, unit)
    check_upload_size(filename, len(content))
    budget, _ = parse_budget_upload(filename, content)
    _check_unit(budget, unit, filename)
    text = budget_to_yaml(budget)
    total = _total(budget)
    with transaction.atomic():
        existing = BudgetRecord.objects.select_for_update().filter(unit=unit, year=budget.year).first()
        if existing is None:
            record = BudgetRecord.objects.create(
                unit=unit, year=budget.year, budget_yaml=text, total=total, created_by=user
            )
            return ImportReport(record, created=True, changed=True)
        if existing.budget_yaml == text:
            return ImportReport(existing, created=False, changed=False)
        if version is None or existing.version != version:
            raise ConflictError(
                f"{unit.name} {budget.year}年预算已存在且内容不同（或已被他人修改），未导入。"
                "请打开该预算的页面，确认最新内容后在该页面重新导入。"
            )
        existing.budget_yaml = text
        existing.total = total
        existing.version += 1
        existing.save()
    return ImportReport(existing, created=False, changed=True)


@transaction.atomic
def budget_update_amounts(*, user: Any, budget: BudgetRecord, amounts: dict[int, str], version: int) -> int:
    """Edit budget lines' amounts in the page: ``amounts`` maps line index (0-based) → text. All or nothing."""
    _require(user, budget)
    fresh = BudgetRecord.objects.select_for_update().get(pk=budget.pk)
    if fresh.version != version:
        raise ConflictError("该单位预算已被他人修改（版本已更新），您的保存未生效。请刷新页面，查看最新内容后再修改。")
    data, book = load(fresh)
    lines = list(data.lines)
    problems: list[Problem] = []
    changed = 0
    for index, text in sorted(amounts.items()):
        where = Location("预算行", index + 1, "金额（万元）")
        if not 0 <= index < len(lines):
            problems.append(Problem("input.unknown-row", "该行不属于本预算", where))
            continue
        try:
            value = parse_decimal(text)
        except ValueError:
            problems.append(Problem("input.not-number", f"应为数字，实为“{text}”", where))
            continue
        if value != lines[index].amount:
            lines[index] = dataclasses.replace(lines[index], amount=value)
            changed += 1
    if problems:
        raise ServiceError(f"有 {len(problems)} 处输入错误，未保存任何修改", problems)
    if not changed:
        return 0
    edited = dataclasses.replace(data, lines=tuple(lines))
    try:
        revalidated = parse_budget(budget_to_yaml(edited), "预算数据", book)
    except PlanError as exc:
        raise ServiceError(
            f"修改后的预算有 {len(exc.problems)} 处错误，未保存任何修改",
            [_page_problem(p, edited) for p in exc.problems],
        ) from None
    fresh.budget_yaml = budget_to_yaml(revalidated)
    fresh.total = _total(revalidated)
    fresh.version += 1
    fresh.save()
    return changed


@transaction.atomic
def budget_update_text(*, user: Any, budget: BudgetRecord, text: str, version: int) -> bool:
    """Edit everything in the page (projects, 三公, previous year, reasons, texts) as budget-file YAML.

    The same loader as for files validates the whole text first; nothing is saved unless it is clean, the unit
    is unchanged and the version is current. Returns whether anything changed.
    """
    _require(user, budget)
    fresh = BudgetRecord.objects.select_for_update().get(pk=budget.pk)
    if fresh.version != version:
        raise ConflictError("该单位预算已被他人修改（版本已更新），您的保存未生效。请刷新页面，查看最新内容后再修改。")
    book = catalogue(fresh.year)
    try:
        data = parse_budget(text, "预算数据文本", book)
    except PlanError as exc:
        raise ServiceError(f"预算数据有 {len(exc.problems)} 处错误，未保存任何修改", exc.problems) from None
    _check_unit(data, fresh.unit, "预算数据文本")
    _check_formulas(data, "预算数据文本", "未保存任何修改")
    if data.year != fresh.year:
        raise ServiceError(f"年度不能改为 {data.year}：本页面是 {fresh.year} 年的预算，其他年度请另行导入")
    canonical = budget_to_yaml(data)
    if canonical == fresh.budget_yaml:
        return False
    fresh.budget_yaml = canonical
    fresh.total = _total(data)
    fresh.version += 1
    fresh.save()
    return True


def _page_problem(problem: Problem, budget: Budget) -> Problem:
    """A problem found in the re-serialised text, located by budget line (预算行 n) instead of a text line."""
    loc = problem.location
    if loc is not None and loc.row is not None:
        text = budget_to_yaml(budget).splitlines()
        starts = [i + 1 for i, t in enumerate(text) if t.startswith("- function:")]
        in_lines = [n for n, start in enumerate(starts, 1) if start <= loc.row]
        lines_end = next((i + 1 for i, t in enumerate(text) if t.startswith(("previous:", "projects:"))), len(text))
        if in_lines and loc.row < lines_end:
            return Problem(problem.rule, problem.message, Location("预算行", in_lines[-1], "金额（万元）"))
    return Problem(problem.rule, problem.message, Location("预算数据"))


# ------------------------------------------------------------------ checking an uploaded disclosure


def check_upload(filename: str, content: bytes) -> tuple[Disclosure, list[Finding], CodeBook]:
    """Read an uploaded disclosure (fundflow's XLSX or tab-separated text) and check it. Stores nothing.

    Anything unreadable is a ServiceError with a Chinese message, never an exception the page cannot show.
    """
    from fundflow.io.disclosure_text import parse_disclosure
    from fundflow.io.disclosure_xlsx import read_disclosure_xlsx

    suffix = Path(filename).suffix.lower()
    if suffix not in DISCLOSURE_SUFFIXES:
        raise ServiceError(
            f"文件 {filename} 应为 fundflow 生成的 Excel（.xlsx）或已公开文件的文本（.txt，表格以制表符分隔）"
        )
    if not content.strip():
        raise ServiceError(f"文件 {filename} 是空的")
    check_upload_size(filename, len(content))
    try:
        if suffix == ".xlsx":
            d = read_disclosure_xlsx(content, display_name=filename, max_rows=upload_max_rows())
        else:
            try:
                text = decode_text(content)
            except ValueError:
                raise ServiceError(
                    f"文件 {filename} 的编码无法识别（不是 UTF-8 编码，也不是 GBK/GB18030 编码）。"
                    "请用记事本等工具“另存为”UTF-8 编码后重新上传。"
                ) from None
            lines = io.StringIO(text).read().splitlines()
            if sum(1 for line in lines if line.strip()) > upload_max_rows():
                raise _too_many_rows(filename, "未作核对")
            d = parse_disclosure(list(enumerate(lines, 1)), filename)
    except PlanError as exc:
        _refuse_too_many_rows(exc, filename, "未作核对")
        raise ServiceError(f"无法读取 {filename}", exc.problems) from None
    if not d.tables:
        raise ServiceError(
            f"在 {filename} 中没有找到公开表（应有“表一：”…“表九：”及表名）。请确认上传的是部门预算公开文件。"
        )
    book = catalogue(d.year or max(years()))
    return d, check(d, book), book
