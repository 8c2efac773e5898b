from django.apps import AppConfig


class DisclosureWebConfig(AppConfig):
    name = "fundflow.disclosure_web"
    label = "disclosure_web"
    verbose_name = "预算公开"
