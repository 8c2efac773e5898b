"""Demo-only writes (``fundflow demo``): synthetic treasury payments so a newcomer sees spending progress move.

Not the payment import (that is ``fundflow payments import``): one payment at a time against an indicator held by
a budget unit, checked with the same balance rule, marked 用途 “演示数据（合成）” so nobody takes it for real data,
and idempotent by the payment's natural key (payer region, 支付凭证号).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from fundflow.core.ledger.balances import check_payment
from fundflow.ledger.models import Indicator, Payment
from fundflow.ledger.services import figures_of
from fundflow.platform.errors import ServiceError

SYNTHETIC = "演示数据（合成）"


@transaction.atomic
def synthetic_payment(
    *,
    indicator: Indicator,
    pay_app_no: str,
    amount: Decimal,
    pay_date: datetime.date,
    func_code: str = "",
    eco_code: str = "",
    payee: str = "演示收款人（合成）",
) -> Payment | None:
    """A marked synthetic payment from ``indicator`` (its holder pays); None when it exists already."""
    ind = Indicator.objects.select_for_update().get(pk=indicator.pk)
    if Payment.objects.filter(payer_region_id=ind.holder_region_id, pay_app_no=pay_app_no).exists():
        return None
    problems = check_payment(ind.bgt_id, figures_of(ind), amount)
    if problems:
        raise ServiceError("演示支付超过指标可用余额", problems)
    return Payment.objects.create(
        payer_region_id=ind.holder_region_id,
        pay_app_no=pay_app_no,
        pay_date=pay_date,
        fiscal_year=pay_date.year,
        indicator=ind,
        bgt_id=ind.bgt_id,
        agency_name=ind.rec_unit.name if ind.rec_unit else ind.holder_region.name,
        payee=payee,
        amount=amount,
        func_code=func_code or ind.exp_func_code,
        eco_code=eco_code or ind.gov_eco_code,
        use_des=SYNTHETIC,
    )
