from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "fundflow.ledger"
    label = "ledger"
    verbose_name = "指标账与直达资金监控"
