"""URLs of the ledger pages (namespace ``ledger``, mounted at /ledger/); each part has its own module."""

from __future__ import annotations

from django.urls import include, path

app_name = "ledger"
urlpatterns = [
    path("", include("fundflow.ledger.urls_payments")),
]
