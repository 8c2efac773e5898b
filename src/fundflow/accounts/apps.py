from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fundflow.accounts"
    verbose_name = "用户与角色"
