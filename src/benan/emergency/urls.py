"""URLs of the emergency pages, mounted at /emergency/ under the namespace "emergency".

The map is the front page; each object has its page and each action posts to its own URL
(`<str:action>` where one form family shares a view). The services link notifications to
"emergency:pool", "emergency:dispatch" and "emergency:drill".
"""

from django.urls import path

from . import views

app_name = "emergency"
urlpatterns = [
    path("", views.map_page, name="map"),
    path("map/data/", views.map_data, name="map_data"),
    path("map/nearest/", views.nearest, name="nearest"),
    path("map/dispatch/", views.map_dispatch, name="map_dispatch"),
    path("teams/", views.team_list, name="teams"),
    path("teams/new/", views.team_new, name="team_new"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("teams/<int:pk>/edit/", views.team_edit, name="team_edit"),
    path("teams/<int:pk>/<str:action>/", views.team_action, name="team_action"),
    path("warehouses/", views.warehouse_list, name="warehouses"),
    path("warehouses/new/", views.warehouse_new, name="warehouse_new"),
    path("warehouses/<int:pk>/", views.warehouse_detail, name="warehouse"),
    path("warehouses/<int:pk>/edit/", views.warehouse_edit, name="warehouse_edit"),
    path("warehouses/<int:pk>/receive/", views.warehouse_receive, name="warehouse_receive"),
    path("stocks/<int:pk>/minimum/", views.stock_minimum, name="stock_minimum"),
    path("batches/<int:pk>/write-off/", views.batch_write_off, name="batch_write_off"),
    path("stock-alerts/", views.stock_alerts, name="stock_alerts"),
    path("equipment/", views.equipment_list, name="equipment_list"),
    path("equipment/new/", views.equipment_new, name="equipment_new"),
    path("equipment/<int:pk>/", views.equipment_detail, name="equipment"),
    path("equipment/<int:pk>/<str:action>/", views.equipment_action, name="equipment_action"),
    path("pool/", views.pool_board, name="pool"),
    path("dispatches/", views.dispatch_list, name="dispatches"),
    path("dispatches/<int:pk>/", views.dispatch_detail, name="dispatch"),
    path("dispatches/<int:pk>/orders/", views.dispatch_orders, name="dispatch_orders"),
    path("orders/<int:pk>/<str:action>/", views.order_action, name="order_action"),
    path("drills/", views.drill_list, name="drills"),
    path("drills/new/", views.drill_new, name="drill_new"),
    path("drills/<int:pk>/", views.drill_detail, name="drill"),
    path("drills/<int:pk>/<str:action>/", views.drill_action, name="drill_action"),
    path("follow-ups/<int:pk>/<str:action>/", views.follow_up_action, name="follow_up_action"),
]
