"""WSGI entry point for production servers (gunicorn, uwsgi)."""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benan.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402

if settings.SECRET_KEY_MISSING:
    raise ImproperlyConfigured("SECRET_KEY must be set unless DEBUG is on")
