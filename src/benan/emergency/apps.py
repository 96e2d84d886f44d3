from django.apps import AppConfig


class EmergencyConfig(AppConfig):
    name = "benan.emergency"
    label = "emergency"
    verbose_name = "应急资源与调度"
