"""Admin for the registry's reference lists: displacement statuses and specific needs.

People and households are not edited here: their writes go through cases.registry.services
(the pages and the API), which check the agency, validate and audit.
"""

from django.contrib import admin

from cases.models import DisplacementStatus, SpecificNeed, SpecificNeedCategory
from protection.admin import ReferenceItemAdmin


@admin.register(DisplacementStatus)
class DisplacementStatusAdmin(ReferenceItemAdmin):
    """UNHCR population types."""


@admin.register(SpecificNeedCategory)
class SpecificNeedCategoryAdmin(ReferenceItemAdmin):
    """UNHCR specific-needs categories."""


@admin.register(SpecificNeed)
class SpecificNeedAdmin(ReferenceItemAdmin):
    """UNHCR specific-needs codes; the category is fixed with the code (age rules read it)."""

    list_display = ("code", "name", "name_fr", "name_ar", "category", "active", "sort_order")
    list_filter = ("active", "category")
    list_select_related = ("category",)
    fields = ("code", "category", "name", "name_fr", "name_ar", "active", "sort_order")
