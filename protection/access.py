"""The one access policy: which records a user may see, and which actions their role allows.

Records belong to an agency. A user sees what their own agency owns, in the sites where that
agency manages or operates, as far as their role allows. Everything else is invisible: callers
turn a miss into a 404, never a 403, so that identifiers of other agencies' records do not leak.
Default is deny: a user without an active agency, or an anonymous user, sees nothing.
"""

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from protection.accounts.models import Role

if TYPE_CHECKING:
    from camps.models import Site
    from cases.models import DisplacedPerson, Household, ProtectionCase, Referral
    from incidents.models import Alert, Incident
    from partners.models import DataSharingAgreement, PartnerAgency, Service
    from protection.accounts.models import User
    from protection.notifications.models import Notification, WebhookSubscription


class Action(StrEnum):
    """What a role may do; README shows the same matrix."""

    VIEW_AGENCIES = "view_agencies"
    VIEW_SITES = "view_sites"
    MANAGE_SITES = "manage_sites"
    VIEW_AGGREGATES = "view_aggregates"
    VIEW_PEOPLE = "view_people"
    REGISTER_PEOPLE = "register_people"
    EDIT_PEOPLE = "edit_people"
    CHANGE_PERSON_STATUS = "change_person_status"
    VIEW_CASES = "view_cases"
    MANAGE_CASES = "manage_cases"
    SUPERVISE_CASES = "supervise_cases"
    RESPOND_REFERRALS = "respond_referrals"
    VIEW_SERVICES = "view_services"
    MANAGE_SERVICES = "manage_services"
    MANAGE_AGREEMENTS = "manage_agreements"
    VIEW_INCIDENTS = "view_incidents"
    VIEW_INCIDENT_DETAILS = "view_incident_details"
    REPORT_INCIDENTS = "report_incidents"
    MANAGE_INCIDENTS = "manage_incidents"
    MANAGE_WEBHOOKS = "manage_webhooks"
    RECEIVE_ALERTS = "receive_alerts"


_READ_ONLY = {
    Action.VIEW_AGENCIES,
    Action.VIEW_SITES,
    Action.VIEW_AGGREGATES,
    Action.VIEW_SERVICES,
}
_REGISTRY = {Action.VIEW_PEOPLE, Action.REGISTER_PEOPLE, Action.EDIT_PEOPLE}
_CASEWORK = {Action.VIEW_CASES, Action.MANAGE_CASES, Action.RESPOND_REFERRALS}

ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.ADMIN: frozenset(
        _READ_ONLY
        | _REGISTRY
        | {
            Action.MANAGE_SITES,
            Action.CHANGE_PERSON_STATUS,
            Action.MANAGE_SERVICES,
            Action.MANAGE_AGREEMENTS,
        }
    ),
    Role.SUPERVISOR: frozenset(
        _READ_ONLY
        | _REGISTRY
        | _CASEWORK
        | {Action.CHANGE_PERSON_STATUS, Action.SUPERVISE_CASES, Action.MANAGE_SERVICES}
    ),
    Role.PROTECTION_OFFICER: frozenset(
        _READ_ONLY | _REGISTRY | _CASEWORK | {Action.CHANGE_PERSON_STATUS}
    ),
    Role.CASE_WORKER: frozenset(_READ_ONLY | _REGISTRY | _CASEWORK),
    Role.PARTNER_API: frozenset(_READ_ONLY | {Action.VIEW_PEOPLE, Action.RESPOND_REFERRALS}),
    Role.ANALYST: frozenset(_READ_ONLY),
}

# Incidents and alerts, merged into the matrix above. Every role that works with people may
# report and read incidents (details only within the reporting agency, see
# incident_detail_allowed); an analyst sees aggregated figures only. Anyone may read and
# acknowledge the alerts sent to them (alerts_for).
_INCIDENTS = {
    Action.VIEW_INCIDENTS,
    Action.VIEW_INCIDENT_DETAILS,
    Action.REPORT_INCIDENTS,
    Action.RECEIVE_ALERTS,
}
_INCIDENT_ACTIONS: dict[str, frozenset[Action]] = {
    Role.ADMIN: frozenset(_INCIDENTS | {Action.MANAGE_INCIDENTS, Action.MANAGE_WEBHOOKS}),
    Role.SUPERVISOR: frozenset(_INCIDENTS | {Action.MANAGE_INCIDENTS}),
    Role.PROTECTION_OFFICER: frozenset(_INCIDENTS | {Action.MANAGE_INCIDENTS}),
    Role.CASE_WORKER: frozenset(_INCIDENTS),
    Role.PARTNER_API: frozenset(_INCIDENTS | {Action.MANAGE_WEBHOOKS}),
    Role.ANALYST: frozenset({Action.RECEIVE_ALERTS}),
}
ROLE_ACTIONS = {
    role: actions | _INCIDENT_ACTIONS.get(role, frozenset())
    for role, actions in ROLE_ACTIONS.items()
}

# Roles that may be designated to see the identifying details of GBV incidents: people who
# work with survivors, never a machine client and never an analyst of aggregated figures.
GBV_DESIGNABLE_ROLES = frozenset(
    {Role.ADMIN, Role.SUPERVISOR, Role.PROTECTION_OFFICER, Role.CASE_WORKER}
)


def agency_of(user: Any) -> "PartnerAgency | None":
    """Return the user's agency if the user is signed in and the agency is active."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    agency = user.agency if user.agency_id else None
    if agency is None or not agency.active:
        return None
    return agency


def can(user: Any, action: Action) -> bool:
    """Return whether the user's role allows the action (records are scoped separately)."""
    if agency_of(user) is None:
        return False
    return action in ROLE_ACTIONS.get(user.role, frozenset())


def require(user: Any, action: Action) -> None:
    """Raise PermissionDenied unless the user's role allows the action."""
    if not can(user, action):
        raise PermissionDenied


def sites_for(user: Any) -> "QuerySet[Site]":
    """Return the sites the user's agency manages or operates in."""
    from camps.models import Site

    agency = agency_of(user)
    if agency is None or not can(user, Action.VIEW_SITES):
        return Site.objects.none()
    operating = Site.operating_agencies.through.objects.filter(partneragency_id=agency.pk).values(
        "site_id"
    )
    return Site.objects.filter(Q(managing_agency_id=agency.pk) | Q(pk__in=operating))


def households_for(user: Any) -> "QuerySet[Household]":
    """Return the households the user may see: own agency's, in the agency's sites."""
    from cases.models import Household

    agency = agency_of(user)
    if agency is None or not can(user, Action.VIEW_PEOPLE):
        return Household.objects.none()
    return Household.objects.filter(
        owning_agency_id=agency.pk, site__in=sites_for(user).values("pk")
    )


def people_for(user: Any) -> "QuerySet[DisplacedPerson]":
    """Return the people the user may see: own agency's, in the agency's sites."""
    from cases.models import DisplacedPerson

    agency = agency_of(user)
    if agency is None or not can(user, Action.VIEW_PEOPLE):
        return DisplacedPerson.objects.none()
    return DisplacedPerson.objects.filter(
        owning_agency_id=agency.pk, site__in=sites_for(user).values("pk")
    )


def site_allows_registration(user: Any, site: "Site") -> bool:
    """Return whether the user may register people at this site (a site of their agency)."""
    return can(user, Action.REGISTER_PEOPLE) and sites_for(user).filter(pk=site.pk).exists()


# Protection cases and referrals. Need-to-know goes by agency, then role, then case: admins
# configure the system and do no casework, so they see no case files through this policy (the
# audit trail in the Django admin stays theirs). An agency that receives a referral never sees
# the case, only the referral and what was shared with it (referrals_received_for).


def casework_roles() -> frozenset[str]:
    """Return the roles that do casework: the roles a case may be assigned to."""
    return frozenset(
        role for role, actions in ROLE_ACTIONS.items() if Action.MANAGE_CASES in actions
    )


def cases_for(user: Any) -> "QuerySet[ProtectionCase]":
    """Return the cases the user may see.

    Supervisors see every case of their agency. Other casework roles see the agency's
    non-confidential cases and the confidential ones assigned to them.
    """
    from cases.models import ProtectionCase

    agency = agency_of(user)
    if agency is None or not can(user, Action.VIEW_CASES):
        return ProtectionCase.objects.none()
    cases = ProtectionCase.objects.filter(owning_agency_id=agency.pk)
    if can(user, Action.SUPERVISE_CASES):
        return cases
    return cases.filter(Q(confidential=False) | Q(assigned_to_id=user.pk))


def supervises_case(user: Any, case: "ProtectionCase") -> bool:
    """Return whether the user is a supervisor of the agency that owns the case."""
    agency = agency_of(user)
    return (
        agency is not None
        and agency.pk == case.owning_agency_id
        and can(user, Action.SUPERVISE_CASES)
    )


def may_work_on_case(user: Any, case: "ProtectionCase") -> bool:
    """Return whether the user may record work on the case (it must be visible to them)."""
    return can(user, Action.MANAGE_CASES) and cases_for(user).filter(pk=case.pk).exists()


def caseworkers_of(agency: "PartnerAgency") -> "QuerySet[User]":
    """Return the active users of the agency whom a case may be assigned to."""
    from protection.accounts.models import User

    if not agency.active:
        return User.objects.none()
    return User.objects.filter(agency_id=agency.pk, is_active=True, role__in=casework_roles())


def case_supervisors_of(agency: "PartnerAgency") -> "QuerySet[User]":
    """Return the active users who supervise the agency's cases."""
    from protection.accounts.models import User

    roles = [role for role, actions in ROLE_ACTIONS.items() if Action.SUPERVISE_CASES in actions]
    return User.objects.filter(agency_id=agency.pk, is_active=True, role__in=roles)


def referrals_sent_for(user: Any) -> "QuerySet[Referral]":
    """Return the referrals made from the cases the user may see."""
    from cases.models import Referral

    return Referral.objects.filter(case__in=cases_for(user).values("pk"))


def referrals_received_for(user: Any) -> "QuerySet[Referral]":
    """Return the referrals sent to the user's agency (never those not yet sent)."""
    from cases.models import Referral

    agency = agency_of(user)
    if agency is None or not can(user, Action.RESPOND_REFERRALS):
        return Referral.objects.none()
    return Referral.objects.filter(to_agency_id=agency.pk, sent_at__isnull=False)


def services_for(user: Any) -> "QuerySet[Service]":
    """Return the referral directory: every agency's active services, and the user's own."""
    from partners.models import Service

    agency = agency_of(user)
    if agency is None or not can(user, Action.VIEW_SERVICES):
        return Service.objects.none()
    return Service.objects.filter(Q(active=True, agency__active=True) | Q(agency_id=agency.pk))


def agreements_for(user: Any) -> "QuerySet[DataSharingAgreement]":
    """Return the data-sharing agreements that bind the user's agency (either side)."""
    from partners.models import DataSharingAgreement

    agency = agency_of(user)
    if agency is None or not can(user, Action.VIEW_SERVICES):
        return DataSharingAgreement.objects.none()
    return DataSharingAgreement.objects.filter(
        Q(agency_one_id=agency.pk) | Q(agency_two_id=agency.pk)
    )


# Incidents and alerts. An incident belongs to the agency that reported it and, through its
# site, is visible to every agency working there. What could identify a victim is need-to-know:
# only the reporting agency sees it, and for a restricted (GBV) type only the agency's
# GBV-designated staff. Everyone else, every partner included, sees the anonymised incident.


def incidents_for(user: Any) -> "QuerySet[Incident]":
    """Return the incidents the user may list: own agency's, and those in the agency's sites."""
    from incidents.models import Incident

    agency = agency_of(user)
    if agency is None or not can(user, Action.VIEW_INCIDENTS):
        return Incident.objects.none()
    return Incident.objects.filter(
        Q(reporting_agency_id=agency.pk) | Q(site__in=sites_for(user).values("pk"))
    )


def site_allows_incident_report(user: Any, site: "Site") -> bool:
    """Return whether the user may report an incident at this site (a site of their agency)."""
    return can(user, Action.REPORT_INCIDENTS) and sites_for(user).filter(pk=site.pk).exists()


def is_gbv_designated(user: Any) -> bool:
    """Return whether an admin designated the user to see GBV incidents' identifying details."""
    if agency_of(user) is None or user.role not in GBV_DESIGNABLE_ROLES:
        return False
    cached: bool | None = getattr(user, "_gbv_designated", None)
    if cached is None:
        from incidents.models import GbvDesignation

        cached = GbvDesignation.objects.filter(user_id=user.pk).exists()
        user._gbv_designated = cached
    return cached


def incident_detail_allowed(user: Any, incident: "Incident") -> bool:
    """Return whether the user may see what could identify the victims of the incident."""
    agency = agency_of(user)
    if agency is None or not can(user, Action.VIEW_INCIDENT_DETAILS):
        return False
    if incident.reporting_agency_id != agency.pk:
        return False
    if incident.incident_type.restricted:
        return is_gbv_designated(user)
    return True


def incident_manage_allowed(user: Any, incident: "Incident") -> bool:
    """Return whether the user may change the incident's status, verification or follow-up."""
    return can(user, Action.MANAGE_INCIDENTS) and incident_detail_allowed(user, incident)


def alerts_for(user: Any) -> "QuerySet[Alert]":
    """Return the alerts the user received, in any channel and at any tier so far.

    A user with the webhook role also receives what reached the agency's subscriptions, so
    that a partner system told by webhook can acknowledge through the API.
    """
    from django.db.models import BigIntegerField
    from django.db.models.functions import Cast

    from incidents.models import Alert
    from protection.notifications.models import Delivery

    agency = agency_of(user)
    if agency is None:
        return Alert.objects.none()
    received = Q(recipient_user_id=user.pk)
    if can(user, Action.MANAGE_WEBHOOKS):
        received |= Q(subscription__agency_id=agency.pk)
    alert_ids = (
        Delivery.objects.filter(received, source_type="incidents.alert")
        .annotate(alert_id=Cast("source_id", BigIntegerField()))
        .values("alert_id")
    )
    return Alert.objects.filter(pk__in=alert_ids)


def notifications_for(user: Any) -> "QuerySet[Notification]":
    """Return the user's own inbox; nobody reads another person's notifications."""
    from protection.notifications.models import Notification

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=user.pk)


def webhook_subscriptions_for(user: Any) -> "QuerySet[WebhookSubscription]":
    """Return the webhook subscriptions of the user's agency, if the role manages them."""
    from protection.notifications.models import WebhookSubscription

    agency = agency_of(user)
    if agency is None or not can(user, Action.MANAGE_WEBHOOKS):
        return WebhookSubscription.objects.none()
    return WebhookSubscription.objects.filter(agency_id=agency.pk)


def admins_of(agency: "PartnerAgency") -> "QuerySet[User]":
    """Return the agency's active administrators: they are told when a notice cannot reach."""
    from protection.accounts.models import User

    return User.objects.filter(agency_id=agency.pk, is_active=True, role=Role.ADMIN)
