"""URLs of the power-alert pages, mounted at /power/ under the namespace "power".

Each action posts to its own URL; the scan's notifications link to /power/alerts/<pk>/.
"""

from django.urls import path

from . import views

app_name = "power"
urlpatterns = [
    path("", views.alert_queue, name="queue"),
    path("alerts/<int:pk>/", views.alert_detail, name="detail"),
    path("alerts/<int:pk>/assign/", views.alert_assign, name="assign"),
    path("alerts/<int:pk>/check/", views.alert_check, name="check"),
    path("alerts/<int:pk>/case/", views.alert_open_case, name="open_case"),
]
