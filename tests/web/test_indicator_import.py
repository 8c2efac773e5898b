"""`import_indicators` / `fundflow indicators import`: a 财政部 document received by the 自治区, re-issued to 塔城
and on to 额敏县 and its 医疗保障局 in one file; exact figures, whole-file refusals that write nothing, and a
second import of the same file as a reported no-op."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from fundflow.ledger.indicator_import import import_indicators
from fundflow.ledger.models import Document, DocumentSequence, ImportBatch, Indicator, Warning
from fundflow.ledger.reference import markers_load
from fundflow.ledger.warnings import warning_rules_load
from fundflow.platform.errors import ServiceError

HEADER = (
    "指标编号,上级指标编号,文号,发文日期,下达方,接收方,资金名称,项目名称,预算年度,金额,"
    "直达资金标识,收入科目,支出功能科目,经济科目,提前下达"
)
ROWS = [
    "Z001,CZB-1,财社〔2020〕80号,2020-10-30,中央,新疆维吾尔自治区,"
    "医疗救助补助资金,医疗救助,2021,100000000.00,01 中央直达资金,1100249,2101301,,是",
    "X001,Z001,新财社（2020）34 号,2020-11-20,650000,塔城地区,"
    "医疗救助补助资金,医疗救助,2021,3000000,01 中央直达资金,1100249,2101301,,是",
    "T001,X001,塔地财社〔2021〕5号,2021/1/8,塔城地区,额敏县,"
    "医疗救助补助资金,医疗救助,2021,1200000.50,01 中央直达资金,1100249,2101301,,否",
    "T002,X001,塔地财社〔2021〕5号,2021/1/8,塔城地区,托里县,"
    "医疗救助补助资金,医疗救助,2021,800000,01 中央直达资金,1100249,2101301,,否",
    "E001,T001,额财社〔2021〕2号,2021-02-01,654221,额敏县医疗保障局,"
    "医疗救助补助资金,医疗救助,2021,1000000,01 中央直达资金,1100249,2101301,30307,否",
]


def csv_bytes(rows, header=HEADER, encoding="utf-8"):
    return ("\n".join([header, *rows]) + "\n").encode(encoding)


@pytest.fixture
def ledger_ref(users):
    markers_load()
    warning_rules_load()
    return users


def snapshot():
    return (
        list(Document.objects.values_list("doc_no", flat=True).order_by("doc_no")),
        list(Indicator.objects.values_list("bgt_id", "amount").order_by("bgt_id")),
        list(DocumentSequence.objects.values_list("prefix", "year", "last_number").order_by("prefix", "year")),
        ImportBatch.objects.count(),
        Warning.objects.count(),
    )


def refused(rule, content, filename="ind.csv", user=None):
    before = snapshot()
    with pytest.raises(ServiceError) as exc:
        import_indicators(user=user, filename=filename, content=content)
    assert rule in [p.rule for p in exc.value.problems], exc.value.problems
    assert snapshot() == before
    return exc.value.problems


def test_import_chain_exact_figures_and_noop(ledger_ref):
    report = import_indicators(user=None, filename="ind.csv", content=csv_bytes(ROWS, encoding="gb18030"))
    assert (report.created, report.documents, report.unchanged) == (5, 4, 0)
    z, x, t1, t2, e = (Indicator.objects.get(bgt_id=b) for b in ("Z001", "X001", "T001", "T002", "E001"))
    assert (z.parent, z.ori_bgt_id, z.issuer.code, z.holder_region.code) == (None, "CZB-1", "650000", "650000")
    assert z.document.issuer_office == "财政部"
    assert z.document.kind == "external"
    assert x.cor_doc_no == "新财社〔2020〕34号"  # normalised
    assert (x.parent, x.sup_doc_no, x.advance) == (z, "财社〔2020〕80号", True)
    assert (t1.amount, t1.parent, t1.rec_region.name, t2.rec_region.name) == (
        Decimal("1200000.50"),
        x,
        "额敏县",
        "托里县",
    )
    assert t1.document == t2.document
    assert t1.document.doc_date == datetime.date(2021, 1, 8)
    assert (e.rec_unit.code, e.holder_region.code, e.gov_eco_code, e.status) == (
        "654221-YB",
        "654221",
        "30307",
        "received",
    )
    assert (e.marker_code, e.marker_name) == ("01", "中央直达资金")
    from fundflow.ledger.services import figures_of

    assert figures_of(x).available == Decimal("999999.50")
    assert figures_of(t1).available == Decimal("200000.50")
    assert DocumentSequence.objects.get(prefix="新财社", year=2020).last_number == 34

    before = snapshot()
    again = import_indicators(user=None, filename="ind.csv", content=csv_bytes(ROWS))
    assert again.noop
    assert again.unchanged == 5
    assert "未作改变" in again.describe()
    assert snapshot() == before


def test_xlsx_with_field_codes(ledger_ref):
    wb = Workbook()
    ws = wb.active
    ws.append(
        [
            "BGT_ID",
            "ORI_BGT_ID",
            "COR_BGT_DOC_NO",
            "DOC_DATE",
            "MOF_DIV_CODE",
            "REC_DIV_CODE",
            "资金名称",
            "PRO_NAME",
            "FISCAL_YEAR",
            "AMOUNT",
            "直达资金标识",
            "收入科目",
            "EXP_FUNC_CODE",
            "提前下达",
        ]
    )
    ws.append(
        [
            "X9",
            "",
            "新财社〔2021〕9号",
            datetime.date(2021, 3, 1),
            "650000",
            "654200",
            "就业补助资金",
            "",
            2021,
            12345.67,
            "",
            "",
            "2080701",
            "否",
        ]
    )
    buf = io.BytesIO()
    wb.save(buf)
    report = import_indicators(user=None, filename="ind.xlsx", content=buf.getvalue())
    assert report.created == 1
    ind = Indicator.objects.get(bgt_id="X9")
    assert (ind.amount, ind.rec_region.name, ind.marker_code, ind.document.doc_date) == (
        Decimal("12345.67"),
        "塔城地区",
        "",
        datetime.date(2021, 3, 1),
    )


def test_children_above_parent_refused_whole_file(ledger_ref):
    rows = [*ROWS[:3], ROWS[3].replace(",800000,", ",1800000,")]
    problems = refused("ledger.exceeds-available", csv_bytes(rows))
    [p] = [p for p in problems if p.rule == "ledger.exceeds-available"]
    assert "3000000.00" in p.message
    assert "ind.csv" in p.location.describe()


@pytest.mark.parametrize(
    ("rule", "row_index", "old", "new"),
    [
        ("ledger.fund-changed", 2, ",医疗救助补助资金,医疗救助,", ",就业补助资金,医疗救助,"),
        ("ledger.marker-changed", 2, ",01 中央直达资金,", ",,"),
        ("ledger.project-changed", 2, ",医疗救助,2021", ",城乡医疗救助,2021"),
        ("ledger.amount-not-positive", 2, ",1200000.50,", ",-5,"),
        ("ledger.import-unknown-party", 2, ",额敏县,", ",不存在县,"),
        ("ledger.import-unknown-marker", 2, ",01 中央直达资金,", ",07 乱写标识,"),
        ("ledger.import-not-below", 2, ",塔城地区,额敏县,", ",塔城地区,阿勒泰市,"),
        ("ledger.wrong-holder", 3, "T002,X001", "T002,T001"),
        ("ledger.doc-no-format", 2, "塔地财社〔2021〕5号", "塔地财社2021年5号"),
        ("input.not-date", 2, "2021/1/8", "2021年13月8日"),
        ("input.not-number", 2, ",1200000.50,", ",一百万,"),
        ("input.not-yes-no", 2, ",否", ",也许"),
        ("ledger.import-doc-conflict", 3, "2021/1/8", "2021/1/9"),
    ],
)
def test_rule_refusals_write_nothing(ledger_ref, rule, row_index, old, new):
    rows = list(ROWS)
    assert old in rows[row_index]
    rows[row_index] = rows[row_index].replace(old, new, 1)
    problems = refused(rule, csv_bytes(rows))
    hit = next(p for p in problems if p.rule == rule)
    assert hit.location.file == "ind.csv"
    assert hit.location.row == row_index + 2


def test_header_and_duplicate_refusals(ledger_ref):
    problems = refused("file.missing-column", csv_bytes(ROWS, header=HEADER.replace("金额", "数额")))
    assert "缺少“金额”列" in problems[0].message
    problems = refused("ledger.import-duplicate-id", csv_bytes([*ROWS, ROWS[4]]))
    assert problems[0].location.row == 7
    refused("file.type", b"x", filename="ind.txt")


def test_changed_row_is_never_overwritten(ledger_ref):
    import_indicators(user=None, filename="ind.csv", content=csv_bytes(ROWS))
    refused("ledger.duplicate-key", csv_bytes([*ROWS[:4], ROWS[4].replace(",1000000,", ",999999,")]))
    # the taken 文号 of another (issued, not imported) document cannot be borrowed
    Document.objects.filter(doc_no="额财社〔2021〕2号").update(kind="issue")
    refused("ledger.doc-no-taken", csv_bytes([ROWS[4].replace("E001", "E002")]))


def test_scope_of_a_user(ledger_ref):
    users = ledger_ref
    import_indicators(user=None, filename="ind.csv", content=csv_bytes(ROWS[:4]))
    report = import_indicators(user=users["emin"], filename="e.csv", content=csv_bytes([ROWS[4]]))
    assert report.created == 1
    refused(
        "ledger.import-out-of-scope",
        csv_bytes([ROWS[3].replace("T002", "T003").replace(",800000,", ",1,")]),
        user=users["emin"],
    )
    with pytest.raises(ServiceError):
        import_indicators(user=users["audit"], filename="e.csv", content=csv_bytes(ROWS))


def test_a_lower_region_cannot_import_a_document_in_the_name_of_an_upper_region_on_the_system(ledger_ref):
    """额敏县 may not put a top document "issued by" 塔城地区 into the books while 塔城 works in fundflow (it would
    add to 塔城's 上级下达 and 分配下级); a 中央 document, or one of an upper region not on the system, it may."""
    from fundflow.accounts.models import Profile

    users = ledger_ref
    forged = ROWS[2].replace("T001,X001", "T009,").replace(",1200000.50,", ",5000000,")
    refused("ledger.import-issuer-in-system", csv_bytes([forged]), user=users["emin"])
    central = "F001,,财社〔2020〕99号,2020-10-30,中央,额敏县," + ROWS[2].split(",", 6)[6]
    assert import_indicators(user=users["emin"], filename="c.csv", content=csv_bytes([central])).created == 1
    Profile.objects.filter(region__code="654200").delete()  # 塔城 not (yet) on the system
    assert import_indicators(user=users["emin"], filename="f.csv", content=csv_bytes([forged])).created == 1


def test_import_raises_identity_warning_for_late_parent(ledger_ref):
    """A child imported before its upper indicator, whose names differ: a warning once the upper one arrives."""
    child = ROWS[2].replace(",医疗救助,2021", ",城乡医疗救助,2021").replace("X001", "X777")
    import_indicators(user=None, filename="c.csv", content=csv_bytes([child]))
    report = import_indicators(user=None, filename="p.csv", content=csv_bytes([ROWS[1].replace("X001", "X777")]))
    # the identity warning on the child, and the new upper indicator's 2021 spending (none) behind in a later year
    assert report.warnings == 2
    assert Warning.objects.filter(rule_id="warn.spending-behind", details__subject="X777").exists()
    w = Warning.objects.get(rule_id="warn.identity-mismatch")
    assert (w.region.code, w.details["subject"], w.subject_kind) == ("654221", "T001", "indicator")
    assert "项目名称与上级指标不一致：上级为“医疗救助”，此处为“城乡医疗救助”" in w.message


def test_upload_page(ledger_ref, client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    users = ledger_ref
    url = reverse("ledger:indicator-import")
    client.force_login(users["audit"])
    assert client.get(url).status_code == 403
    client.force_login(users["yibao"])
    assert client.post(url, {"file": SimpleUploadedFile("i.csv", csv_bytes(ROWS))}).status_code == 403
    assert Indicator.objects.count() == 0

    client.force_login(users["region"])
    assert "BGT_ID" in client.get(url).content.decode()
    bad = [*ROWS[:2], ROWS[2].replace(",1200000.50,", ",abc,")]
    before = snapshot()
    resp = client.post(url, {"file": SimpleUploadedFile("指标.csv", csv_bytes(bad))})
    assert resp.status_code == 400
    page = resp.content.decode()
    assert "文件 指标.csv 第 4 行 “金额（第 10 列）”列" in page
    assert "应为数字，实为“abc”" in page
    assert snapshot() == before
    resp = client.post(url, {"file": SimpleUploadedFile("指标.csv", csv_bytes(ROWS))}, follow=True)
    assert "导入指标 5 条、文件 4 份" in resp.content.decode()
    resp = client.post(url, {"file": SimpleUploadedFile("指标.csv", csv_bytes(ROWS))}, follow=True)
    assert "5 行均已导入过，内容相同，未作改变" in resp.content.decode()
    # 额敏县 may not import 托里县's line
    client.force_login(users["emin"])
    row = ROWS[3].replace("T002", "T003").replace(",800000,", ",1,")
    resp = client.post(url, {"file": SimpleUploadedFile("e.csv", csv_bytes([row]))})
    assert resp.status_code == 400
    assert "不在您的管辖范围内" in resp.content.decode()
