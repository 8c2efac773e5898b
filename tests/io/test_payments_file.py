"""The payments file reader: headers by Chinese name or field code, encodings, XLSX, streaming, row problems."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from fundflow.core.errors import PlanError
from fundflow.io.payments_file import PaymentRow, iter_payments

HEADER = "支付凭证号,支付日期,指标编号,付款单位,金额,原凭证号\n"


def test_csv_utf8_bom_and_gbk_read_alike():
    text = HEADER + "P1,2025-03-01,B1,额敏县医疗保障局,1234.50,\n"
    for content in (text.encode("utf-8"), b"\xef\xbb\xbf" + text.encode("utf-8"), text.encode("gbk")):
        (row,) = list(iter_payments(content, "p.csv"))
        assert row == PaymentRow(
            2, "P1", datetime.date(2025, 3, 1), "B1", "额敏县医疗保障局", "", Decimal("1234.50"), "", "", "", "", ""
        )


def test_field_code_aliases_and_excel_dates():
    wb = Workbook()
    ws = wb.active
    ws.append(["PAY_APP_NO", "PAY_DATE", "BGT_ID", "AGENCY_NAME", "XPAY_AMT", "ORI_PAY_APP_NO", "MOF_DIV_CODE"])
    ws.append(["P1", datetime.datetime(2025, 3, 1), "B1", "单位", 1051.79, None, "654221"])
    ws.append(["R1", "2025/3/2", "B1", "单位", -0.1, "P1", "654221"])
    buf = io.BytesIO()
    wb.save(buf)
    rows = list(iter_payments(buf.getvalue(), "p.xlsx"))
    assert [(r.pay_app_no, r.pay_date, r.amount, r.payer) for r in rows] == [
        ("P1", datetime.date(2025, 3, 1), Decimal("1051.79"), "654221"),
        ("R1", datetime.date(2025, 3, 2), Decimal("-0.10"), "654221"),
    ]


def test_header_is_checked_before_any_row():
    def rows():
        yield HEADER.replace("金额", "备注").encode()
        raise AssertionError("a data row was read")

    class Stream(io.RawIOBase):
        def __init__(self):
            self.parts = rows()

        def readable(self):
            return True

        def read(self, n=-1):
            return next(self.parts, b"")

    with pytest.raises(PlanError) as info:
        list(iter_payments(Stream(), "p.csv"))
    assert info.value.problems[0].describe() == "文件 p.csv 第 1 行：支付文件表头有误：缺少必需的列 “金额”"


def test_rows_stream_one_at_a_time():
    lines = (HEADER + "".join(f"P{i},2025-03-01,B1,单位,1.00,\n" for i in range(100_000))).encode()
    reader = iter_payments(io.BytesIO(lines), "big.csv")
    first = next(reader)
    assert first.pay_app_no == "P0"
    assert sum(1 for _ in reader) == 99_999


def test_row_problems_name_row_and_column():
    content = (HEADER + "P1,2025-02-30,B1,单位,1.234,\nP2,2025-03-01,B1,单位,-5,\n").encode()
    first, second = list(iter_payments(content, "p.csv"))
    assert [p.describe() for p in first] == [
        "文件 p.csv 第 2 行 “支付日期”列：“2025-02-30”不是日期，应如 2021-03-01",
        "文件 p.csv 第 2 行 “金额”列：“1.234”超过两位小数（金额以元计，精确到分）",
    ]
    assert [p.describe() for p in second] == ["文件 p.csv 第 3 行 “原凭证号”列：金额为负数（退回）时必须填写原凭证号"]
