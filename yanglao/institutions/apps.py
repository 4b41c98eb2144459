from django.apps import AppConfig


class InstitutionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "yanglao.institutions"
    verbose_name = "养老机构与综合监管"

    def ready(self) -> None:
        from yanglao.institutions import hooks

        hooks.connect()
