"""URL patterns of the 国库集中支付 pages (included from fundflow.ledger.urls)."""

from __future__ import annotations

from django.urls import path

from fundflow.ledger import views_payments

urlpatterns = [
    path("payments/", views_payments.payments_page, name="payments"),
]
