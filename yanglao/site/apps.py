from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top layer: what assembles every module (the demo loader)."""

    name = "yanglao.site"
    label = "yanglao_site"
    verbose_name = "平台"
