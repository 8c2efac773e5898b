"""Read treasury payment files (国库集中支付) row by row: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) or XLSX.

Columns are found by their Chinese header or by the 一体化 field code (aliases below), in any order; unknown
columns are ignored. The header is checked before any data row is read. Rows are *streamed* (a generator): a
file of millions of payments is never held in memory, so the caller stages each row as it arrives.

The payer region (付款地区) is either a column (付款地区 / MOF_DIV_CODE: a region code or name, per row) or given
for the whole file by the caller (``fundflow payments import --region CODE``, the upload form's 付款地区 field);
a row's own column wins when both are given. Amounts are Decimal 元 with at most 2 decimal places; a negative
amount is a refund/reversal and must name its original payment (原凭证号).

Per-row problems do not stop the reading: each row comes back as a :class:`PaymentRow` or a list of problems,
so the caller can report every bad cell of the file (file, row and column in Chinese).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO

from fundflow.core.errors import Location, PlanError, Problem
from fundflow.core.ledger.rules import problem
from fundflow.io.numbers import parse_decimal
from fundflow.io.xlsx_write import formula_like, formula_problem

# column key → accepted headers (Chinese first, then the 一体化 field code)
COLUMNS: dict[str, tuple[str, ...]] = {
    "pay_app_no": ("支付凭证号", "PAY_APP_NO"),
    "pay_date": ("支付日期", "PAY_DATE"),
    "bgt_id": ("指标编号", "BGT_ID"),
    "agency_name": ("付款单位", "AGENCY_NAME"),
    "payee": ("收款人", "PAYEE_ACCT_NAME"),
    "amount": ("金额", "XPAY_AMT"),
    "ori_pay_app_no": ("原凭证号", "ORI_PAY_APP_NO"),
    "eco_code": ("经济科目", "ECO_CODE", "GOV_BGT_ECO_CODE"),
    "func_code": ("功能科目", "EXP_FUNC_CODE"),
    "use_des": ("用途", "USE_DES"),
    "payer": ("付款地区", "MOF_DIV_CODE"),
}
REQUIRED = ("pay_app_no", "pay_date", "bgt_id", "agency_name", "amount")
LIMITS = {
    "pay_app_no": 60,
    "bgt_id": 38,
    "agency_name": 255,
    "payee": 255,
    "ori_pay_app_no": 60,
    "eco_code": 11,
    "func_code": 13,
    "use_des": 255,
    "payer": 64,
}
CENT = Decimal("0.01")
_PREFIX = 1 << 16  # bytes looked at to tell UTF-8 from GB18030
_HEADER_OF = {alias.upper(): key for key, aliases in COLUMNS.items() for alias in aliases}


def label(key: str) -> str:
    """The Chinese header of a column key (used in locations)."""
    return COLUMNS[key][0]


@dataclass(frozen=True, slots=True)
class PaymentRow:
    row: int  # 1-based row number in the file (header = 1)
    pay_app_no: str
    pay_date: datetime.date
    bgt_id: str
    agency_name: str
    payee: str
    amount: Decimal
    ori_pay_app_no: str
    eco_code: str
    func_code: str
    use_des: str
    payer: str  # region code or name as written; "" = the file's region given by the caller


RowResult = PaymentRow | list[Problem]


class _Counting(io.RawIOBase):
    """A readable byte stream that replays ``prefix`` then the rest of ``stream`` and reports bytes read."""

    def __init__(self, prefix: bytes, stream: IO[bytes], on_read: Callable[[int], None] | None) -> None:
        self._prefix = prefix
        self._stream = stream
        self._on_read = on_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
        else:
            chunk = self._stream.read(len(buffer))
            n = len(chunk)
            buffer[:n] = chunk
            if self._on_read and n:
                self._on_read(n)
        return n


def _encoding_of(prefix: bytes) -> str:
    """``utf-8-sig`` when the first bytes are UTF-8 (a multi-byte character cut at the end is allowed), else GB18030."""
    if prefix.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(prefix, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def iter_csv_cells(stream: IO[bytes], file: str, on_read: Callable[[int], None] | None = None) -> Iterator[list[str]]:
    """The cells of a CSV byte stream row by row, decoded as UTF-8 or GB18030 (told from the first 64 KiB)."""
    prefix = stream.read(_PREFIX)
    if on_read and prefix:
        on_read(len(prefix))
    encoding = _encoding_of(prefix)
    text = io.TextIOWrapper(
        io.BufferedReader(_Counting(prefix, stream, on_read), buffer_size=1 << 20), encoding=encoding, newline=""
    )
    reader = csv.reader(text)
    try:
        yield from reader
    except UnicodeDecodeError:
        raise PlanError.single(
            "file.encoding",
            f"第 {reader.line_num + 1} 行附近编码无法识别（文件开头为 {'UTF-8' if 'utf' in encoding else 'GBK'} 编码）",
            Location(file),
        ) from None
    except csv.Error:
        raise PlanError.single(
            "file.type", "无法作为 CSV 文件读取（格式有误）", Location(file, reader.line_num)
        ) from None


def iter_xlsx_cells(source: Path | bytes, file: str) -> Iterator[list[str]]:
    """The cells of the first sheet, streamed by openpyxl in read-only mode."""
    from fundflow.io.xlsx_cells import iter_first_sheet

    yield from iter_first_sheet(source, file)


def header_keys(cells: list[str], file: str) -> dict[str, int]:
    """Column key → index; a missing required column or a column given twice is a PlanError (nothing is read)."""
    found: dict[str, int] = {}
    problems: list[Problem] = []
    for index, cell in enumerate(cells):
        key = _HEADER_OF.get(cell.strip().lstrip("\ufeff").upper())
        if key is None:
            continue
        if key in found:
            problems.append(problem("ledger.payment-header", Location(file, 1, cell.strip()), what="列重复出现"))
        found[key] = index
    missing = [label(k) for k in REQUIRED if k not in found]
    if missing:
        names = "、".join(f"“{m}”" for m in missing)
        problems.append(problem("ledger.payment-header", Location(file, 1), what=f"缺少必需的列 {names}"))
    if problems:
        raise PlanError(problems)
    return found


def _date(text: str) -> datetime.date:
    cleaned = text.strip().replace("/", "-").replace(".", "-")
    if "T" in cleaned or " " in cleaned:  # an Excel date cell: 2021-03-01T00:00:00
        cleaned = cleaned.replace("T", " ").split(" ")[0]
    if len(cleaned) == 8 and cleaned.isdigit():  # 20210301 as the 一体化 exports write it
        cleaned = f"{cleaned[:4]}-{cleaned[4:6]}-{cleaned[6:]}"
    return datetime.date.fromisoformat("-".join(p.zfill(2) for p in cleaned.split("-")))


def _amount(text: str) -> Decimal:
    value = parse_decimal(text)
    if value != value.quantize(CENT):
        raise ValueError(f"“{text}”超过两位小数（金额以元计，精确到分）")
    return value.quantize(CENT)


def parse_row(cells: list[str], columns: dict[str, int], file: str, row: int) -> RowResult:
    """One data row → a PaymentRow, or every problem of the row (file, row and column in Chinese)."""
    values: dict[str, str] = {}
    problems: list[Problem] = []
    for key, index in columns.items():
        values[key] = cells[index].strip() if index < len(cells) else ""

    def bad(key: str, what: str) -> None:
        problems.append(problem("ledger.payment-field", Location(file, row, label(key)), what=what))

    for key in REQUIRED:
        if not values.get(key):
            bad(key, "不能为空")
    for key, limit in LIMITS.items():
        if len(values.get(key, "")) > limit:
            bad(key, f"超过 {limit} 个字符")
        elif formula_like(values.get(key, "")):  # refused on entry like every other import's text
            problems.append(formula_problem("input.formula-text", values[key], Location(file, row, label(key))))
    pay_date = datetime.date.min
    if values.get("pay_date"):
        try:
            pay_date = _date(values["pay_date"])
        except ValueError:
            bad("pay_date", f"“{values['pay_date']}”不是日期，应如 2021-03-01")
    amount = Decimal(0)
    if values.get("amount"):
        try:
            amount = _amount(values["amount"])
        except ValueError as exc:
            bad("amount", str(exc))
        else:
            if amount == 0:
                bad("amount", "金额不能为 0")
            elif amount < 0 and not values.get("ori_pay_app_no"):
                bad("ori_pay_app_no", "金额为负数（退回）时必须填写原凭证号")
    if problems:
        return problems
    return PaymentRow(
        row=row,
        pay_app_no=values["pay_app_no"],
        pay_date=pay_date,
        bgt_id=values["bgt_id"],
        agency_name=values["agency_name"],
        payee=values.get("payee", ""),
        amount=amount,
        ori_pay_app_no=values.get("ori_pay_app_no", ""),
        eco_code=values.get("eco_code", ""),
        func_code=values.get("func_code", ""),
        use_des=values.get("use_des", ""),
        payer=values.get("payer", ""),
    )


def iter_payments(
    source: IO[bytes] | Path | bytes,
    file: str,
    *,
    on_read: Callable[[int], None] | None = None,
) -> Iterator[RowResult]:
    """The rows of a payments file, one at a time, after checking the header (a PlanError when it is wrong).

    ``source`` is a path, the file's bytes or a binary stream; ``file`` is the name used in messages and decides
    the format (``.xlsx``/``.xlsm`` → Excel, anything else CSV). ``on_read(n)`` is told of every ``n`` bytes read
    from a CSV stream (a progress bar); blank rows are skipped.
    """
    if file.lower().endswith((".xlsx", ".xlsm")):
        if not isinstance(source, Path | bytes):
            source = source.read()
        cells = iter_xlsx_cells(source, file)
    else:
        if isinstance(source, Path):
            with source.open("rb") as opened:
                yield from iter_payments(opened, file, on_read=on_read)
            return
        stream: IO[bytes] = io.BytesIO(source) if isinstance(source, bytes) else source
        cells = iter_csv_cells(stream, file, on_read)
    header: dict[str, int] | None = None
    for row, line in enumerate(cells, start=1):
        if not any(c.strip() for c in line):
            continue
        if header is None:
            header = header_keys(line, file)
            continue
        yield parse_row(line, header, file, row)
    if header is None:
        raise PlanError.single("file.empty", "支付文件为空（没有表头）", Location(file))
