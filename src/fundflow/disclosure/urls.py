from django.urls import path

from fundflow.disclosure import views

app_name = "disclosure"

urlpatterns = [
    path("", views.budget_list, name="budget-list"),
    path("import/", views.budget_import, name="budget-import"),
    path("template.xlsx", views.template_download, name="template"),
    path("check/", views.check_page, name="check"),
    path("<int:pk>/", views.budget_detail, name="budget-detail"),
    path("<int:pk>/package.xlsx", views.package_xlsx, name="package-xlsx"),
    path("<int:pk>/package.docx", views.package_docx, name="package-docx"),
    path("<int:pk>/package.pdf", views.package_pdf, name="package-pdf"),
    path("<int:pk>/budget.xlsx", views.budget_xlsx, name="budget-xlsx"),
    path("<int:pk>/upload/", views.budget_upload, name="budget-upload"),
    path("<int:pk>/amounts/", views.amounts_save, name="budget-amounts"),
    path("<int:pk>/edit/", views.budget_edit, name="budget-edit"),
]
