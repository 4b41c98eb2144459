from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "yanglao.feedback"
    verbose_name = "意见建议反馈"
