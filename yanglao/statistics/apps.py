from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "yanglao.statistics"
    label = "statistics"
    verbose_name = "统计监测与信息公开"
