from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "yanglao.accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from yanglao.accounts import signals  # noqa: F401  (login audit receivers)
