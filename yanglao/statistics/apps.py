from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "yanglao.statistics"
    label = "statistics"
    verbose_name = "统计监测与信息公开"

    def ready(self) -> None:
        from yanglao.people import selectors as people_selectors
        from yanglao.statistics import selectors

        people_selectors.register_home_figures(selectors.home_figures)
        people_selectors.register_region_counts(selectors.region_people)
