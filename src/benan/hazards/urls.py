"""URLs of the hazard pages, mounted at /hazards/ under the namespace "hazards".

Each action of the loop posts to its own URL; the services link notifications to "hazards:detail".
"""

from django.urls import path

from . import views

app_name = "hazards"
urlpatterns = [
    path("", views.hazard_list, name="list"),
    path("ledger.xlsx", views.hazard_ledger, name="ledger"),
    path("report/", views.hazard_report, name="report"),
    path("listings/", views.listing_board, name="listings"),
    path("stats/", views.hazard_stats, name="stats"),
    path("<int:pk>/", views.hazard_detail, name="detail"),
    path("<int:pk>/confirm/", views.hazard_action, {"action": "confirm"}, name="confirm"),
    path("<int:pk>/dismiss/", views.hazard_action, {"action": "dismiss"}, name="dismiss"),
    path("<int:pk>/submit/", views.hazard_action, {"action": "submit"}, name="submit"),
    path("<int:pk>/verify/", views.hazard_action, {"action": "verify"}, name="verify"),
    path("<int:pk>/reject/", views.hazard_action, {"action": "reject"}, name="reject"),
    path("<int:pk>/list/", views.hazard_action, {"action": "list"}, name="list_hazard"),
    path("<int:pk>/delist/", views.hazard_action, {"action": "delist"}, name="delist_hazard"),
]
