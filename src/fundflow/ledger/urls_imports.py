"""URL patterns of the warnings and import pages (included from ``fundflow.ledger.urls``)."""

from django.urls import path

from fundflow.ledger import views_imports, views_warnings

urlpatterns = [
    path("warnings/", views_warnings.warning_list, name="warning-list"),
    path("warnings/evaluate/", views_warnings.warning_evaluate, name="warning-evaluate"),
    path("warnings/<int:pk>/handle/", views_warnings.warning_handle, name="warning-handle"),
    path("indicators/import/", views_imports.indicator_import, name="indicator-import"),
]
