"""URLs of the checklist pages, mounted at /standards/ under the namespace "standards"."""

from django.urls import path

from . import views

app_name = "standards"
urlpatterns = [
    path("", views.standard_list, name="list"),
    # The standard's id is its primary key (a slug such as gongmao-2023).
    path("<slug:pk>/", views.standard_detail, name="detail"),
]
