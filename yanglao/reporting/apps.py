from django.apps import AppConfig


class ReportingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "yanglao.reporting"
    verbose_name = "部门数据报送"
