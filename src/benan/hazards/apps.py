from django.apps import AppConfig


class HazardsConfig(AppConfig):
    name = "benan.hazards"
    label = "hazards"
    verbose_name = "隐患排查治理"

    def ready(self) -> None:
        from benan.core.attachments import register_holder

        from .queries import attachments_visible_to

        register_holder(attachments_visible_to)
