"""URLs of the supervision pages, mounted at /supervision/ under the namespace "supervision".

Each action posts to its own URL (`<str:action>`). The assignment services link notifications to
"supervision:assignment".
"""

from django.urls import path

from . import views

app_name = "supervision"
urlpatterns: list = [
    path("", views.dashboard, name="dashboard"),
    path("map/data/", views.map_data, name="map_data"),
    path("ranking/", views.ranking_page, name="ranking"),
    path("ranking/export/", views.ranking_export, name="ranking_export"),
    path("weekly/", views.weekly_page, name="weekly"),
    path("weekly/export/", views.weekly_export, name="weekly_export"),
    path("circular/", views.circular_page, name="circular"),
    path("circular/download/", views.circular_download, name="circular_download"),
    path("assignments/", views.assignment_list, name="assignments"),
    path("assignments/board/", views.assignment_board, name="assignment_board"),
    path("assignments/new/", views.assignment_new, name="assignment_new"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path("assignments/<int:pk>/<str:action>/", views.assignment_action, name="assignment_action"),
    path(
        "assignment-targets/<int:pk>/<str:action>/",
        views.target_action,
        name="assignment_target_action",
    ),
]
