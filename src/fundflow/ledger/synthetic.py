"""A deterministic synthetic national ledger for benchmarks: 31 provinces, ~2,850 counties, 100 fund programs,
indicators four levels deep (central → province → prefecture → county → budget unit), and payment files.

Everything is made from ``random.Random(seed)`` so two runs build the same data. Rows are written with
PostgreSQL ``COPY`` (psycopg3) straight into the tables, bypassing the services: this is reference data for
timing the import and the monitoring queries, not a path for real data. Codes start with ``S`` (and the national
root is ``S00000``) so the synthetic regions can never be mistaken for, or collide with, real 区划代码.
All amounts are whole cents and every level issues at most 90 % of its parent, so balances stay positive.
"""

from __future__ import annotations

import csv
import datetime
import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection, models
from django.utils import timezone

from fundflow.ledger.models import Document, Indicator
from fundflow.regions.models import BudgetUnit, Region

PROVINCES = 31
COUNTIES = 2850
PROGRAMS = 100
YEAR = 2025
PAYMENT_HEADER = [
    "支付凭证号",
    "支付日期",
    "指标编号",
    "付款单位",
    "收款人",
    "金额",
    "原凭证号",
    "功能科目",
    "用途",
    "付款地区",
]


@dataclass
class National:
    """What was generated: counts and the level-4 (unit) indicators payments are drawn against."""

    regions: int = 0
    units: int = 0
    documents: int = 0
    indicators: int = 0
    leaves: list[tuple[str, str, str, int]] = field(default_factory=list)  # (bgt_id, county code, unit, cents)


def _defaults(model: type[models.Model]) -> tuple[list[str], dict[str, Any]]:
    """Column names of ``model`` (without the id) and a default per column for values the generator omits."""
    now = timezone.now()
    columns: list[str] = []
    defaults: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(f.column)
        if getattr(f, "auto_now_add", False):
            defaults[f.column] = now
        elif f.has_default():
            value = f.get_default()
            defaults[f.column] = json.dumps(value) if isinstance(f, models.JSONField) else value
        elif f.null:
            defaults[f.column] = None
        else:
            defaults[f.column] = ""
    return columns, defaults


def copy_rows(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
    """COPY ``rows`` (column → value; omitted columns take the model's defaults) into ``model``'s table."""
    columns, defaults = _defaults(model)
    count = 0
    with connection.cursor() as cursor:
        sql = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row([row.get(c, defaults[c]) for c in columns])
                count += 1
    return count


def _ids(model: type[models.Model], key: str) -> dict[str, int]:
    return dict(model.objects.values_list(key, "pk"))  # type: ignore[arg-type]


def _split(rng: random.Random, cents: int, parts: int) -> list[int]:
    """90 % of ``cents`` split into ``parts`` positive whole-cent shares (random weights)."""
    budget = cents * 9 // 10
    weights = [rng.randint(5, 15) for _ in range(parts)]
    total = sum(weights)
    return [max(1, budget * w // total) for w in weights]


def build_national(seed: int = 2025, programs: int = PROGRAMS) -> National:
    """Create the synthetic regions, units, documents and indicators (PostgreSQL; an empty, migrated database).

    ``programs`` below 100 builds a smaller ledger (the same regions, fewer fund programs) for quick iterations.
    """
    rng = random.Random(seed)
    out = National()
    # Regions: the national root, 31 provinces, ~10 prefectures each, 2,850 counties spread over them.
    regions: list[dict[str, Any]] = [{"code": "S00000", "name": "全国（合成）", "level": "region", "path": "S00000"}]
    tree: dict[str, list[str]] = {"S00000": []}
    prefectures: list[str] = []
    for p in range(1, PROVINCES + 1):
        code = f"S{p:02d}0000"
        regions.append({"code": code, "name": f"合成省{p:02d}", "level": "region", "path": f"S00000/{code}"})
        tree["S00000"].append(code)
        tree[code] = []
        for q in range(1, 11):
            pc = f"S{p:02d}{q:02d}00"
            regions.append(
                {"code": pc, "name": f"合成省{p:02d}市{q:02d}", "level": "prefecture", "path": f"S00000/{code}/{pc}"}
            )
            tree[code].append(pc)
            tree[pc] = []
            prefectures.append(pc)
    for c in range(COUNTIES):
        pc = prefectures[c % len(prefectures)]
        cc = f"{pc[:5]}{len(tree[pc]) + 1:02d}"
        province = f"{pc[:3]}0000"
        regions.append({"code": cc, "name": f"合成县{cc}", "level": "county", "path": f"S00000/{province}/{pc}/{cc}"})
        tree[pc].append(cc)
    out.regions = copy_rows(Region, regions)
    region_id = _ids(Region, "code")
    with connection.cursor() as cursor:  # parents from the paths, in one statement
        cursor.execute(
            "UPDATE regions_region r SET parent_id = p.id FROM regions_region p "
            "WHERE r.code LIKE 'S%%' AND r.path LIKE p.path || '/%%' AND r.path NOT LIKE p.path || '/%%/%%'"
        )
    counties = [r["code"] for r in regions if r["level"] == "county"]
    out.units = copy_rows(
        BudgetUnit,
        ({"code": f"{c}-U", "name": f"合成县{c}卫生健康委员会", "region_id": region_id[c]} for c in counties),
    )
    unit_id = _ids(BudgetUnit, "code")
    # One document per issuing region and level, carrying all programs' lines.
    issuers = ["S00000", *tree["S00000"], *prefectures, *counties]
    out.documents = copy_rows(
        Document,
        (
            {
                "issuer_id": region_id[code],
                "doc_no": f"{code}合成财〔{YEAR}〕1号",
                "prefix": f"{code}合成财",
                "year": YEAR,
                "number": 1,
                "title": f"{code} 合成指标文件",
                "doc_date": datetime.date(YEAR, 1, 10),
                "budget_year": YEAR,
                "kind": "issue",
                "fiscal_year": YEAR,
            }
            for code in issuers
        ),
    )
    doc_id = _ids(Document, "doc_no")
    out.indicators = copy_rows(Indicator, _indicators(rng, tree, counties, region_id, unit_id, doc_id, out, programs))
    return out


def _indicators(
    rng: random.Random,
    tree: dict[str, list[str]],
    counties: list[str],
    region_id: dict[str, int],
    unit_id: dict[str, int],
    doc_id: dict[str, int],
    out: National,
    programs: int = PROGRAMS,
) -> Iterator[dict[str, Any]]:
    """Level by level; ids are assigned by the sequence, so parents are linked afterwards by ``ori_bgt_id``."""
    seq = 0

    def line(issuer: str, holder: str, program: int, cents: int, parent: str, unit: bool = False) -> dict[str, Any]:
        nonlocal seq
        seq += 1
        return {
            "bgt_id": f"{issuer}{YEAR}{seq:010d}",
            "fiscal_year": YEAR,
            "document_id": doc_id[f"{issuer}合成财〔{YEAR}〕1号"],
            "cor_doc_no": f"{issuer}合成财〔{YEAR}〕1号",
            "ori_bgt_id": parent,
            "issuer_id": region_id[issuer],
            "rec_region_id": None if unit else region_id[holder],
            "rec_unit_id": unit_id[f"{holder}-U"] if unit else None,
            "holder_region_id": region_id[holder],
            "fund": f"合成资金{program:03d}",
            "project_name": f"合成项目{program:03d}",
            "amount": Decimal(cents) / 100,
            "kind": "normal",
            "exp_func_code": "2101202",
            "status": "received",
        }

    for program in range(1, programs + 1):
        for province in tree["S00000"]:
            top = line("S00000", province, program, rng.randint(50_000_000, 500_000_000) * 100, "")
            yield top
            for pc, pcents in zip(
                tree[province], _split(rng, int(top["amount"] * 100), len(tree[province])), strict=True
            ):
                mid = line(province, pc, program, pcents, top["bgt_id"])
                yield mid
                for cc, ccents in zip(tree[pc], _split(rng, pcents, len(tree[pc])), strict=True):
                    county = line(pc, cc, program, ccents, mid["bgt_id"])
                    yield county
                    ucents = ccents * 9 // 10
                    leaf = line(cc, cc, program, ucents, county["bgt_id"], unit=True)
                    yield leaf
                    out.leaves.append((leaf["bgt_id"], cc, f"合成县{cc}卫生健康委员会", ucents))


def link_parents() -> None:
    """Set ``parent_id`` from ``ori_bgt_id`` in one statement (COPY cannot know the ids beforehand)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_indicator c SET parent_id = p.id FROM ledger_indicator p "
            "WHERE c.ori_bgt_id <> '' AND c.parent_id IS NULL AND p.bgt_id = c.ori_bgt_id"
        )
        cursor.execute("ANALYZE ledger_indicator")


def write_payments(path: Path, national: National, count: int, seed: int = 2025) -> int:
    """A payments CSV of ``count`` rows against the unit indicators, each a small share so none overspends."""
    rng = random.Random(seed + 1)
    leaves = national.leaves
    per_leaf = max(1, count // len(leaves) + 1)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(PAYMENT_HEADER)
        for n in range(count):
            bgt_id, county, unit, cents = leaves[rng.randrange(len(leaves))]
            amount = Decimal(max(1, cents // (per_leaf * 20) * rng.randint(1, 3) // 3)) / 100
            day = datetime.date(YEAR, 1, 15) + datetime.timedelta(days=n * 340 // count)
            writer.writerow(
                [
                    f"Z{n:012d}",
                    day.isoformat(),
                    bgt_id,
                    unit,
                    f"收款人{n % 997}",
                    amount,
                    "",
                    "2101202",
                    "合成支付",
                    county,
                ]
            )
    return count
