"""Admin site for the checklists: read-only, because only `benan load_standards` writes them."""

from django.contrib import admin

from benan.core.admin import ReadOnlyAdmin

from .models import CriteriaStandard, Criterion


@admin.register(CriteriaStandard)
class CriteriaStandardAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "doc_no", "effective", "loaded_at")


@admin.register(Criterion)
class CriterionAdmin(ReadOnlyAdmin):
    list_display = ("id", "article", "item_no", "section", "verified", "kind", "retired")
    list_filter = ("standard", "verified", "kind", "retired")
    search_fields = ("id", "text")
