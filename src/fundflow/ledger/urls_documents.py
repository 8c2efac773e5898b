"""URL patterns of the documents and indicators pages (included from fundflow.ledger.urls)."""

from django.urls import path

from fundflow.ledger import views_documents as views

urlpatterns = [
    path("documents/", views.document_list, name="document-list"),
    path("documents/<int:pk>/", views.document_detail, name="document-detail"),
    path("documents/<int:pk>/export.xlsx", views.document_export, name="document-export"),
    path("documents/<int:pk>/amend/", views.document_amend, name="document-amend"),
    path("plans/<int:pk>/issue/", views.plan_issue, name="plan-issue"),
    path("indicators/", views.indicator_list, name="indicator-list"),
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator-detail"),
    path("indicators/<int:pk>/receive/", views.indicator_receive, name="indicator-receive"),
    path("indicators/<int:pk>/reallocate/", views.indicator_reallocate, name="indicator-reallocate"),
]
