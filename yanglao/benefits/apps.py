from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "yanglao.benefits"
    verbose_name = "基本养老服务与补贴"

    def ready(self) -> None:
        from yanglao.benefits import hooks

        hooks.connect()
