"""Importing reference data from a file (``fundflow regions import`` / ``units import``): another province's
regions, a budget-unit list. The whole file is validated first and written in one transaction through the same
create-or-update helper as the built-in Xinjiang data (``services._upsert``), so importing twice changes nothing.

Regions: 代码, 名称, 级次 (省/自治区/直辖市, 地州市/市/地区/州/盟, 县市区/县/区/旗, or region/prefecture/county),
上级代码 (blank at the top; a code in the file or already loaded, one level up), 别名 (separated by | 、 or ;).
Units: 代码, 名称, 所属区划 (a region code or name), 别名, 类别 (optional).
"""

from __future__ import annotations

import re

from django.db import transaction

from fundflow.core.errors import PlanError, Problem
from fundflow.core.ledger.rules import problem
from fundflow.io.table_file import Column, TableRow, read_table
from fundflow.platform.errors import ServiceError
from fundflow.regions.matching import regions_named
from fundflow.regions.models import Region
from fundflow.regions.services import LoadReport, _upsert

REGION_COLUMNS = (
    Column("code", "代码", ("区划代码", "CODE", "DIV_CODE")),
    Column("name", "名称", ("NAME", "DIV_NAME")),
    Column("level", "级次", ("LEVEL",)),
    Column("parent", "上级代码", ("PARENT", "PARENT_CODE"), required=False),
    Column("aliases", "别名", ("ALIASES",), required=False),
)
UNIT_COLUMNS = (
    Column("code", "代码", ("单位代码", "CODE", "AGENCY_CODE")),
    Column("name", "名称", ("单位名称", "NAME", "AGENCY_NAME")),
    Column("region", "所属区划", ("REGION", "MOF_DIV_CODE")),
    Column("kind", "类别", ("KIND",), required=False),
    Column("aliases", "别名", ("ALIASES",), required=False),
)
LEVELS = {
    **dict.fromkeys(("region", "省", "自治区", "直辖市", "省级"), "region"),
    **dict.fromkeys(("prefecture", "地州市", "市", "地区", "州", "盟", "地级"), "prefecture"),
    **dict.fromkeys(("county", "县市区", "县", "区", "旗", "县级", "县市"), "county"),
}
PARENT_LEVEL = {"prefecture": "region", "county": "prefecture"}
HEADERS = {c.key: c.header for c in (*REGION_COLUMNS, *UNIT_COLUMNS)}


def _aliases(text: str) -> list[str]:
    return [a for a in (p.strip() for p in re.split(r"[|、;；]", text)) if a]


def _optional(row: TableRow, *keys: str) -> dict[str, object]:
    """Optional columns the file has (a file without 别名 leaves the aliases already loaded alone)."""
    return {k: _aliases(row.cells[k]) if k == "aliases" else row.cells[k] for k in keys if k in row.columns}


def _read(content: bytes, filename: str, columns: tuple[Column, ...]) -> list[TableRow]:
    try:
        rows, problems = read_table(content, filename, columns)
    except PlanError as exc:
        raise ServiceError("导入文件无法读取，未导入任何数据", exc.problems) from None
    _refuse(problems)
    return rows


def _refuse(problems: list[Problem]) -> None:
    if problems:
        raise ServiceError("导入文件有误，未导入任何数据", problems)


def _bad(row: TableRow, filename: str, key: str, message: str) -> Problem:
    return problem("ledger.import-reference", row.at(filename, key, HEADERS[key]), message=message)


def _required(rows: list[TableRow], filename: str, keys: tuple[str, ...], problems: list[Problem]) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        for key in keys:
            if not row.cells.get(key):
                problems.append(
                    Problem("input.required", "单元格为空，此列必须填写", row.at(filename, key, HEADERS[key]))
                )
        code = row.cells.get("code", "")
        if code and code in seen:
            problems.append(_bad(row, filename, "code", f"代码 {code} 在文件中重复（另见第 {seen[code]} 行）"))
        seen.setdefault(code, row.number)


@transaction.atomic
def import_regions(*, filename: str, content: bytes) -> LoadReport:
    """Create or update regions keyed by code (parents before children); the whole file or nothing."""
    rows = _read(content, filename, REGION_COLUMNS)
    problems: list[Problem] = []
    _required(rows, filename, ("code", "name", "level"), problems)
    in_file = {r.cells["code"]: r for r in rows if r.cells.get("code")}
    parents = {r.cells.get("parent", "") for r in rows} - {""} - set(in_file)
    loaded = {g.code: g for g in Region.objects.filter(code__in=[*parents, *in_file])}
    for row in rows:
        level = LEVELS.get(row.cells.get("level", "").lower() if row.cells.get("level") else "")
        parent_code = row.cells.get("parent", "")
        if row.cells.get("level") and level is None:
            problems.append(_bad(row, filename, "level", f"级次“{row.cells['level']}”不对，应为省、地州市或县市区"))
            continue
        if not parent_code:
            if level and level != "region":
                problems.append(_bad(row, filename, "parent", "只有省级（自治区）可以没有上级代码"))
            continue
        if parent_code in in_file:
            parent_level = LEVELS.get(in_file[parent_code].cells.get("level", "").lower())
        elif parent_code in loaded:
            parent_level = loaded[parent_code].level
        else:
            problems.append(_bad(row, filename, "parent", f"上级代码 {parent_code} 既不在文件中，也不是已有的行政区划"))
            continue
        if level and parent_level != PARENT_LEVEL.get(level):
            problems.append(_bad(row, filename, "parent", f"上级 {parent_code} 不是上一级的行政区划"))
    _refuse(problems)
    tally = {"created": 0, "updated": 0, "unchanged": 0}
    done: dict[str, Region] = {}
    order = sorted(rows, key=lambda r: ["region", "prefecture", "county"].index(LEVELS[r.cells["level"].lower()]))
    for row in order:
        code = row.cells["code"]
        parent_code = row.cells.get("parent", "")
        parent = done.get(parent_code) or loaded.get(parent_code) if parent_code else None
        path = f"{parent.path}/{code}" if parent else code
        old = loaded.get(code)
        if old is not None and old.path != path and old.children.exists():
            problems.append(_bad(row, filename, "parent", f"{old.name}已有下级，不能更改其上级"))
            continue
        values = {
            "name": row.cells["name"],
            "level": LEVELS[row.cells["level"].lower()],
            "parent": parent,
            "path": path,
            **_optional(row, "aliases"),
        }
        region, outcome = _upsert(Region, code, values)
        done[code] = region
        tally[outcome] += 1
    if problems:
        transaction.set_rollback(True)
        _refuse(problems)
    return LoadReport(**tally)


@transaction.atomic
def import_units(*, filename: str, content: bytes) -> LoadReport:
    """Create or update budget units keyed by code; 所属区划 by code or (unambiguous) name or alias."""
    from fundflow.regions.models import BudgetUnit

    rows = _read(content, filename, UNIT_COLUMNS)
    problems: list[Problem] = []
    _required(rows, filename, ("code", "name", "region"), problems)
    texts = {r.cells.get("region", "") for r in rows} - {""}
    by_code = {g.code: g for g in Region.objects.filter(code__in=list(texts))}
    by_name = regions_named(texts - set(by_code))
    resolved: dict[int, Region] = {}
    for row in rows:
        text = row.cells.get("region", "")
        if not text:
            continue
        found = [by_code[text]] if text in by_code else by_name.get(text, [])
        if len(found) == 1:
            resolved[row.number] = found[0]
        elif found:
            names = "、".join(f"{g.name}（{g.code}）" for g in found)
            problems.append(_bad(row, filename, "region", f"所属区划“{text}”对应多个：{names}，请改填代码"))
        else:
            problems.append(_bad(row, filename, "region", f"所属区划“{text}”不是已知的行政区划代码或名称"))
    _refuse(problems)
    tally = {"created": 0, "updated": 0, "unchanged": 0}
    for row in rows:
        values = {"name": row.cells["name"], "region": resolved[row.number], **_optional(row, "kind", "aliases")}
        _, outcome = _upsert(BudgetUnit, row.cells["code"], values)
        tally[outcome] += 1
    return LoadReport(**tally)
