"""Every non-trivial read of incidents, starting from the access policy.

`incident_view_for` is the one place that decides what of an incident a user sees: the policy
chooses the full or the anonymised representation, and pages, the API and webhook payloads all
render one of these two, never the model directly. It also logs the read (protection.reads):
the incidents shown and the registered victims a full view names, in one insert. The alerts a
user received are incidents.alerts.selectors; an incident's timeline is
incidents.reporting.timeline.
"""

import datetime
import decimal
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from camps.models import Site
from cases.models import DisplacedPerson, ProtectionCase
from incidents.filters import IncidentFilter
from incidents.models import (
    Incident,
    IncidentStatus,
    IncidentType,
    IncidentVictim,
    InformationSource,
    PerpetratorCategory,
    Severity,
    Verification,
)
from partners.models import PartnerAgency
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


@dataclass(frozen=True)
class VictimCounts:
    female_children: int
    male_children: int
    female_adults: int
    male_adults: int
    sex_or_age_unknown: int

    @property
    def total(self) -> int:
        return (
            self.female_children
            + self.male_children
            + self.female_adults
            + self.male_adults
            + self.sex_or_age_unknown
        )


@dataclass(frozen=True)
class AnonymisedIncident:
    """What anyone who may see an incident sees: nothing that could identify a victim."""

    full: ClassVar[bool] = False

    pk: int
    reference: str
    incident_type: IncidentType
    severity: int
    occurred_on: datetime.date
    site: Site | None
    counts: VictimCounts
    involves_children: bool
    verification: str
    status: str
    reported_on: datetime.date

    @property
    def severity_label(self) -> str:
        return str(Severity(self.severity).label)

    @property
    def verification_label(self) -> str:
        return str(Verification(self.verification).label)

    @property
    def status_label(self) -> str:
        return str(IncidentStatus(self.status).label)

    def as_data(self) -> dict[str, Any]:
        """Return the representation as plain JSON-ready values (webhooks, exports)."""
        return {
            "id": self.pk,
            "reference": self.reference,
            "type": self.incident_type.code,
            "type_name": self.incident_type.name,
            "taxonomy": self.incident_type.taxonomy,
            "severity": self.severity,
            "occurred_on": self.occurred_on.isoformat(),
            "site": {"id": self.site.pk, "code": self.site.code, "name": self.site.name}
            if self.site is not None
            else None,
            "victims": {**asdict(self.counts), "total": self.counts.total},
            "involves_children": self.involves_children,
            "verification": self.verification,
            "status": self.status,
            "reported_on": self.reported_on.isoformat(),
            "anonymised": True,
        }


@dataclass(frozen=True)
class FullIncident(AnonymisedIncident):
    """Everything recorded, for the reporting agency's staff allowed to see it."""

    full: ClassVar[bool] = True

    occurred_at: datetime.datetime = field(kw_only=True)
    occurred_precision: str = field(kw_only=True)
    reported_at: datetime.datetime = field(kw_only=True)
    latitude: decimal.Decimal | None = field(kw_only=True)
    longitude: decimal.Decimal | None = field(kw_only=True)
    admin1: str = field(kw_only=True)
    admin2: str = field(kw_only=True)
    location_detail: str = field(kw_only=True)
    victims: list[DisplacedPerson] = field(kw_only=True)
    perpetrator_category: PerpetratorCategory = field(kw_only=True)
    source: str = field(kw_only=True)
    description: str = field(kw_only=True)
    actions_taken: str = field(kw_only=True)
    reported_by: "User" = field(kw_only=True)
    reporting_agency: PartnerAgency = field(kw_only=True)
    linked_case: ProtectionCase | None = field(kw_only=True)

    @property
    def source_label(self) -> str:
        return str(InformationSource(self.source).label)


IncidentView = AnonymisedIncident | FullIncident


def _local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def _anonymised_values(incident: Incident) -> dict[str, Any]:
    return {
        "pk": incident.pk,
        "reference": incident.reference,
        "incident_type": incident.incident_type,
        "severity": incident.severity,
        "occurred_on": _local_date(incident.occurred_at),
        "site": incident.site,
        "counts": VictimCounts(
            female_children=incident.female_children,
            male_children=incident.male_children,
            female_adults=incident.female_adults,
            male_adults=incident.male_adults,
            sex_or_age_unknown=incident.sex_or_age_unknown,
        ),
        "involves_children": incident.involves_children,
        "verification": incident.verification,
        "status": incident.status,
        "reported_on": _local_date(incident.reported_at),
    }


def incident_anonymised(incident: Incident) -> AnonymisedIncident:
    """Return the anonymised representation, whoever asks (webhooks, alerts, partners)."""
    return AnonymisedIncident(**_anonymised_values(incident))


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
                **_anonymised_values(incident),
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
