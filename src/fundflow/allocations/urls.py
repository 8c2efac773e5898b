from django.urls import path

from fundflow.allocations import views

app_name = "allocations"

urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    path("new/", views.plan_create, name="plan-create"),
    path("<int:pk>/", views.plan_detail, name="plan-detail"),
    path("<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("<int:pk>/template.xlsx", views.template_download, name="plan-template"),
    path("<int:pk>/upload/", views.upload, name="plan-upload"),
    path("<int:pk>/inputs/", views.inputs_save, name="plan-inputs"),
    path("<int:pk>/recipients/add/", views.recipient_add, name="plan-recipient-add"),
    path("<int:pk>/adjustments/", views.adjustments_save, name="plan-adjustments"),
    path("<int:pk>/compute/", views.compute, name="plan-compute"),
    path("<int:pk>/approve/", views.approve, name="plan-approve"),
    path("<int:pk>/export.xlsx", views.export_xlsx, name="plan-export"),
    path("<int:pk>/explain/", views.explain, name="plan-explain"),
]
