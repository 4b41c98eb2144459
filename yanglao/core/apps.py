from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "yanglao.core"
    verbose_name = "核心"
