"""Every non-trivial read of incidents, starting from the access policy.

`incident_view_for` is the one place that decides what of an incident a user sees: the policy
chooses the full or the anonymised representation, and pages, the API and webhook payloads all
render one of these two, never the model directly. It also logs the read (protection.reads):
the incidents shown and the registered victims a full view names, in one insert. The alerts a
user received are incidents.alerts.selectors; an incident's timeline is
incidents.reporting.timeline.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from cases.models import DisplacedPerson, ProtectionCase
from incidents.filters import IncidentFilter
from incidents.models import (
    Incident,
    IncidentVictim,
)
from incidents.representations import (
    FullIncident,
    IncidentView,
    anonymised_values,
    incident_anonymised,
)
from protection import access
from protection.models import AccessPurpose
from protection.notifications.models import DeliveryChannel, WebhookEvent
from protection.notifications.selectors import webhook_subscriptions_matching
from protection.notifications.services.outbox import Recipient
from protection.reads import log_read, page_read

if TYPE_CHECKING:
    from protection.accounts.models import User

PageT = TypeVar("PageT")

# Lists and the map read these relations for every row.
_LIST_RELATED = ("incident_type", "site")


def incident_list(*, user: "User", filters: dict[str, Any] | None = None) -> QuerySet[Incident]:
    """Return the incidents the user may see, filtered, newest first."""
    queryset = access.incidents_for(user).select_related(*_LIST_RELATED).order_by("-id")
    if filters:
        filterset = IncidentFilter(filters, queryset=queryset)
        return filterset.qs if filterset.is_valid() else queryset.none()
    return queryset


def incident_page(
    *,
    user: "User",
    incidents: QuerySet[Incident],
    paginate: Callable[[QuerySet[Incident]], PageT],
    purpose: str = AccessPurpose.LIST,
) -> PageT:
    """Return the page of `incidents` (from incident_list) and log each incident on it.

    For a page that shows the incidents' anonymised fields; a page of views is
    `incident_views_for`, which also logs the victims a full view names.
    """
    return page_read(
        incidents, user=user, paginate=paginate, shown=lambda rows: rows, purpose=purpose
    )


def incident_get(*, user: "User", pk: int) -> Incident:
    """Return one incident the user may see, with what its detail needs, or 404."""
    queryset = access.incidents_for(user).select_related(
        "incident_type", "site", "perpetrator_category", "reported_by", "reporting_agency"
    )
    return get_object_or_404(queryset, pk=pk)


def incident_views_for(
    *, user: "User", incidents: list[Incident], purpose: str = AccessPurpose.DETAIL
) -> list[IncidentView]:
    """Return the representation of each incident the access policy allows this user.

    The caller found the incidents through `incident_get` or `incident_list`. A full view
    lists only the victims and the linked case the user may see; the victims and cases of a
    whole page are read in two queries. The incidents and the victims shown are logged with
    `purpose`, in one insert.
    """
    full = [incident for incident in incidents if access.incident_detail_allowed(user, incident)]
    victims: dict[int, list[DisplacedPerson]] = {incident.pk: [] for incident in full}
    cases: dict[int, ProtectionCase] = {}
    if full:
        links = (
            IncidentVictim.objects.filter(
                incident__in=[i.pk for i in full],
                person__in=access.people_for(user).values("pk"),
            )
            .select_related("person")
            .order_by("id")
        )
        for link in links:
            victims[link.incident_id].append(link.person)
        case_ids = {i.linked_case_id for i in full if i.linked_case_id is not None}
        if case_ids:
            cases = access.cases_for(user).in_bulk(case_ids)
    views: list[IncidentView] = []
    for incident in incidents:
        if incident.pk not in victims:
            views.append(incident_anonymised(incident))
            continue
        views.append(
            FullIncident(
                **anonymised_values(incident),
                occurred_at=incident.occurred_at,
                occurred_precision=incident.occurred_precision,
                reported_at=incident.reported_at,
                latitude=incident.latitude,
                longitude=incident.longitude,
                admin1=incident.admin1,
                admin2=incident.admin2,
                location_detail=incident.location_detail,
                victims=victims[incident.pk],
                perpetrator_category=incident.perpetrator_category,
                source=incident.source,
                description=incident.description,
                actions_taken=incident.actions_taken,
                reported_by=incident.reported_by,
                reporting_agency=incident.reporting_agency,
                # A case is shown only to who may open it (a confidential one to its worker).
                linked_case=cases.get(incident.linked_case_id) if incident.linked_case_id else None,
            )
        )
    shown_victims = [person for pk in victims for person in victims[pk]]
    log_read(user=user, objects=[*incidents, *shown_victims], purpose=purpose)
    return views


def incident_view_for(
    *, user: "User", incident: Incident, purpose: str = AccessPurpose.DETAIL
) -> IncidentView:
    """Return the representation of one incident the access policy allows this user; log it."""
    return incident_views_for(user=user, incidents=[incident], purpose=purpose)[0]


def incident_webhook_recipients(incident: Incident) -> list[Recipient]:
    """Return the subscriptions told that an incident was reported: agencies that may see it."""
    agencies = {incident.reporting_agency_id}
    if incident.site is not None:
        agencies.add(incident.site.managing_agency_id)
        agencies.update(incident.site.operating_agencies.values_list("pk", flat=True))
    return [
        Recipient(channel=DeliveryChannel.WEBHOOK, subscription=subscription)
        for subscription in webhook_subscriptions_matching(
            event=WebhookEvent.INCIDENT_REPORTED, site=incident.site, agencies=sorted(agencies)
        )
    ]
