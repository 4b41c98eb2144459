from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "yanglao.regions"
    verbose_name = "行政区划"
