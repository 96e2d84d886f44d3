"""Admin site for emergency resources: read-only, because every write goes through services
(validation, scope, loop, audit); resources are registered and moved on the pages or the API."""

from django.contrib import admin

from benan.core.admin import ReadOnlyAdmin

from .models import Dispatch, DispatchOrder, Drill, Equipment, FollowUp, Loan, RescueTeam, Stock, Warehouse


@admin.register(RescueTeam)
class RescueTeamAdmin(ReadOnlyAdmin):
    list_display = ("name", "region", "kind", "members", "readiness")
    list_filter = ("kind", "readiness")
    search_fields = ("name",)


@admin.register(Warehouse)
class WarehouseAdmin(ReadOnlyAdmin):
    list_display = ("name", "region", "level", "is_pool")
    list_filter = ("level", "is_pool")
    search_fields = ("name",)


@admin.register(Stock)
class StockAdmin(ReadOnlyAdmin):
    list_display = ("warehouse", "item", "minimum")
    search_fields = ("warehouse__name", "item")


@admin.register(Equipment)
class EquipmentAdmin(ReadOnlyAdmin):
    list_display = ("serial", "item", "warehouse", "status", "next_maintenance")
    list_filter = ("status",)
    search_fields = ("serial", "model")


@admin.register(Loan)
class LoanAdmin(ReadOnlyAdmin):
    list_display = ("equipment", "borrower", "state", "expected_return")
    list_filter = ("state",)


@admin.register(Dispatch)
class DispatchAdmin(ReadOnlyAdmin):
    list_display = ("title", "origin", "region", "created_at")
    list_filter = ("origin",)


@admin.register(DispatchOrder)
class DispatchOrderAdmin(ReadOnlyAdmin):
    list_display = ("dispatch", "kind", "state", "distance_km", "sent_at")
    list_filter = ("kind", "state")


@admin.register(Drill)
class DrillAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "region", "planned_on", "state")
    list_filter = ("kind", "state")


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ("drill", "assignee", "due_date", "state")
    list_filter = ("state",)
