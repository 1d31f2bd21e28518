"""Which escalation policies an incident or early warning falls under, and whom a tier tells."""

from django.db.models import Prefetch, Q

from camps.models import Site
from incidents.models import (
    EscalationPolicy,
    EscalationTier,
    PolicyTrigger,
    RecipientKind,
    TierRecipient,
)
from protection.accounts.models import Role, User
from protection.notifications.models import DeliveryChannel
from protection.notifications.selectors import webhook_subscriptions_matching
from protection.notifications.services.outbox import Recipient


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
