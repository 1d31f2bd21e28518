"""Events in the admin: which reports were linked as one, by whom; written by services only.

Linking, unlinking and choosing the primary record are done on the incident's pages or the
API, through incidents.events.services, where the access rules apply; the admin lists the
events for superusers and agency administrators, scoped to the events with a report the
administrator's agency may see. Another agency's event answers 404.
"""

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from incidents.models import IncidentEvent
from protection import access
from protection.admin_services import AgencyAdminsReadOnlyModelAdmin, acting_user, is_superuser


@admin.register(IncidentEvent)
class IncidentEventAdmin(AgencyAdminsReadOnlyModelAdmin[IncidentEvent]):
    # Counts and dates only: which reports, and the primary record, are on the incident's
    # pages, where each viewer sees the reports of the event they may see.
    list_display = ("__str__", "report_count", "created_at")
    ordering = ("-id",)
    show_full_result_count = False
    fields = ("report_count", "created_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[IncidentEvent]:
        queryset = super().get_queryset(request).annotate(reports_count=Count("reports"))
        if is_superuser(request.user):
            return queryset
        visible = access.incidents_for(acting_user(request)).filter(event__isnull=False)
        return queryset.filter(pk__in=visible.values("event_id"))

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> IncidentEvent | None:
        # Another agency's event, or none at all: 404, not the admin's redirect to its index.
        found = super().get_object(request, object_id, from_field)
        if found is None:
            raise Http404
        return found

    @admin.display(description=_("reports"))
    def report_count(self, obj: IncidentEvent) -> int:
        return int(getattr(obj, "reports_count", 0))
