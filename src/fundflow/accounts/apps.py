from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fundflow.accounts"
    verbose_name = "用户与角色"

    def ready(self) -> None:
        from fundflow.accounts import signals  # noqa: F401  (connects the login audit receivers)
