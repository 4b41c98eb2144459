from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "yanglao.people"
    verbose_name = "老年人台账"
