from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "benan.core"
    label = "core"
    verbose_name = "基础"
