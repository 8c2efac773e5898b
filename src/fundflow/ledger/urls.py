"""The ledger's pages: one include per module (documents, payments, monitoring, warnings and imports)."""

from django.urls import include, path

app_name = "ledger"

urlpatterns = [
    path("", include("fundflow.ledger.urls_l4")),
]
