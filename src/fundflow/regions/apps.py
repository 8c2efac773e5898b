from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "fundflow.regions"
    verbose_name = "行政区划与预算单位"
