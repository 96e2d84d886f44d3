from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "benan.enforcement"
    label = "enforcement"
    verbose_name = "行政执法"

    def ready(self) -> None:
        from benan.core.attachments import register_holder

        from .queries import attachments_visible_to

        register_holder(attachments_visible_to)
