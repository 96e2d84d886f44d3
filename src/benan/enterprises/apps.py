from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "benan.enterprises"
    label = "enterprises"
    verbose_name = "企业"
