"""URLs of the inspection pages, mounted at /inspections/ under the namespace "inspections"."""

from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("new/", views.inspection_new, name="new"),
    path("self/", views.inspection_self, name="self"),
    path("<int:pk>/", views.inspection_detail, name="detail"),
    path("<int:pk>/publish/", views.inspection_publish, name="publish"),
]
