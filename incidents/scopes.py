"""Which incidents, alerts and GBV designations a user sees, registered with the access policy.

What an incident may show of its victims is decided by protection.access itself
(incident_detail_allowed): it needs only the incident's fields and the user's designation.
"""

from django.db.models import CharField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast

from incidents.models import Alert, GbvDesignation, Incident
from partners.models import PartnerAgency
from protection import access
from protection.accounts.models import User
from protection.notifications.models import Delivery


def _incidents(user: User, agency: PartnerAgency) -> QuerySet[Incident]:
    """The agency's own incidents, and those in the agency's sites; never a drill's.

    Every live surface (lists, map, API, statistics, indicators, exports) starts here, so a
    drill's simulated incidents reach none of them; incidents.drills reads them by the drill.
    """
    return Incident.objects.filter(
        Q(reporting_agency_id=agency.pk) | Q(site__in=access.sites_for(user).values("pk")),
        drill__isnull=True,
    )


def _designations(user: User, agency: PartnerAgency) -> QuerySet[GbvDesignation]:
    """The user's own GBV designation, if an admin made one."""
    return GbvDesignation.objects.filter(user_id=user.pk)


def _alerts(user: User, agency: PartnerAgency) -> QuerySet[Alert]:
    """The alerts the user received, in any channel and at any tier so far; with the webhook
    role, also those that reached the agency's subscriptions (to acknowledge them by API)."""
    received = Q(recipient_user_id=user.pk)
    if access.can(user, access.Action.MANAGE_WEBHOOKS):
        received |= Q(subscription__agency_id=agency.pk)
    # EXISTS per alert, on the (recipient, source) index: a duty officer told of 100,000
    # alerts costs a probe per alert looked at, not a scan of every delivery they received.
    told = Delivery.objects.filter(
        received, source_type="incidents.alert", source_id=Cast(OuterRef("pk"), CharField())
    )
    return Alert.objects.filter(Exists(told))


def register() -> None:
    records = access.Records
    access.register_scope(records.INCIDENTS, Incident, access.Action.VIEW_INCIDENTS, _incidents)
    access.register_scope(records.GBV_DESIGNATIONS, GbvDesignation, None, _designations)
    access.register_scope(records.ALERTS, Alert, None, _alerts)
