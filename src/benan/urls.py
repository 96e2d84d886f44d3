"""URL map: pages at /, the API at /api/ (v1 under /api/v1/, docs at /api/docs), admin."""

from django.contrib import admin
from django.urls import include, path

from . import views
from .api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("benan.core.urls")),
    path("enterprises/", include("benan.enterprises.urls")),
    path("hazards/", include("benan.hazards.urls")),
    path("inspections/", include("benan.hazards.inspection_urls")),
    path("standards/", include("benan.standards.urls")),
    path("enforcement/", include("benan.enforcement.urls")),
    path("accidents/", include("benan.accidents.urls")),
    path("power/", include("benan.power.urls")),
    path("emergency/", include("benan.emergency.urls")),
    path("supervision/", include("benan.supervision.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
