from django.apps import AppConfig


class AllocationsConfig(AppConfig):
    name = "fundflow.allocations"
    verbose_name = "资金分配"
