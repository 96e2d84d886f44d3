from django.apps import AppConfig


class PowerConfig(AppConfig):
    name = "benan.power"
    label = "power"
    verbose_name = "电力助应急"

    def ready(self) -> None:
        from benan.core.attachments import register_holder

        from .queries import attachments_visible_to

        register_holder(attachments_visible_to)
