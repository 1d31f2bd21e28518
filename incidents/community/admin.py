"""The community reports in the admin: their flow, never what the sender wrote.

Reports are received and triaged by their services (incidents.community.services); the admin
lists them for superusers and agency administrators, by site, state and channel, scoped to the
sites the administrator's agency works in. The description and the contact stay in the triage
page, where reading them is logged.
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from incidents.models import CommunityReport
from protection import access
from protection.admin_services import AgencyAdminsReadOnlyModelAdmin, acting_user, is_superuser


@admin.register(CommunityReport)
class CommunityReportAdmin(AgencyAdminsReadOnlyModelAdmin[CommunityReport]):
    list_display = ("reference", "site", "kind", "channel", "state", "received_at", "incident")
    list_filter = ("state", "channel", "kind", ("site", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("site", "incident")
    search_fields = ("reference",)
    ordering = ("-id",)
    show_full_result_count = False
    fields = (
        "reference",
        "site",
        "kind",
        "occurred_on",
        "channel",
        "language",
        "state",
        "received_at",
        "triaged_at",
        "triaged_by",
        "incident",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[CommunityReport]:
        queryset = super().get_queryset(request)
        if is_superuser(request.user):
            return queryset
        return queryset.filter(site__in=access.sites_for(acting_user(request)).values("pk"))
