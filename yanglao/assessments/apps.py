from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "yanglao.assessments"
    verbose_name = "能力评估"
