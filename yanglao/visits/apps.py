from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "yanglao.visits"
    verbose_name = "巡访关爱"

    def ready(self) -> None:
        from yanglao.visits import hooks

        hooks.connect()
