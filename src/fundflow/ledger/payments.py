"""Importing treasury payments (国库集中支付) set-based, and matching waiting (待匹配) payments later.

The file is streamed row by row (``fundflow.io.payments_file``) into a TEMP staging table — PostgreSQL through
``COPY`` (psycopg3 ``cursor.copy()``), SQLite through ``executemany`` — and every rule is then one SQL statement
over the whole file, in one transaction: duplicates within the file; natural keys (payer region, 支付凭证号)
already stored with identical values (no-op, counted) or different values (error, never an overwrite); indicator
matching (unknown, not held by the payer region, not received → 待匹配 with the reason, never guessed); refunds
against their original; payments against each indicator's available balance with a running (window) sum per
indicator in file order. Only when nothing is wrong is everything written with one ``INSERT … SELECT``.

Balance arithmetic is in integer cents (分) so SQLite, whose NUMERIC columns hold floats, decides exactly as
PostgreSQL does. On PostgreSQL the indicators a file touches are locked (``SELECT … FOR UPDATE`` ordered by id)
before balances are read, so two concurrent imports against one indicator cannot both spend its last 元.
Re-importing a file already imported (same SHA-256) is a reported no-op.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import time
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from fundflow.accounts.scope import profile_of
from fundflow.core.errors import Location, PlanError, Problem
from fundflow.core.ledger.balances import yuan
from fundflow.core.ledger.rules import problem
from fundflow.io.payments_file import PaymentRow, iter_payments
from fundflow.ledger.models import ImportBatch, Payment
from fundflow.platform.errors import ActionNotAllowed, ConflictError, ServiceError
from fundflow.regions.models import Region

MAX_PROBLEMS = 50
_BATCH = 5000
# Test hook: path of a file to create once everything is written but not committed; the import then sleeps so a
# test can kill the process there (tests/web/test_ledger_payments.py: a crash leaves nothing half-written).
CRASH_HOOK = "FUNDFLOW_PAYMENTS_HOOK_BEFORE_COMMIT"

STAGE_COLUMNS = (
    "row_no",
    "payer_region_id",
    "pay_app_no",
    "pay_date",
    "fiscal_year",
    "bgt_id",
    "agency_name",
    "payee",
    "amount",
    "cents",
    "ori_pay_app_no",
    "eco_code",
    "func_code",
    "use_des",
)
_STAGE_DDL = """
CREATE TEMP TABLE pay_stage (
    row_no integer NOT NULL, payer_region_id bigint NOT NULL, pay_app_no varchar(60) NOT NULL, pay_date date NOT NULL,
    fiscal_year integer NOT NULL, bgt_id varchar(38) NOT NULL, agency_name varchar(255) NOT NULL,
    payee varchar(255) NOT NULL, amount numeric(18,2) NOT NULL, cents bigint NOT NULL,
    ori_pay_app_no varchar(60) NOT NULL, eco_code varchar(11) NOT NULL, func_code varchar(13) NOT NULL,
    use_des varchar(255) NOT NULL
)"""
CENTS = "CAST(ROUND({} * 100) AS BIGINT)"


@dataclasses.dataclass
class ImportReport:
    """What an import did (or, for a refused file, never gets returned: the ServiceError lists the problems)."""

    filename: str
    sha256: str
    rows: int = 0
    inserted: int = 0
    matched: int = 0
    unmatched: int = 0
    unchanged: int = 0
    amount: Decimal = Decimal("0.00")  # net of the rows written, 元
    already_imported: bool = False
    batch_id: int | None = None
    waiting: list[dict[str, Any]] = dataclasses.field(default_factory=list)  # first rows sent to 待匹配
    seconds: float = 0.0
    warnings: int = 0  # warnings (预警) created by the evaluation after the import

    def as_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["amount"] = format(self.amount, "f")
        return data


# ---------------------------------------------------------------- regions and permissions


class _Regions:
    """Region code / name / alias → (id, path), loaded once per import (a few thousand rows nationally)."""

    def __init__(self) -> None:
        self.by_key: dict[str, tuple[int, str]] = {}
        names: dict[str, list[tuple[int, str]]] = {}
        for pk, code, name, path, aliases in Region.objects.values_list("pk", "code", "name", "path", "aliases"):
            self.by_key[code] = (pk, path)
            for n in [name, *(aliases or [])]:
                names.setdefault(n, []).append((pk, path))
        for n, found in names.items():
            if len(found) == 1 and n not in self.by_key:
                self.by_key[n] = found[0]

    def get(self, key: str) -> tuple[int, str] | None:
        return self.by_key.get(key.strip())


def _allowed_path(user: Any) -> str | None:
    """The region path a user may import payments for (its subtree); None = any (a command run without --user)."""
    if user is None:
        return None
    profile = profile_of(user)
    if profile is None or not profile.is_finance:
        raise ActionNotAllowed("只有财政部门用户可以导入国库集中支付数据")
    return str(profile.region.path)


def _within(path: str, allowed: str | None) -> bool:
    return allowed is None or path == allowed or path.startswith(allowed + "/")


# ---------------------------------------------------------------- streaming into the staging table


class _Hashing:
    """A read-through wrapper: SHA-256 and byte count of everything read, reported to ``on_read``."""

    def __init__(self, stream: IO[bytes], on_read: Callable[[int], None] | None) -> None:
        self._stream = stream
        self._on_read = on_read
        self.sha = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        chunk = self._stream.read(n)
        self.sha.update(chunk)
        if self._on_read and chunk:
            self._on_read(len(chunk))
        return chunk


class _Problems:
    def __init__(self, limit: int) -> None:
        self.first: list[Problem] = []
        self.count = 0
        self.limit = limit

    def add(self, problems: Sequence[Problem]) -> None:
        for p in problems:
            self.count += 1
            if len(self.first) < self.limit:
                self.first.append(p)

    def refuse(self, filename: str) -> None:
        if self.count:
            more = f"（仅列出前 {len(self.first)} 条）" if self.count > len(self.first) else ""
            raise ServiceError(f"支付文件 {filename} 有 {self.count} 处错误，未导入任何数据{more}", self.first)


def _stage_rows(
    rows: Iterator[PaymentRow | list[Problem]],
    filename: str,
    default_region: tuple[int, str] | None,
    allowed: str | None,
    problems: _Problems,
    regions: _Regions,
) -> Iterator[tuple[Any, ...]]:
    """Staging tuples of the good rows; problems of the others (region unknown or outside the user's scope).

    ``regions`` is loaded beforehand: no query may run while the connection is in COPY mode.
    """
    for row in rows:
        if isinstance(row, list):
            problems.add(row)
            continue
        where = Location(filename, row.row, "付款地区")
        if row.payer:
            region = regions.get(row.payer)
            if region is None:
                problems.add([problem("ledger.payment-region", where, region=row.payer, what="不存在")])
                continue
        elif default_region is None:
            problems.add([problem("ledger.payment-region", where, region="", what="未填写，且导入时未指定付款地区")])
            continue
        else:
            region = default_region
        if not _within(region[1], allowed):
            problems.add([problem("ledger.payment-region", where, region=row.payer, what="不在您的管辖范围内")])
            continue
        yield (
            row.row,
            region[0],
            row.pay_app_no,
            row.pay_date,
            row.pay_date.year,
            row.bgt_id,
            row.agency_name,
            row.payee,
            row.amount,
            int(row.amount * 100),
            row.ori_pay_app_no,
            row.eco_code,
            row.func_code,
            row.use_des,
        )


def _copy_into_stage(cursor: Any, tuples: Iterator[tuple[Any, ...]]) -> int:
    """Write the staging rows: COPY on PostgreSQL, executemany in batches elsewhere. Returns the count."""
    count = 0
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY pay_stage ({', '.join(STAGE_COLUMNS)}) FROM STDIN") as copy:
            for t in tuples:
                copy.write_row(t)
                count += 1
        return count
    insert = f"INSERT INTO pay_stage ({', '.join(STAGE_COLUMNS)}) VALUES ({', '.join(['%s'] * len(STAGE_COLUMNS))})"
    batch: list[tuple[Any, ...]] = []
    for t in tuples:
        batch.append((*t[:3], t[3].isoformat(), *t[4:8], str(t[8]), *t[9:]))
        count += 1
        if len(batch) >= _BATCH:
            cursor.executemany(insert, batch)
            batch = []
    if batch:
        cursor.executemany(insert, batch)
    return count


# ---------------------------------------------------------------- set-based checks

_DUPLICATES = """
SELECT pay_app_no, MIN(row_no), MAX(row_no), COUNT(*) FROM pay_stage
GROUP BY payer_region_id, pay_app_no HAVING COUNT(*) > 1 ORDER BY MIN(row_no)
"""

_SAME = " AND ".join(
    f"p.{c} = s.{c}"
    for c in ("pay_date", "bgt_id", "agency_name", "payee", "ori_pay_app_no", "eco_code", "func_code", "use_des")
)

# One row per staged row: the stored payment with the same key, the indicator, the refund's original (stored or an
# earlier row of the file; looked up for the refund rows only) and the status and reason the row will be written with.
_CHECKED = f"""
CREATE TEMP TABLE pay_checked AS
SELECT s.*, p.id AS existing_id,
       CASE WHEN p.id IS NOT NULL AND {_SAME} AND {CENTS.format("p.amount")} = s.cents THEN 1 ELSE 0 END AS same,
       i.id AS ind_id,
       r.orig_id, r.orig_status, r.orig_bgt_id, r.orig_cents, r.orig_bgt, r.orig_row,
       CASE
         WHEN i.id IS NULL THEN '指标编号不存在（尚未下达或导入）'
         WHEN i.holder_region_id <> s.payer_region_id THEN '指标不属于付款地区'
         WHEN i.status <> 'received' THEN '指标尚未接收'
         WHEN s.cents < 0 AND r.orig_id IS NOT NULL AND r.orig_status <> 'matched' THEN '原支付凭证待匹配'
         ELSE ''
       END AS reason
FROM pay_stage s
LEFT JOIN ledger_payment p ON p.payer_region_id = s.payer_region_id AND p.pay_app_no = s.pay_app_no
LEFT JOIN ledger_indicator i ON i.bgt_id = s.bgt_id
LEFT JOIN (
  SELECT s2.row_no, o.id AS orig_id, o.status AS orig_status, o.bgt_id AS orig_bgt_id,
         COALESCE({CENTS.format("o.amount")}, f.cents) AS orig_cents, COALESCE(o.bgt_id, f.bgt_id) AS orig_bgt,
         f.row_no AS orig_row
  FROM pay_stage s2
  LEFT JOIN ledger_payment o ON o.payer_region_id = s2.payer_region_id AND o.pay_app_no = s2.ori_pay_app_no
       AND o.amount > 0
  LEFT JOIN pay_stage f ON f.payer_region_id = s2.payer_region_id AND f.pay_app_no = s2.ori_pay_app_no
       AND f.row_no < s2.row_no AND f.cents > 0
  WHERE s2.cents < 0
) r ON r.row_no = s.row_no
"""

_KEY_CLASHES = """
SELECT row_no, pay_app_no FROM pay_checked WHERE existing_id IS NOT NULL AND same = 0 ORDER BY row_no
"""

_REFUND_ORIGINALS = """
SELECT row_no, ori_pay_app_no, bgt_id, orig_bgt FROM pay_checked
WHERE existing_id IS NULL AND cents < 0 AND (orig_cents IS NULL OR orig_bgt <> bgt_id) ORDER BY row_no
"""

# Refunds never return more than what is left of their original: stored refunds plus the file's, in file order.
_REFUND_LIMITS = f"""
WITH r AS (
  SELECT c.row_no, c.payer_region_id, c.ori_pay_app_no, c.cents, c.orig_cents,
         SUM(c.cents) OVER (PARTITION BY c.payer_region_id, c.ori_pay_app_no ORDER BY c.row_no
                            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum
  FROM pay_checked c WHERE c.existing_id IS NULL AND c.cents < 0
), k AS (
  SELECT r.*, r.orig_cents + COALESCE((
      SELECT SUM({CENTS.format("q.amount")}) FROM ledger_payment q
      WHERE q.payer_region_id = r.payer_region_id AND q.ori_pay_app_no = r.ori_pay_app_no AND q.amount < 0), 0) AS left0
  FROM r
)
SELECT row_no, ori_pay_app_no, cents, left0 + cum - cents FROM k WHERE left0 + cum < 0 ORDER BY row_no
"""

# Available balance (amount + reductions − issued children − net matched payments) of the indicators in ``t``:
# one grouped aggregate per kind, joined by id (hash joins over the touched set instead of three correlated
# sub-queries per indicator).
_AVAILABLE = f"""
  SELECT i.id, {CENTS.format("i.amount")} + COALESCE(red.cents, 0) - COALESCE(kid.cents, 0)
         - COALESCE(paid.cents, 0) AS avail
  FROM ledger_indicator i JOIN t ON t.id = i.id
  LEFT JOIN (SELECT r.reduces_id AS id, SUM({CENTS.format("r.amount")}) AS cents
             FROM ledger_indicator r JOIN t ON t.id = r.reduces_id GROUP BY r.reduces_id) red ON red.id = i.id
  LEFT JOIN (SELECT k.parent_id AS id, SUM({CENTS.format("k.amount")}) AS cents
             FROM ledger_indicator k JOIN t ON t.id = k.parent_id GROUP BY k.parent_id) kid ON kid.id = i.id
  LEFT JOIN (SELECT q.indicator_id AS id, SUM({CENTS.format("q.amount")}) AS cents
             FROM ledger_payment q JOIN t ON t.id = q.indicator_id WHERE q.status = 'matched'
             GROUP BY q.indicator_id) paid ON paid.id = i.id"""

_LOCK = """
SELECT id FROM ledger_indicator WHERE bgt_id IN (SELECT bgt_id FROM pay_stage) ORDER BY id FOR UPDATE
"""

# Available balance per indicator before the file (amount + reductions − issued children − net matched payments),
# then a running sum of the file's matched rows per indicator in file order: a row is refused when the running
# sum passes the balance. Refunds lower the running sum, so money refunded earlier in the file can be paid again.
_OVERSPEND = f"""
WITH m AS (
  SELECT c.row_no, c.ind_id, c.bgt_id, c.cents,
         SUM(c.cents) OVER (PARTITION BY c.ind_id ORDER BY c.row_no
                            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum
  FROM pay_checked c WHERE c.existing_id IS NULL AND c.reason = ''
), t AS (
  SELECT DISTINCT ind_id AS id FROM m
), a AS ({_AVAILABLE}
)
SELECT m.row_no, m.bgt_id, m.cents, a.avail - (m.cum - m.cents) FROM m JOIN a ON a.id = m.ind_id
WHERE m.cents > 0 AND m.cum > a.avail ORDER BY m.row_no
"""

_INSERT = """
INSERT INTO ledger_payment (payer_region_id, pay_app_no, pay_date, fiscal_year, indicator_id, bgt_id, agency_name,
    payee, amount, ori_pay_app_no, eco_code, func_code, use_des, batch_id, status, unmatched_reason)
SELECT payer_region_id, pay_app_no, pay_date, fiscal_year, CASE WHEN reason = '' THEN ind_id END, bgt_id,
    agency_name, payee, amount, ori_pay_app_no, eco_code, func_code, use_des, %s,
    CASE WHEN reason = '' THEN 'matched' ELSE 'unmatched' END, reason
FROM pay_checked WHERE existing_id IS NULL ORDER BY row_no
"""


def _cents(value: int) -> str:
    return yuan(Decimal(value) / 100)


def _check(cursor: Any, filename: str, problems: _Problems) -> None:
    """Every set-based rule; problems are collected (the caller refuses the file when there are any)."""

    def at(row: int, column: str) -> Location:
        return Location(filename, row, column)

    _analyze(cursor, "pay_stage")
    cursor.execute(_DUPLICATES)
    for key, first, last, count in cursor.fetchall():
        rows = f"{first}、{last}" if count == 2 else f"{first}…{last}，共 {count} 次"
        problems.add([problem("ledger.duplicate-in-file", at(last, "支付凭证号"), key=key, rows=rows)])
    if problems.count:
        return  # the joins below assume one row per key
    if connection.vendor == "postgresql":
        cursor.execute(_LOCK)
    cursor.execute(_CHECKED)
    _analyze(cursor, "pay_checked")
    cursor.execute(_KEY_CLASHES)
    for row, key in cursor.fetchall():
        problems.add([problem("ledger.duplicate-key", at(row, "支付凭证号"), key=f"支付凭证号 {key}")])
    cursor.execute(_REFUND_ORIGINALS)
    for row, ori, bgt_id, orig_bgt in cursor.fetchall():
        if orig_bgt is None:
            what = "不存在（须为已导入或本文件中更早的一笔支付）"
            problems.add([problem("ledger.refund-no-original", at(row, "原凭证号"), ori=ori, what=what)])
        else:
            problems.add(
                [
                    problem(
                        "ledger.refund-other-indicator", at(row, "指标编号"), bgt_id=bgt_id, ori=ori, expected=orig_bgt
                    )
                ]
            )
    cursor.execute(_REFUND_LIMITS)
    for row, ori, cents, remaining in cursor.fetchall():
        problems.add(
            [
                problem(
                    "ledger.refund-exceeds-payment",
                    at(row, "金额"),
                    amount=_cents(-cents),
                    ori=ori,
                    remaining=_cents(remaining),
                )
            ]
        )
    cursor.execute(_OVERSPEND)
    for row, bgt_id, cents, available in cursor.fetchall():
        problems.add(
            [
                problem(
                    "ledger.payment-exceeds-available",
                    at(row, "金额"),
                    amount=_cents(cents),
                    bgt_id=bgt_id,
                    available=_cents(available),
                )
            ]
        )


def _analyze(cursor: Any, table: str) -> None:
    """Statistics for a freshly filled staging table, so the planner picks hash joins and sizes them right."""
    if connection.vendor == "postgresql":
        cursor.execute(f"ANALYZE {table}")


def _drop_temp(cursor: Any) -> None:
    cursor.execute("DROP TABLE IF EXISTS pay_checked")
    cursor.execute("DROP TABLE IF EXISTS pay_stage")


def _crash_hook() -> None:
    marker = os.environ.get(CRASH_HOOK)
    if marker:
        Path(marker).write_text(str(os.getpid()))
        time.sleep(600)


# ---------------------------------------------------------------- the service


def _default_region(region: Region | str | None, allowed: str | None) -> tuple[int, str] | None:
    if region is None or region == "":
        return None
    if isinstance(region, str):
        found = _Regions().get(region)
        if found is None:
            raise ServiceError(f"付款地区“{region}”不存在")
    else:
        found = (region.pk, region.path)
    if not _within(found[1], allowed):
        raise ActionNotAllowed("付款地区不在您的管辖范围内")
    return found


def import_payments(
    *,
    user: Any,
    filename: str,
    source: IO[bytes] | bytes | Path,
    region: Region | str | None = None,
    max_problems: int = MAX_PROBLEMS,
    on_read: Callable[[int], None] | None = None,
    evaluate: bool = True,
) -> ImportReport:
    """Import a payments file (CSV or XLSX; ``source`` a path, bytes or a binary stream) — all or nothing.

    ``region`` is the payer region of rows without a 付款地区 column value. ``user`` None is the command line
    without ``--user`` (any region); a user must be finance staff and may import only for its region subtree.
    Refusals raise ServiceError with the first ``max_problems`` problems (file/row/column) and the total count.
    With ``evaluate`` the warning rules are then run for the payer regions written, after the commit.
    """
    started = time.perf_counter()
    allowed = _allowed_path(user)
    default = _default_region(region, allowed)
    if isinstance(source, Path):
        stream: IO[bytes] = source.open("rb")
    elif isinstance(source, bytes):
        stream = io.BytesIO(source)
    else:
        stream = source
    hashing = _Hashing(stream, on_read)
    problems = _Problems(max_problems)
    regions = _Regions()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            _drop_temp(cursor)
            if connection.vendor == "postgresql":
                # Sorts and hashes over the staged file stay in memory (this transaction only).
                cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute(_STAGE_DDL)
            try:
                rows = iter_payments(hashing, filename)  # type: ignore[arg-type]
                staged = _copy_into_stage(cursor, _stage_rows(rows, filename, default, allowed, problems, regions))
            except PlanError as exc:
                problems.add(exc.problems)
                staged = 0
            sha = hashing.sha.hexdigest()
            report = ImportReport(filename=filename, sha256=sha, rows=staged)
            if not problems.count and _already_imported(sha):
                report.already_imported = True
                transaction.set_rollback(True)
                return _finish(report, started)
            if not problems.count:
                _check(cursor, filename, problems)
            problems.refuse(filename)
            _write(cursor, user, report)
            _drop_temp(cursor)
            _crash_hook()
    except IntegrityError:
        raise ConflictError("另一导入同时写入了相同的支付凭证号，请重新导入") from None
    finally:
        if isinstance(source, Path):
            stream.close()
    _finish(report, started)  # the import's own time, without the evaluation
    if evaluate and report.inserted:
        _evaluate_after(report, batch_id=report.batch_id)
    return report


def _evaluate_after(report: ImportReport | None, **touched: Any) -> None:
    """The warnings hook (预警): evaluate the rules for the regions just written, once the write has committed —
    at once when the import ran in no caller's transaction (the page, the command), else when that one commits."""
    from fundflow.ledger.warnings import evaluate_after_payments

    def run() -> None:
        created = evaluate_after_payments(**touched)
        if report is not None:
            report.warnings = created

    transaction.on_commit(run)


def _already_imported(sha: str) -> bool:
    return ImportBatch.objects.filter(kind=ImportBatch.Kind.PAYMENTS, sha256=sha).exists()


def _finish(report: ImportReport, started: float) -> ImportReport:
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _write(cursor: Any, user: Any, report: ImportReport) -> None:
    """Counts, the batch row and the one INSERT … SELECT (the checks have passed)."""
    cursor.execute("SELECT COUNT(*) FROM pay_checked WHERE existing_id IS NOT NULL")
    report.unchanged = cursor.fetchone()[0]
    cursor.execute(
        "SELECT CASE WHEN reason = '' THEN 1 ELSE 0 END, COUNT(*), COALESCE(SUM(cents), 0) FROM pay_checked "
        "WHERE existing_id IS NULL GROUP BY CASE WHEN reason = '' THEN 1 ELSE 0 END"
    )
    total = 0
    for matched, count, cents in cursor.fetchall():
        total += int(cents)
        if matched:
            report.matched = count
        else:
            report.unmatched = count
    report.inserted = report.matched + report.unmatched
    report.amount = Decimal(total) / 100
    cursor.execute(
        "SELECT row_no, pay_app_no, bgt_id, reason FROM pay_checked WHERE existing_id IS NULL AND reason <> '' "
        f"ORDER BY row_no LIMIT {MAX_PROBLEMS}"
    )
    report.waiting = [{"row": r, "pay_app_no": k, "bgt_id": b, "reason": why} for r, k, b, why in cursor.fetchall()]
    batch = ImportBatch.objects.create(
        kind=ImportBatch.Kind.PAYMENTS,
        filename=report.filename[:255],
        sha256=report.sha256,
        rows=report.rows,
        created_by=user if getattr(user, "pk", None) else None,
    )
    report.batch_id = batch.pk
    cursor.execute(_INSERT, [batch.pk])
    batch.report = report.as_json()
    batch.save(update_fields=["report"])


# ---------------------------------------------------------------- matching waiting payments later

_REMATCH_STAGE = """
CREATE TEMP TABLE pay_rematch AS
SELECT p.id, i.id AS ind_id, CAST(ROUND(p.amount * 100) AS BIGINT) AS cents,
       ROW_NUMBER() OVER (ORDER BY p.pay_date, p.id) AS seq
FROM ledger_payment p JOIN ledger_indicator i ON i.bgt_id = p.bgt_id
WHERE p.status = 'unmatched' AND i.holder_region_id = p.payer_region_id AND i.status = 'received'
  AND (p.amount > 0 OR EXISTS (SELECT 1 FROM ledger_payment o WHERE o.payer_region_id = p.payer_region_id
        AND o.pay_app_no = p.ori_pay_app_no AND o.status = 'matched'))
"""

# The waiting rows that fit: running sum per indicator in date order within the available balance.
_REMATCH_FIT = f"""
WITH m AS (
  SELECT r.id, r.ind_id, r.cents, r.seq,
         SUM(r.cents) OVER (PARTITION BY r.ind_id ORDER BY r.seq
                            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum
  FROM pay_rematch r
), t AS (
  SELECT DISTINCT ind_id AS id FROM pay_rematch
), a AS ({_AVAILABLE}
), bad AS (
  SELECT m.ind_id, MIN(m.seq) AS first_seq FROM m JOIN a ON a.id = m.ind_id WHERE m.cum > a.avail GROUP BY m.ind_id
)
SELECT m.id, m.ind_id FROM m LEFT JOIN bad ON bad.ind_id = m.ind_id
WHERE bad.first_seq IS NULL OR m.seq < bad.first_seq
"""


_REMATCH_LOCK = "SELECT id FROM ledger_indicator WHERE id IN (SELECT ind_id FROM pay_rematch) ORDER BY id FOR UPDATE"


def rematch(*, user: Any = None, evaluate: bool = True) -> int:
    """Match waiting (待匹配) payments whose indicator now exists, is held by the payer region and was received.

    Set-based and all-or-nothing like the import: per indicator, waiting rows are matched in (date, id) order as
    long as the running sum fits the available balance; the rest keep waiting with the reason ``超过指标可用余额``.
    ``user`` limits the rows to the finance user's region subtree. Returns the number of payments matched.
    """
    allowed = _allowed_path(user)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS pay_rematch")
        cursor.execute(_REMATCH_STAGE)
        if allowed is not None:
            out = Region.objects.exclude(Q(path=allowed) | Q(path__startswith=allowed + "/")).values_list("pk")
            ids = [pk for (pk,) in out]
            if ids:
                cursor.execute(
                    "DELETE FROM pay_rematch WHERE id IN (SELECT id FROM ledger_payment WHERE payer_region_id IN "
                    f"({', '.join(['%s'] * len(ids))}))",
                    ids,
                )
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT id FROM ledger_indicator WHERE id IN (SELECT ind_id FROM pay_rematch) ORDER BY id FOR UPDATE"
            )
        cursor.execute(_REMATCH_FIT)
        fits = cursor.fetchall()
        matched = 0
        for start in range(0, len(fits), _BATCH):
            chunk = fits[start : start + _BATCH]
            cursor.executemany(
                "UPDATE ledger_payment SET status = 'matched', indicator_id = %s, unmatched_reason = '' "
                "WHERE id = %s AND status = 'unmatched'",
                [(ind, pk) for pk, ind in chunk],
            )
            matched += len(chunk)
        fitted = {pk for pk, _ in fits}
        cursor.execute("SELECT id FROM pay_rematch")
        over = [pk for (pk,) in cursor.fetchall() if pk not in fitted]
        if over:
            Payment.objects.filter(pk__in=over).update(unmatched_reason="超过指标可用余额")
        cursor.execute("DROP TABLE IF EXISTS pay_rematch")
    if evaluate and matched:
        _evaluate_after(None, user=user)
    return matched
