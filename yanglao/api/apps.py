from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "yanglao.api"
    verbose_name = "接口"
