"""URLs of the enterprise pages, mounted at /enterprises/ under the namespace "enterprises"."""

from django.urls import path

from . import views

app_name = "enterprises"
urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("new/", views.enterprise_create, name="create"),
    path("validate/", views.validate_field, name="validate"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="edit"),
    path("<int:pk>/status/", views.change_status, name="change_status"),
]
