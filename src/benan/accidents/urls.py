"""URLs of the accident pages, mounted at /accidents/ under the namespace "accidents".

Each action posts to its own URL; the services link notifications to "accidents:detail". The
published investigation reports ("accidents:published") need no login.
"""

from django.urls import path

from . import views

app_name = "accidents"
urlpatterns = [
    path("", views.accident_list, name="list"),
    path("report/", views.accident_report, name="report"),
    path("board/", views.reporting_board, name="board"),
    path("stats/", views.accident_stats, name="stats"),
    path("grade/", views.grade_calculator, name="grade"),
    path("accountability/", views.accountability_list, name="accountability"),
    path("measures/", views.measure_list, name="measures"),
    path("published/", views.published_reports, name="published"),
    path("published/<int:pk>/report", views.published_report_file, name="published_file"),
    path("<int:pk>/", views.accident_detail, name="detail"),
    path("<int:pk>/<str:action>/", views.accident_action, name="action"),
    path("steps/<int:pk>/acknowledge/", views.acknowledge_step, name="acknowledge"),
    path("investigations/<int:pk>/<str:action>/", views.investigation_action, name="investigation_action"),
    path("measures/<int:pk>/<str:action>/", views.measure_action, name="measure_action"),
]
