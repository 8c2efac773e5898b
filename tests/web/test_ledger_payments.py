"""Treasury payment import (国库集中支付): set-based validation, all or nothing, 待匹配 queue, concurrency, crashes."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundflow.platform.errors import ServiceError

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
PG_ONLY = pytest.mark.skipif(
    not ON_POSTGRES, reason="needs PostgreSQL (row locks, a second connection); the PostgreSQL CI run executes it"
)
HEADER = "支付凭证号,支付日期,指标编号,付款单位,收款人,金额,原凭证号,经济科目,功能科目,用途\n"


def csv_bytes(rows, encoding="utf-8", header=HEADER):
    return (header + "".join(",".join(str(c) for c in r) + "\n" for r in rows)).encode(encoding)


def make_indicator(bgt_id, amount, holder="654221", status="received"):
    from fundflow.ledger.models import Document, Indicator
    from fundflow.regions.models import Region

    region = Region.objects.get(code=holder)
    doc, _ = Document.objects.get_or_create(
        doc_no=f"测试财社〔2025〕{bgt_id[-3:]}号",
        defaults={
            "issuer": region.parent,
            "title": "测试",
            "doc_date": datetime.date(2025, 1, 8),
            "budget_year": 2025,
            "fiscal_year": 2025,
        },
    )
    return Indicator.objects.create(
        bgt_id=bgt_id,
        fiscal_year=2025,
        document=doc,
        cor_doc_no=doc.doc_no,
        issuer=region.parent,
        rec_region=region,
        holder_region=region,
        fund="测试资金",
        amount=Decimal(amount),
        status=status,
    )


def snapshot():
    from fundflow.ledger.models import ImportBatch, Payment

    return (
        list(Payment.objects.order_by("id").values_list("pay_app_no", "amount", "status", "indicator_id")),
        ImportBatch.objects.count(),
    )


def do_import(user, rows, name="pay.csv", **kw):
    from fundflow.ledger.payments import import_payments

    content = csv_bytes(rows, header=kw.pop("header", HEADER))
    return import_payments(user=user, filename=name, source=content, **kw)


def refused(user, rows, rule, **kw):
    before = snapshot()
    with pytest.raises(ServiceError) as info:
        do_import(user, rows, **kw)
    assert rule in [p.rule for p in info.value.problems], info.value.problems
    assert snapshot() == before
    return info.value


@pytest.fixture
def ind(users):
    return make_indicator("6542212025000001", "1000.00")


def row(no, amount, bgt="6542212025000001", ori="", date="2025-03-01"):
    return (no, date, bgt, "额敏县卫生健康委员会", "某医院", amount, ori, "30307", "2101202", "医疗救助")


def test_happy_path_exact_figures_and_idempotent_reimport(users, ind):
    from fundflow.ledger.models import ImportBatch, Payment
    from fundflow.ledger.services import figures_of

    rows = [row("P001", "300.00"), row("P002", "450.25"), row("R001", "-100.10", ori="P001")]
    report = do_import(users["emin"], rows)
    assert (report.rows, report.inserted, report.matched, report.unmatched) == (3, 3, 3, 0)
    assert report.amount == Decimal("650.15")
    assert figures_of(ind).available == Decimal("349.85")
    p1 = Payment.objects.get(pay_app_no="P001")
    assert (p1.amount, p1.indicator_id, p1.status, p1.fiscal_year) == (Decimal("300.00"), ind.pk, "matched", 2025)
    assert ImportBatch.objects.get().sha256 == report.sha256

    again = do_import(users["emin"], rows)
    assert (again.already_imported, again.inserted) == (True, 0)
    assert (ImportBatch.objects.count(), Payment.objects.count()) == (1, 3)

    # The same rows in another file (other bytes): identical keys are counted as unchanged, the new one written.
    more = do_import(users["emin"], [*rows, row("P003", "49.85")], name="more.csv")
    assert (more.unchanged, more.inserted) == (3, 1)
    assert figures_of(ind).available == Decimal("300.00")


def test_key_with_different_values_is_refused(users, ind):
    do_import(users["emin"], [row("P001", "300.00")])
    exc = refused(users["emin"], [row("P001", "300.01")], "ledger.duplicate-key")
    assert "支付凭证号 P001 已存在且内容不同" in exc.problems[0].describe()
    assert "第 2 行" in exc.problems[0].describe()


def test_duplicate_within_file_refused(users, ind):
    refused(users["emin"], [row("P001", "1.00"), row("P001", "1.00")], "ledger.duplicate-in-file")


def test_unknown_indicator_waits_with_reason_then_rematch(users, ind):
    from fundflow.ledger.models import Payment
    from fundflow.ledger.payments import rematch

    report = do_import(users["emin"], [row("P001", "10.00"), row("P002", "20.00", bgt="6542212025000099")])
    assert (report.matched, report.unmatched) == (1, 1)
    assert report.waiting == [
        {"row": 3, "pay_app_no": "P002", "bgt_id": "6542212025000099", "reason": "指标编号不存在（尚未下达或导入）"}
    ]
    waiting = Payment.objects.get(pay_app_no="P002")
    assert (waiting.status, waiting.indicator_id) == ("unmatched", None)

    later = make_indicator("6542212025000099", "15.00")
    assert rematch(user=users["emin"]) == 0  # 20 元 does not fit 15 元: it keeps waiting, with the new reason
    waiting.refresh_from_db()
    assert (waiting.status, waiting.unmatched_reason) == ("unmatched", "超过指标可用余额")
    later.amount = Decimal("25.00")
    later.save()
    assert rematch(user=users["emin"]) == 1
    waiting.refresh_from_db()
    assert (waiting.status, waiting.indicator_id, waiting.unmatched_reason) == ("matched", later.pk, "")


def test_indicator_of_another_region_or_not_received_waits(users, ind):
    make_indicator("6542242025000001", "500.00", holder="654224")
    make_indicator("6542212025000002", "500.00", status="pending")
    report = do_import(
        users["emin"], [row("P001", "10.00", bgt="6542242025000001"), row("P002", "10.00", bgt="6542212025000002")]
    )
    assert [w["reason"] for w in report.waiting] == ["指标不属于付款地区", "指标尚未接收"]


def test_overspend_refused_with_figures(users, ind):
    exc = refused(users["emin"], [row("P001", "600.00"), row("P002", "400.01")], "ledger.payment-exceeds-available")
    assert exc.problems[0].describe() == (
        "文件 pay.csv 第 3 行 “金额”列：支付金额 400.01 元超过指标 6542212025000001 的可用余额 400.00 元"
    )
    # A refund earlier in the file frees money again.
    report = do_import(users["emin"], [row("P001", "600.00"), row("R001", "-0.01", ori="P001"), row("P002", "400.01")])
    assert report.matched == 3


def test_refund_without_or_above_original_refused(users, ind):
    refused(users["emin"], [row("R001", "-5.00", ori="NOPE")], "ledger.refund-no-original")
    do_import(users["emin"], [row("P001", "100.00")])
    exc = refused(
        users["emin"],
        [row("R001", "-60.00", ori="P001"), row("R002", "-40.01", ori="P001")],
        "ledger.refund-exceeds-payment",
    )
    assert "退回金额 40.01 元超过原支付凭证 P001 尚未退回的金额 40.00 元" in exc.problems[0].message
    refused(users["emin"], [row("R001", "-1.00", ori="P001", bgt="X")], "ledger.refund-other-indicator")


def test_row_problems_name_file_row_column_and_write_nothing(users, ind):
    exc = refused(
        users["emin"],
        [row("P001", "abc"), row("P002", "-1.00"), row("", "1.00", date="2025-13-01")],
        "ledger.payment-field",
    )
    text = [p.describe() for p in exc.problems]
    assert text[0].startswith("文件 pay.csv 第 2 行 “金额”列：")
    assert text[1] == "文件 pay.csv 第 3 行 “原凭证号”列：金额为负数（退回）时必须填写原凭证号"
    assert any("第 4 行 “支付凭证号”列：不能为空" in t for t in text)
    assert any("第 4 行 “支付日期”列" in t for t in text)


def test_missing_header_column_refused(users, ind):
    refused(users["emin"], [("P001", "1.00")], "ledger.payment-header", header="支付凭证号,金额\n")


def test_gbk_csv_with_field_codes_and_region_column(users, ind):
    header = "PAY_APP_NO,PAY_DATE,BGT_ID,AGENCY_NAME,PAYEE_ACCT_NAME,XPAY_AMT,MOF_DIV_CODE\n"
    rows = [("P001", "20250301", "6542212025000001", "额敏县医疗保障局", "某药店", "12.34", "额敏县")]
    from fundflow.ledger.models import Payment
    from fundflow.ledger.payments import import_payments

    report = import_payments(user=users["tacheng"], filename="gbk.csv", source=csv_bytes(rows, "gbk", header))
    assert report.matched == 1
    p = Payment.objects.get()
    assert (p.agency_name, p.amount, p.payer_region.code) == ("额敏县医疗保障局", Decimal("12.34"), "654221")


def test_region_outside_scope_and_non_finance_refused(users, ind):
    from fundflow.platform.errors import ActionNotAllowed

    with pytest.raises(ActionNotAllowed, match="付款地区不在您的管辖范围内"):
        do_import(users["toli"], [row("P001", "1.00")], region="654221")
    header = HEADER.replace("\n", ",付款地区\n")
    exc = refused(
        users["toli"], [(*row("P001", "1.00"), "额敏县")], "ledger.payment-region", header=header, region=None
    )
    assert exc.problems[0].describe() == "文件 pay.csv 第 2 行 “付款地区”列：付款地区“额敏县”不在您的管辖范围内"

    with pytest.raises(ActionNotAllowed):
        do_import(users["audit"], [row("P001", "1.00")])


@pytest.fixture(autouse=True)
def default_region(monkeypatch):
    """Tests import for 额敏县 unless they say otherwise (the file has no 付款地区 column)."""
    from fundflow.ledger import payments

    real = payments.import_payments

    def with_region(**kw):
        kw.setdefault("region", "654221")
        return real(**kw)

    monkeypatch.setattr(payments, "import_payments", with_region)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(ops=st.lists(st.tuples(st.booleans(), st.integers(min_value=1, max_value=40_000)), min_size=1, max_size=12))
def test_property_balances_never_negative_and_totals_conserved(users, ind, ops):
    """Random payments and refunds, one file each: every accepted file keeps available ≥ 0 and
    available = amount − net payments; every refused file changes nothing."""
    from django.db.models import Sum

    from fundflow.ledger.models import ImportBatch, Payment
    from fundflow.ledger.services import figures_of

    Payment.objects.all().delete()
    ImportBatch.objects.all().delete()
    paid: list[tuple[str, int]] = []  # (pay_app_no, cents left to refund)
    for n, (is_refund, cents) in enumerate(ops):
        amount = Decimal(cents) / 100
        if is_refund and paid:
            ori, _left = paid[n % len(paid)]
            rows = [row(f"R{n}", f"-{amount}", ori=ori)]
        else:
            rows = [row(f"P{n}", f"{amount}")]
        before = snapshot()
        try:
            do_import(users["emin"], rows, name=f"f{n}.csv")
        except ServiceError:
            assert snapshot() == before
            continue
        if not is_refund or not paid:
            paid.append((f"P{n}", cents))
        figures = figures_of(ind)
        net = Payment.objects.filter(status="matched").aggregate(s=Sum("amount"))["s"]
        assert figures.available >= 0
        assert figures.available + net == Decimal("1000.00")


# ---------------------------------------------------------------- PostgreSQL only: concurrency and crashes


@PG_ONLY
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_imports_cannot_overspend(users):
    from django.db import connection

    from fundflow.ledger.models import Payment
    from fundflow.ledger.payments import import_payments

    make_indicator("6542212025000001", "100.00")
    results: list[object] = []
    barrier = threading.Barrier(2)

    def run(key):
        try:
            barrier.wait()
            results.append(
                import_payments(
                    user=users["emin"], filename=f"{key}.csv", source=csv_bytes([row(key, "60.00")]), region="654221"
                )
            )
        except ServiceError as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(k,)) for k in ("A1", "B1")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    errors = [r for r in results if isinstance(r, ServiceError)]
    assert len(errors) == 1
    assert errors[0].problems[0].rule == "ledger.payment-exceeds-available"
    assert "可用余额 40.00 元" in errors[0].problems[0].message
    assert Payment.objects.count() == 1


@PG_ONLY
@pytest.mark.django_db(transaction=True)
def test_killed_import_leaves_nothing(users, tmp_path):
    from django.db import connection

    from fundflow.ledger.models import ImportBatch, Payment

    make_indicator("6542212025000001", "1000.00")
    data = tmp_path / "pay.csv"
    data.write_bytes(csv_bytes([row("P001", "10.00"), row("P002", "20.00")]))
    marker = tmp_path / "reached"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "FUNDFLOW_PAYMENTS_HOOK_BEFORE_COMMIT": str(marker),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from fundflow.cli import main; main()",
            "payments",
            "import",
            str(data),
            "--region",
            "654221",
        ],
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, "the import ended before reaching the hook"
            assert time.monotonic() < deadline
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert (Payment.objects.count(), ImportBatch.objects.count()) == (0, 0)


# ---------------------------------------------------------------- the upload page


def test_upload_page_imports_and_lists_the_waiting_queue(client, users, ind):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fundflow.ledger.models import Payment

    client.force_login(users["emin"])
    content = csv_bytes([row("P001", "10.00"), row("P002", "5.00", bgt="NOPE")])
    response = client.post("/ledger/payments/", {"file": SimpleUploadedFile("p.csv", content)})
    assert response.status_code == 200
    text = response.content.decode()
    assert "已导入 2 笔支付（已匹配 1，待匹配 1）" in text
    assert "指标编号不存在（尚未下达或导入）" in text
    assert Payment.objects.count() == 2

    refused_page = client.post(
        "/ledger/payments/", {"file": SimpleUploadedFile("q.csv", csv_bytes([row("P009", "5000.00")]))}
    )
    assert refused_page.status_code == 400
    assert "支付金额 5000.00 元超过指标 6542212025000001 的可用余额 990.00 元" in refused_page.content.decode()
    assert Payment.objects.count() == 2

    # Another county's user does not see 额敏县's waiting payment; a unit user cannot import.
    client.force_login(users["toli"])
    assert "NOPE" not in client.get("/ledger/payments/").content.decode()
    client.force_login(users["yibao"])
    forbidden = client.post("/ledger/payments/", {"file": SimpleUploadedFile("p.csv", content)})
    assert forbidden.status_code == 403


def test_sql_checked_and_python_parsed_rows_agree(users, ind):
    """PostgreSQL checks plain cells in SQL and re-parses the others in Python; SQLite parses every row in Python.

    The same file gives the same stored values and the same problems, in file order, on both databases.
    """
    from fundflow.ledger.models import Payment

    rows = [
        (" P001 ", "2025/3/1", "6542212025000001", "额敏县卫生健康委员会", "某医院", " 12.30 ", "", "", "", ""),
        ("", "", "", "", "", "", "", "", "", ""),  # a blank row: skipped, still counted in row numbers
        ("P002", "20250302", "6542212025000001", "额敏县卫生健康委员会", "", "+7.5", "", "", "", ""),
        ("P003", "2025-03-03", "6542212025000001", "额敏县卫生健康委员会", "", "１０", "", "", "", ""),
        ("P004", "2024-02-29", "6542212025000001", "额敏县卫生健康委员会", "", "-2.30", "P001", "", "", ""),
    ]
    report = do_import(users["emin"], rows)
    assert report.matched == 4
    stored = Payment.objects.order_by("pay_app_no").values_list("pay_app_no", "pay_date", "amount", "payee")
    assert [(n, d.isoformat(), a, p) for n, d, a, p in stored] == [
        ("P001", "2025-03-01", Decimal("12.30"), "某医院"),
        ("P002", "2025-03-02", Decimal("7.50"), ""),
        ("P003", "2025-03-03", Decimal("10.00"), ""),
        ("P004", "2024-02-29", Decimal("-2.30"), ""),
    ]
    bad = [
        row("Q001", "0"),
        row("Q002", "1.234"),
        row("Q003", "1.00", date="2025-02-29"),
        row("Q004", "1.00", bgt=""),
        row("Q005", "1.00", date="2025-3-1"),
    ]
    exc = refused(users["emin"], bad, "ledger.payment-field")
    assert [p.describe() for p in exc.problems] == [
        "文件 pay.csv 第 2 行 “金额”列：金额不能为 0",
        "文件 pay.csv 第 3 行 “金额”列：“1.234”超过两位小数（金额以元计，精确到分）",
        "文件 pay.csv 第 4 行 “支付日期”列：“2025-02-29”不是日期，应如 2021-03-01",
        "文件 pay.csv 第 5 行 “指标编号”列：不能为空",
    ]
