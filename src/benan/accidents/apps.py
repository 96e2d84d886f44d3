from django.apps import AppConfig


class AccidentsConfig(AppConfig):
    name = "benan.accidents"
    label = "accidents"
    verbose_name = "生产安全事故"

    def ready(self) -> None:
        from benan.core.attachments import register_holder

        from .queries import attachments_visible_to

        register_holder(attachments_visible_to)
