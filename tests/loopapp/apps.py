from django.apps import AppConfig


class LoopappConfig(AppConfig):
    name = "tests.loopapp"
    label = "loopapp"
