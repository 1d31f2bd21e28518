"""The one access policy: which records a user may see, and which actions their role allows.

Records belong to an agency. A user sees what their own agency owns, in the sites where that
agency manages or operates, as far as their role allows. Everything else is invisible: callers
turn a miss into a 404, never a 403, so that identifiers of other agencies' records do not leak.
Default is deny: a user without an active agency, or an anonymous user, sees nothing.

This module knows roles and agencies, not the apps' models. Each app registers the records it
owns as a scope (`register_scope`, called from its AppConfig.ready): the model, the action the
role must allow, and which rows an allowed user of an agency sees. The policy applies the
default deny before any app rule runs; callers ask it by name (`people_for`, `cases_for`, ...)
and never query another app's models for visibility themselves.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeAlias

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Model, QuerySet

from protection.accounts.models import Role, User
from protection.accounts.types import Viewer

if TYPE_CHECKING:
    from camps.models import Site
    from cases.models import DisplacedPerson, Household, ProtectionCase, Referral
    from incidents.models import Alert, GbvDesignation, Incident
    from partners.models import DataSharingAgreement, PartnerAgency, Service
    from protection.notifications.models import Delivery, Notification, WebhookSubscription


# The role matrix lives in protection.roles; callers keep reading it here.
from protection.roles import GBV_DESIGNABLE_ROLES, ROLE_ACTIONS, Action


class Records(StrEnum):
    """The scopes the apps register: one per kind of record a user may list."""

    SITES = "sites"
    HOUSEHOLDS = "households"
    PEOPLE = "people"
    CASES = "cases"
    REFERRALS_SENT = "referrals_sent"
    REFERRALS_RECEIVED = "referrals_received"
    SERVICES = "services"
    AGREEMENTS = "agreements"
    INCIDENTS = "incidents"
    GBV_DESIGNATIONS = "gbv_designations"
    ALERTS = "alerts"
    NOTIFICATIONS = "notifications"
    WEBHOOK_SUBSCRIPTIONS = "webhook_subscriptions"
    DELIVERIES = "deliveries"


# The rows an allowed user sees: called with the user and their (active) agency.
RowRule: TypeAlias = Callable[[User, "PartnerAgency"], QuerySet[Any]]
# The rows that are the user's own, whatever their agency (an inbox).
OwnRule: TypeAlias = Callable[[User], QuerySet[Any]]


@dataclass(frozen=True)
class Scope:
    """One kind of record: its model, the action a role needs, and the rows a user sees.

    An agency scope (`rows`) needs an active agency and, unless `action` is None, a role that
    allows the action. A personal scope (`own_rows`) needs only a signed-in, active user.
    """

    model: type[Model]
    action: Action | None
    rows: RowRule | None = None
    own_rows: OwnRule | None = None


_SCOPES: dict[Records, Scope] = {}


def register_scope(name: Records, model: type[Model], action: Action | None, rows: RowRule) -> None:
    """Register which rows of `model` an allowed user sees (an app calls it once, in ready())."""
    _SCOPES[name] = Scope(model, action, rows=rows)


def register_personal_scope(name: Records, model: type[Model], own_rows: OwnRule) -> None:
    """Register a scope of records that belong to the user themself (their inbox)."""
    _SCOPES[name] = Scope(model, None, own_rows=own_rows)


def visible(name: Records, user: "Viewer | None") -> QuerySet[Any]:
    """Return the records of the scope the user may see, or none of them (default deny)."""
    try:
        scope = _SCOPES[name]
    except KeyError:
        raise ImproperlyConfigured(
            f"No installed app registers the access scope {name!r}."
        ) from None
    nothing = scope.model._default_manager.none()
    if scope.own_rows is not None:
        return scope.own_rows(user) if isinstance(user, User) and _signed_in(user) else nothing
    agency = agency_of(user)
    if agency is None or (scope.action is not None and not can(user, scope.action)):
        return nothing
    assert isinstance(user, User) and scope.rows is not None
    return scope.rows(user, agency)


def figures_for(name: Records, user: "Viewer | None") -> QuerySet[Any]:
    """Return the records of the scope the user's published figures count.

    Counted, not shown: an analyst, whose role sees no person, may count the agency's people
    in aggregated figures, which protection.figures suppresses. The rows are the scope's own
    (the agency's, in its sites), so another agency's records are never counted.
    """
    scope = _SCOPES.get(name)
    if scope is None or scope.rows is None:
        raise ImproperlyConfigured(f"No installed app registers the access scope {name!r}.")
    agency = agency_of(user)
    if agency is None or not can(user, Action.VIEW_AGGREGATES):
        return scope.model._default_manager.none()
    assert isinstance(user, User)
    return scope.rows(user, agency)


def _signed_in(user: "Viewer | None") -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False)) and user.is_active


def agency_of(user: "Viewer | None") -> "PartnerAgency | None":
    """Return the user's agency if the user is signed in and the agency is active."""
    if not _signed_in(user):
        return None
    assert isinstance(user, User)
    agency = user.agency if user.agency_id else None
    if agency is None or not agency.active:
        return None
    return agency


def can(user: "Viewer | None", action: Action) -> bool:
    """Return whether the user's role allows the action (records are scoped separately)."""
    if agency_of(user) is None:
        return False
    assert isinstance(user, User)
    return action in ROLE_ACTIONS.get(user.role, frozenset())


def require(user: "Viewer | None", action: Action) -> None:
    """Raise PermissionDenied unless the user's role allows the action."""
    if not can(user, action):
        raise PermissionDenied


# Sites and the registry (camps and cases register them).


def sites_for(user: "Viewer | None") -> "QuerySet[Site]":
    """Return the sites the user's agency manages or operates in."""
    return visible(Records.SITES, user)


def households_for(user: "Viewer | None") -> "QuerySet[Household]":
    """Return the households the user may see: own agency's, in the agency's sites."""
    return visible(Records.HOUSEHOLDS, user)


def people_for(user: "Viewer | None") -> "QuerySet[DisplacedPerson]":
    """Return the people the user may see: own agency's, in the agency's sites."""
    return visible(Records.PEOPLE, user)


def site_allows_registration(user: "Viewer | None", site: "Site") -> bool:
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


def cases_for(user: "Viewer | None") -> "QuerySet[ProtectionCase]":
    """Return the cases the user may see.

    Supervisors see every case of their agency. Other casework roles see the agency's
    non-confidential cases and the confidential ones assigned to them.
    """
    return visible(Records.CASES, user)


def supervises_case(user: "Viewer | None", case: "ProtectionCase") -> bool:
    """Return whether the user is a supervisor of the agency that owns the case."""
    agency = agency_of(user)
    return (
        agency is not None
        and agency.pk == case.owning_agency_id
        and can(user, Action.SUPERVISE_CASES)
    )


def may_work_on_case(user: "Viewer | None", case: "ProtectionCase") -> bool:
    """Return whether the user may record work on the case (it must be visible to them)."""
    return can(user, Action.MANAGE_CASES) and cases_for(user).filter(pk=case.pk).exists()


def caseworkers_of(agency: "PartnerAgency") -> QuerySet[User]:
    """Return the active users of the agency whom a case may be assigned to."""
    if not agency.active:
        return User.objects.none()
    return User.objects.filter(agency_id=agency.pk, is_active=True, role__in=casework_roles())


def case_supervisors_of(agency: "PartnerAgency") -> QuerySet[User]:
    """Return the active users who supervise the agency's cases."""
    roles = [role for role, actions in ROLE_ACTIONS.items() if Action.SUPERVISE_CASES in actions]
    return User.objects.filter(agency_id=agency.pk, is_active=True, role__in=roles)


def referrals_sent_for(user: "Viewer | None") -> "QuerySet[Referral]":
    """Return the referrals made from the cases the user may see."""
    return visible(Records.REFERRALS_SENT, user)


def referrals_received_for(user: "Viewer | None") -> "QuerySet[Referral]":
    """Return the referrals sent to the user's agency (never those not yet sent)."""
    return visible(Records.REFERRALS_RECEIVED, user)


def services_for(user: "Viewer | None") -> "QuerySet[Service]":
    """Return the referral directory: every agency's active services, and the user's own."""
    return visible(Records.SERVICES, user)


def agreements_for(user: "Viewer | None") -> "QuerySet[DataSharingAgreement]":
    """Return the data-sharing agreements that bind the user's agency (either side)."""
    return visible(Records.AGREEMENTS, user)


# Incidents and alerts. An incident belongs to the agency that reported it and, through its
# site, is visible to every agency working there. What could identify a victim is need-to-know:
# only the reporting agency sees it, and for a restricted (GBV) type only the agency's
# GBV-designated staff. Everyone else, every partner included, sees the anonymised incident.


def incidents_for(user: "Viewer | None") -> "QuerySet[Incident]":
    """Return the incidents the user may list: own agency's, and those in the agency's sites."""
    return visible(Records.INCIDENTS, user)


def site_allows_incident_report(user: "Viewer | None", site: "Site") -> bool:
    """Return whether the user may report an incident at this site (a site of their agency)."""
    return can(user, Action.REPORT_INCIDENTS) and sites_for(user).filter(pk=site.pk).exists()


def is_gbv_designated(user: "Viewer | None") -> bool:
    """Return whether an admin designated the user to see GBV incidents' identifying details."""
    if agency_of(user) is None:
        return False
    assert isinstance(user, User)
    if user.role not in GBV_DESIGNABLE_ROLES:
        return False
    cached: bool | None = getattr(user, "_gbv_designated", None)
    if cached is None:
        designations: QuerySet[GbvDesignation] = visible(Records.GBV_DESIGNATIONS, user)
        cached = designations.exists()
        user._gbv_designated = cached  # type: ignore[attr-defined]  # per-request memo
    return cached


def incident_detail_allowed(user: "Viewer | None", incident: "Incident") -> bool:
    """Return whether the user may see what could identify the victims of the incident."""
    agency = agency_of(user)
    if agency is None or not can(user, Action.VIEW_INCIDENT_DETAILS):
        return False
    if incident.reporting_agency_id != agency.pk:
        return False
    if incident.incident_type.restricted:
        return is_gbv_designated(user)
    return True


def incident_manage_allowed(user: "Viewer | None", incident: "Incident") -> bool:
    """Return whether the user may change the incident's status, verification or follow-up."""
    return can(user, Action.MANAGE_INCIDENTS) and incident_detail_allowed(user, incident)


def alerts_for(user: "Viewer | None") -> "QuerySet[Alert]":
    """Return the alerts the user received, in any channel and at any tier so far.

    A user with the webhook role also receives what reached the agency's subscriptions, so
    that a partner system told by webhook can acknowledge through the API.
    """
    return visible(Records.ALERTS, user)


def notifications_for(user: "Viewer | None") -> "QuerySet[Notification]":
    """Return the user's own inbox; nobody reads another person's notifications."""
    return visible(Records.NOTIFICATIONS, user)


def webhook_subscriptions_for(user: "Viewer | None") -> "QuerySet[WebhookSubscription]":
    """Return the webhook subscriptions of the user's agency, if the role manages them."""
    return visible(Records.WEBHOOK_SUBSCRIPTIONS, user)


# The health of the delivery pipeline (queue, deliveries, beat, workers). Its figures count
# deliveries, never show one; still, an agency administrator counts only the agency's own.


class PlatformMonitor:
    """The monitoring system, signed in with the pipeline's token (PIPELINE_HEALTH_TOKEN).

    It counts every agency's deliveries, like a platform superuser, and reads nothing else.
    """

    is_superuser = True

    def __repr__(self) -> str:
        return "PlatformMonitor()"


MONITOR = PlatformMonitor()
Monitor: TypeAlias = "Viewer | PlatformMonitor | None"


def may_monitor_pipeline(user: Monitor) -> bool:
    """Return whether the user may see the pipeline's health: the platform's monitor, a
    platform superuser, or an agency administrator with access to the admin site."""
    if isinstance(user, PlatformMonitor):
        return True
    if not _signed_in(user):
        return False
    assert isinstance(user, User)
    return user.is_superuser or (user.is_staff and can(user, Action.MONITOR_PIPELINE))


def monitored_agency(user: Monitor) -> "PartnerAgency | None":
    """Return the agency whose deliveries the user's figures count; None for every agency."""
    if isinstance(user, PlatformMonitor) or not may_monitor_pipeline(user):
        return None
    assert isinstance(user, User)
    return None if user.is_superuser else agency_of(user)


def deliveries_monitored_by(user: Monitor) -> "QuerySet[Delivery]":
    """Return the deliveries whose figures the user sees on the pipeline's health.

    The platform's monitor and a platform superuser see every agency's; an agency
    administrator the deliveries to the agency's users and webhook subscriptions; anybody
    else none.
    """
    viewer = None if isinstance(user, PlatformMonitor) else user
    rows: QuerySet[Delivery] = visible(Records.DELIVERIES, viewer)
    if not may_monitor_pipeline(user):
        return rows.none()
    if user is not None and user.is_superuser:
        return rows.model._default_manager.all()
    return rows


def admins_of(agency: "PartnerAgency") -> QuerySet[User]:
    """Return the agency's active administrators: they are told when a notice cannot reach."""
    return User.objects.filter(agency_id=agency.pk, is_active=True, role=Role.ADMIN)
