"""System checks: refuse to serve without a SECRET_KEY unless DEBUG is on."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def secret_key_is_set(app_configs, **kwargs):
    if not settings.SECRET_KEY_MISSING:
        return []
    return [
        Error(
            "SECRET_KEY 未设置：生产环境必须设置环境变量 SECRET_KEY（开发演示可设置 DEBUG=1）",
            id="benan.E001",
        )
    ]
