"""Admin for sites, site types and countries; population snapshots are read-only."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from camps.models import Country, PopulationSnapshot, Site, SiteType
from protection.admin import AuditedModelAdmin, ReferenceItemAdmin


@admin.register(SiteType)
class SiteTypeAdmin(ReferenceItemAdmin):
    """Planned camp, collective centre, PoC site, ..."""


@admin.register(Country)
class CountryAdmin(ReferenceItemAdmin):
    """Countries by ISO code; both codes are fixed once created."""

    list_display = ("code", "alpha2", "name", "name_fr", "name_ar", "active")
    search_fields = ("code", "alpha2", "name", "name_fr", "name_ar")
    fields = ("code", "alpha2", "name", "name_fr", "name_ar", "active", "sort_order")
    stable_fields = ("code", "alpha2")
    ordering = ("name",)


@admin.register(Site)
class SiteAdmin(AuditedModelAdmin):
    """Sites with their managing and operating agencies; changes are audited field by field."""

    list_display = (
        "name",
        "code",
        "site_type",
        "country",
        "admin1",
        "status",
        "capacity",
        "managing_agency",
    )
    list_filter = (
        "status",
        "site_type",
        ("country", admin.RelatedOnlyFieldListFilter),
        ("managing_agency", admin.RelatedOnlyFieldListFilter),
        ("operating_agencies", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("name", "code", "admin1", "admin2")
    list_select_related = ("site_type", "country", "managing_agency")
    filter_horizontal = ("operating_agencies",)
    ordering = ("name",)
    fieldsets = (
        (None, {"fields": ("name", "code", "site_type", "status", "capacity", "opened_on")}),
        (_("Location"), {"fields": ("country", "admin1", "admin2", "latitude", "longitude")}),
        (_("Agencies"), {"fields": ("managing_agency", "operating_agencies")}),
    )


@admin.register(PopulationSnapshot)
class PopulationSnapshotAdmin(admin.ModelAdmin):
    """Daily population figures taken by the beat task; nobody edits them by hand."""

    list_display = ("site", "taken_on", "individuals", "households", "taken_at")
    list_filter = (("site", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("site",)
    date_hierarchy = "taken_on"
    ordering = ("-taken_on", "site__name")
    fields = ("site", "taken_on", "individuals", "households", "breakdown", "taken_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
