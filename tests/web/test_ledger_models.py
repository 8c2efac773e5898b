"""Ledger schema: the migration applies (on SQLite and PostgreSQL), reference markers load idempotently, and the
database itself refuses rows the services would never write (wrong sign, duplicate keys)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction


@pytest.fixture
def document(reference):
    from fundflow.ledger.models import Document
    from fundflow.regions.models import Region

    return Document.objects.create(
        issuer=Region.objects.get(code="650000"),
        doc_no="新财社〔2020〕34号",
        prefix="新财社",
        year=2020,
        number=34,
        title="关于提前下达2021年中央财政医疗救助补助资金预算的通知",
        doc_date=datetime.date(2020, 11, 20),
        budget_year=2021,
        advance=True,
        fiscal_year=2021,
    )


def _indicator(document, **kw):
    from fundflow.ledger.models import Indicator
    from fundflow.regions.models import Region

    tacheng = Region.objects.get(code="654200")
    values = {
        "bgt_id": "650000202100000001",
        "fiscal_year": 2021,
        "document": document,
        "cor_doc_no": document.doc_no,
        "issuer": document.issuer,
        "rec_region": tacheng,
        "holder_region": tacheng,
        "fund": "医疗救助补助资金",
        "amount": Decimal("33820000.00"),
    }
    values.update(kw)
    return Indicator.objects.create(**values)


def test_markers_load_is_idempotent(db):
    from fundflow.ledger.models import DirectFundMarker
    from fundflow.ledger.reference import markers_load

    first = markers_load()
    second = markers_load()
    assert (first.created, first.updated, first.unchanged) == (4, 0, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 4)
    assert set(DirectFundMarker.objects.values_list("code", "name")) == {
        ("01", "中央直达资金"),
        ("02", "中央参照直达资金"),
        ("01", "自治区直达资金"),
        ("09", "其他"),
    }


def test_indicator_round_trips_exact_money_and_history(document):
    ind = _indicator(document, amount=Decimal("1017820000.00"))
    ind.refresh_from_db()
    assert ind.amount == Decimal("1017820000.00")
    assert ind.status == "pending"
    assert ind.history.count() == 1


def test_normal_indicator_must_be_positive(document):
    with pytest.raises(IntegrityError), transaction.atomic():
        _indicator(document, amount=Decimal("-1.00"))


def test_reduction_must_be_negative_and_name_its_target(document):
    target = _indicator(document)
    with pytest.raises(IntegrityError), transaction.atomic():
        _indicator(document, bgt_id="X2", kind="reduction", amount=Decimal("-5.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        _indicator(document, bgt_id="X3", kind="reduction", amount=Decimal("5.00"), reduces=target)
    assert _indicator(document, bgt_id="X4", kind="reduction", amount=Decimal("-5.00"), reduces=target).pk


def test_document_number_is_unique(document):
    from fundflow.ledger.models import Document

    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(
            issuer=document.issuer,
            doc_no=document.doc_no,
            title="重复",
            doc_date=document.doc_date,
            budget_year=2021,
            fiscal_year=2021,
        )


def test_payment_natural_key_is_unique(document):
    from fundflow.ledger.models import Payment

    ind = _indicator(document)
    row = {
        "payer_region": ind.holder_region,
        "pay_app_no": "ZF001",
        "pay_date": datetime.date(2021, 3, 1),
        "fiscal_year": 2021,
        "indicator": ind,
        "bgt_id": ind.bgt_id,
        "agency_name": "塔城地区医疗保障局",
        "amount": Decimal("100.00"),
    }
    Payment.objects.create(**row)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(**row)
