"""The ledger's pages, mounted at ``/ledger/``; each part of the ledger keeps its patterns in its own module."""

from django.urls import include, path

app_name = "ledger"

urlpatterns = [
    path("", include("fundflow.ledger.urls_monitor")),
]
