"""Every non-trivial read of incidents and alerts, starting from the access policy.

`incident_view_for` is the one place that decides what of an incident a user sees: the policy
chooses the full or the anonymised representation, and pages, the API and webhook payloads all
render one of these two, never the model directly. It also logs the read (protection.reads):
the incidents shown and the registered victims a full view names, in one insert.
"""

import datetime
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, TypeVar

from django.db.models import BigIntegerField, Prefetch, Q, QuerySet
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404
from django.utils import timezone

from camps.models import Site
from incidents.filters import AlertFilter, IncidentFilter
from incidents.models import (
    Alert,
    AlertStatus,
    EscalationPolicy,
    EscalationTier,
    Incident,
    IncidentStatus,
    IncidentType,
    IncidentVictim,
    InformationSource,
    PolicyTrigger,
    RecipientKind,
    Severity,
    TierRecipient,
    Verification,
)
from protection import access
from protection.accounts.models import Role, User
from protection.audit import object_type_of
from protection.models import AccessPurpose, AuditEvent
from protection.notifications.models import Delivery, DeliveryChannel, WebhookEvent
from protection.notifications.selectors import webhook_subscriptions_matching
from protection.notifications.services.outbox import Recipient
from protection.reads import log_read, page_read

PageT = TypeVar("PageT")

# Lists and the map read these relations for every row.
_LIST_RELATED = ("incident_type", "site")


def incident_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Incident]:
    """Return the incidents the user may see, filtered, newest first."""
    queryset = access.incidents_for(user).select_related(*_LIST_RELATED).order_by("-id")
    if filters:
        filterset = IncidentFilter(filters, queryset=queryset)
        return filterset.qs if filterset.is_valid() else queryset.none()
    return queryset


def incident_page(
    *,
    user: Any,
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


def incident_get(*, user: Any, pk: int) -> Incident:
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
    latitude: Any = field(kw_only=True)
    longitude: Any = field(kw_only=True)
    admin1: str = field(kw_only=True)
    admin2: str = field(kw_only=True)
    location_detail: str = field(kw_only=True)
    victims: list[Any] = field(kw_only=True)
    perpetrator_category: Any = field(kw_only=True)
    source: str = field(kw_only=True)
    description: str = field(kw_only=True)
    actions_taken: str = field(kw_only=True)
    reported_by: Any = field(kw_only=True)
    reporting_agency: Any = field(kw_only=True)
    linked_case: Any = field(kw_only=True)

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
    *, user: Any, incidents: list[Incident], purpose: str = AccessPurpose.DETAIL
) -> list[IncidentView]:
    """Return the representation of each incident the access policy allows this user.

    The caller found the incidents through `incident_get` or `incident_list`. A full view
    lists only the victims and the linked case the user may see; the victims and cases of a
    whole page are read in two queries. The incidents and the victims shown are logged with
    `purpose`, in one insert.
    """
    full = [incident for incident in incidents if access.incident_detail_allowed(user, incident)]
    victims: dict[int, list[Any]] = {incident.pk: [] for incident in full}
    cases: dict[int, Any] = {}
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
    *, user: Any, incident: Incident, purpose: str = AccessPurpose.DETAIL
) -> IncidentView:
    """Return the representation of one incident the access policy allows this user; log it."""
    return incident_views_for(user=user, incidents=[incident], purpose=purpose)[0]


# Escalation policies and their recipients.


def policy_matches(
    policy: EscalationPolicy, *, type_id: int | None, severity: int, site_id: int | None
) -> bool:
    """Return whether an incident of this type, severity and site falls under the policy.

    An empty list of types or sites matches every type or site; an incident without a site
    (coordinates only) matches only policies that name no sites. Read the policy with its
    types and sites prefetched.
    """
    if not policy.active or severity < policy.minimum_severity:
        return False
    type_ids = {t.pk for t in policy.incident_types.all()}
    if type_ids and type_id not in type_ids:
        return False
    site_ids = {s.pk for s in policy.sites.all()}
    return not site_ids or site_id in site_ids


def policies_matching(
    *, trigger: str, type_id: int | None, severity: int, site_id: int | None
) -> list[EscalationPolicy]:
    """Return the active policies for this trigger that match, with their tiers, by id."""
    tiers = EscalationTier.objects.order_by("level")
    candidates = (
        EscalationPolicy.objects.filter(active=True, trigger=trigger)
        .prefetch_related("incident_types", "sites", Prefetch("tiers", queryset=tiers))
        .order_by("id")
    )
    if trigger == PolicyTrigger.EARLY_WARNING:
        # Early warnings have no type; the policy's sites and nothing else decide.
        return [
            p
            for p in candidates
            if not {s.pk for s in p.sites.all()} or site_id in {s.pk for s in p.sites.all()}
        ]
    return [
        p
        for p in candidates
        if policy_matches(p, type_id=type_id, severity=severity, site_id=site_id)
    ]


# Roles that act on an alert when a whole agency is told; partner systems get webhooks instead.
_AGENCY_WIDE_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.PROTECTION_OFFICER, Role.CASE_WORKER)


def tier_users(tier: EscalationTier) -> list[User]:
    """Return the active users a tier names, each once, in a stable order."""
    members = Q(pk__in=[])
    for recipient in TierRecipient.objects.filter(tier=tier):
        if recipient.kind == RecipientKind.USER:
            members |= Q(pk=recipient.user_id)
        elif recipient.kind == RecipientKind.ROLE:
            members |= Q(agency_id=recipient.agency_id, role=recipient.role)
        else:
            members |= Q(agency_id=recipient.agency_id, role__in=_AGENCY_WIDE_ROLES)
    return list(
        User.objects.filter(members, is_active=True)
        .filter(Q(agency__isnull=True) | Q(agency__active=True))
        .order_by("id")
    )


def tier_agencies(tier: EscalationTier) -> list[int]:
    """Return the ids of the agencies a tier names by role or as a whole."""
    return sorted(
        set(
            TierRecipient.objects.filter(tier=tier, agency__isnull=False).values_list(
                "agency_id", flat=True
            )
        )
    )


def tier_recipients(*, tier: EscalationTier, event: str, site: Site | None) -> list[Recipient]:
    """Return one recipient per user and channel of the tier, and its agencies' webhooks."""
    recipients: list[Recipient] = []
    users = tier_users(tier) if tier.notify_in_app or tier.notify_email else []
    for user in users:
        if tier.notify_in_app:
            recipients.append(Recipient(channel=DeliveryChannel.IN_APP, user=user))
        if tier.notify_email:
            recipients.append(Recipient(channel=DeliveryChannel.EMAIL, user=user))
    if tier.notify_webhook:
        for subscription in webhook_subscriptions_matching(
            event=event, site=site, agencies=tier_agencies(tier)
        ):
            recipients.append(Recipient(channel=DeliveryChannel.WEBHOOK, subscription=subscription))
    return recipients


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


# Alerts.


def alert_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Alert]:
    """Return the alerts the user received, open ones first, newest first."""
    queryset = (
        access.alerts_for(user)
        .select_related("incident__incident_type", "site", "policy", "acknowledged_by")
        .order_by("-id")
    )
    if filters:
        filterset = AlertFilter(filters, queryset=queryset)
        return filterset.qs if filterset.is_valid() else queryset.none()
    return queryset


def alert_get(*, user: Any, pk: int) -> Alert:
    """Return one alert the user received, or 404."""
    return get_object_or_404(
        access.alerts_for(user).select_related(
            "incident__incident_type", "site", "policy", "acknowledged_by"
        ),
        pk=pk,
    )


def alerts_open_count(*, user: Any) -> int:
    """Return how many alerts the user received still wait for acknowledgement."""
    return access.alerts_for(user).exclude(status=AlertStatus.ACKNOWLEDGED).count()


def alerts_due(*, now: datetime.datetime) -> list[int]:
    """Return the ids of open alerts whose acknowledgement deadline has passed."""
    return list(
        Alert.objects.filter(status=AlertStatus.OPEN, deadline_at__lte=now, policy__isnull=False)
        .order_by("deadline_at")
        .values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class TimelineEntry:
    """One line of an incident's timeline."""

    at: datetime.datetime
    kind: str
    alert_id: int | None = None
    delivery: Delivery | None = None
    actor: Any = None
    details: dict[str, Any] = field(default_factory=dict)


def incident_timeline(*, incident: Incident) -> list[TimelineEntry]:
    """Return what happened to an incident and its alerts, oldest first.

    Reported, every alert raised, each delivery (written, sent, failed, given up), each
    escalation, acknowledgement and exhaustion. Alerts carry no victim details, so the
    timeline is the same for everyone who may see the incident.
    """
    entries = [
        TimelineEntry(at=incident.reported_at, kind="incident.report", actor=incident.reported_by)
    ]
    alert_ids = list(Alert.objects.filter(incident=incident).values_list("pk", flat=True))
    events = AuditEvent.objects.filter(
        Q(object_type=object_type_of(incident), object_id=str(incident.pk))
        & ~Q(action="incident.report")
        | Q(object_type="incidents.alert", object_id__in=[str(pk) for pk in alert_ids])
    ).select_related("actor")
    for event in events:
        alert_id = int(event.object_id) if event.object_type == "incidents.alert" else None
        entries.append(
            TimelineEntry(
                at=event.created_at,
                kind=event.action,
                alert_id=alert_id,
                actor=event.actor,
                details=event.changes,
            )
        )
    deliveries = (
        Delivery.objects.filter(source_type="incidents.alert")
        .annotate(alert_id=Cast("source_id", BigIntegerField()))
        .filter(alert_id__in=alert_ids)
        .select_related("recipient_user", "subscription")
    )
    for delivery in deliveries:
        alert_id = int(delivery.source_id)
        entries.append(
            TimelineEntry(
                at=delivery.created_at, kind="delivery.queued", alert_id=alert_id, delivery=delivery
            )
        )
        if delivery.sent_at is not None:
            entries.append(
                TimelineEntry(
                    at=delivery.sent_at, kind="delivery.sent", alert_id=alert_id, delivery=delivery
                )
            )
        if delivery.dead_at is not None:
            entries.append(
                TimelineEntry(
                    at=delivery.dead_at, kind="delivery.dead", alert_id=alert_id, delivery=delivery
                )
            )
    entries.sort(key=lambda entry: (entry.at, entry.kind))
    return entries
