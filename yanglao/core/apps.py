from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "yanglao.core"
    verbose_name = "核心"

    def ready(self) -> None:
        from yanglao.core import retention  # noqa: F401 (registers the retention check)
