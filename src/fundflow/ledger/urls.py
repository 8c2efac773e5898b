"""The ledger's pages, mounted at /ledger/ (namespace ``ledger``); each part keeps its patterns in its own module
(documents, monitoring and trace, warnings and imports, payments)."""

from django.urls import include, path

app_name = "ledger"

urlpatterns = [
    path("", include("fundflow.ledger.urls_documents")),
    path("", include("fundflow.ledger.urls_monitor")),
    path("", include("fundflow.ledger.urls_imports")),
    path("", include("fundflow.ledger.urls_payments")),
]
