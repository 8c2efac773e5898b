from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "fundflow.disclosure"
    label = "disclosure"
    verbose_name = "预算公开"
