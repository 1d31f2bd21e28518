"""Drills in the admin: read-only, scoped to the administrator's agency.

A drill is started and ended in the app (incidents.drills.services), where its report is; the
admin lists drills for superusers and agency administrators, without a way around the service.
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from incidents.models import Drill
from protection.admin_services import AgencyAdminsReadOnlyModelAdmin, acting_user, is_superuser


@admin.register(Drill)
class DrillAdmin(AgencyAdminsReadOnlyModelAdmin[Drill]):
    list_display = ("reference", "agency", "site", "started_at", "ended_at")
    list_filter = (("site", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("agency", "site")
    search_fields = ("reference",)
    ordering = ("-id",)
    show_full_result_count = False
    fields = (
        "reference",
        "agency",
        "site",
        "scenario",
        "started_by",
        "started_at",
        "ended_by",
        "ended_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Drill]:
        queryset = super().get_queryset(request)
        if is_superuser(request.user):
            return queryset
        return queryset.filter(agency_id=acting_user(request).agency_id)
