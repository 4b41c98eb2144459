from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "yanglao.imports"
    label = "imports"
    verbose_name = "台账导入"
    default_auto_field = "django.db.models.BigAutoField"
