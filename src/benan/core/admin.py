"""Admin site for core: user management (audited); regions and the audit log read-only."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from . import audit
from .models import AuditEntry, Region, User


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "created_at", "actor_name", "action", "object_type", "object_id")
    list_filter = ("action",)
    search_fields = ("actor_name", "action", "object_id")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "last_name", "first_name", "role", "region", "enterprise", "is_active")
    list_filter = ("role", "is_active")
    raw_id_fields = ("enterprise",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("角色与数据范围", {"fields": ("role", "region", "enterprise", "phone")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("角色与数据范围", {"fields": ("role", "region", "enterprise")}),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Who may see what is a security decision: every account change is in the chain.
        audit.record(
            request.user, "core.user.changed" if change else "core.user.created", obj,
            role=obj.role, region=obj.region_id, enterprise=obj.enterprise_id,
            is_active=obj.is_active, changed_fields=sorted(form.changed_data),
        )
