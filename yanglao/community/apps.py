from django.apps import AppConfig


class CommunityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "yanglao.community"
    verbose_name = "社区居家养老服务"

    def ready(self) -> None:
        from yanglao.community import hooks, hooks_programmes

        hooks.connect()
        hooks_programmes.connect()
