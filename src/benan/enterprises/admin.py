"""Admin site for the registry: read-only, because every write must go through services
(validation, scope, audit); registry changes are made on the pages or through the API."""

from django.contrib import admin

from benan.core import audit
from benan.core.admin import ReadOnlyAdmin

from .models import Enterprise, Park, StatusPeriod


class StatusPeriodInline(admin.TabularInline):
    model = StatusPeriod
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyAdmin):
    list_display = ("name", "uscc", "region", "sector", "scale")
    list_filter = ("sector", "scale")
    search_fields = ("name", "uscc")
    inlines = [StatusPeriodInline]


@admin.register(Park)
class ParkAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "region")
    list_filter = ("kind",)
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(
            request.user, "enterprises.park.changed" if change else "enterprises.park.created", obj,
            name=obj.name, kind=obj.kind, region=obj.region_id,
        )

    def has_delete_permission(self, request, obj=None):
        return False  # enterprises point at parks; a park is renamed, not removed
