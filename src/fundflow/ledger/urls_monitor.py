"""URLs of the 直达资金监控 and 指标追溯 pages (included from ``fundflow.ledger.urls``)."""

from django.urls import path

from fundflow.ledger import views_monitor

urlpatterns = [
    path("monitor/", views_monitor.monitor_page, name="monitor"),
    path("monitor/export/", views_monitor.monitor_export, name="monitor-export"),
    path("monitor/drill/", views_monitor.monitor_drill, name="monitor-drill"),
    path("trace/indicator/<int:pk>/", views_monitor.trace_indicator_page, name="trace-indicator"),
    path("trace/document/<int:pk>/", views_monitor.trace_document_page, name="trace-document"),
]
