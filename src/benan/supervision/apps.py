from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "benan.supervision"
    label = "supervision"
    verbose_name = "监管督办"

    def ready(self) -> None:
        from benan.core.attachments import register_holder

        from .assignment_queries import attachments_visible_to

        register_holder(attachments_visible_to)
