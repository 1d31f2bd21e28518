"""What a corridor's status change tells, and to whom: the outbox rows of one decision.

The agencies subscribed to the corridor (CorridorSubscription) are told through their
supervisors, protection officers and administrators, in the app and by e-mail as each agency
chose; partner systems of the agencies working at the corridor's site get the signed
`corridor.status_changed` webhook. The reason is read in the app only: neither the e-mail nor
the webhook payload carries it, so no free text leaves the system.
"""

from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from incidents.models import Corridor, CorridorStatus, CorridorStatusChange, CorridorSubscription
from protection.accounts.models import Role, User
from protection.notifications.models import DeliveryChannel, WebhookEvent
from protection.notifications.selectors import webhook_subscriptions_matching
from protection.notifications.services.outbox import (
    Content,
    Recipient,
    deliveries_queue,
    language_of,
)

# The people of a subscribed agency who act on a corridor's status.
NOTIFIED_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.PROTECTION_OFFICER)


def corridor_payload(corridor: Corridor, change: CorridorStatusChange) -> dict[str, Any]:
    """Return the JSON a webhook receives: ids, codes, statuses and times, no free text."""
    site = corridor.site
    return {
        "corridor": {
            "id": corridor.pk,
            "code": corridor.code,
            "name": corridor.name,
            "status": change.status,
            "previous_status": change.previous_status or None,
            "destination_site": corridor.destination_site_id,
        },
        "site": {"id": site.pk, "code": site.code, "name": site.name},
        "change": {"id": change.pk, "decided_at": change.decided_at.isoformat()},
    }


def _recipients(corridor: Corridor) -> list[Recipient]:
    recipients: list[Recipient] = []
    subscriptions = CorridorSubscription.objects.filter(
        corridor=corridor, agency__active=True
    ).order_by("agency_id")
    for subscription in subscriptions:
        users = User.objects.filter(
            agency_id=subscription.agency_id, is_active=True, role__in=NOTIFIED_ROLES
        ).order_by("id")
        for user in users:
            if subscription.notify_in_app:
                recipients.append(Recipient(channel=DeliveryChannel.IN_APP, user=user))
            if subscription.notify_email:
                recipients.append(Recipient(channel=DeliveryChannel.EMAIL, user=user))
    site = corridor.site
    agencies = {site.managing_agency_id, *site.operating_agencies.values_list("pk", flat=True)}
    for webhook in webhook_subscriptions_matching(
        event=WebhookEvent.CORRIDOR_STATUS_CHANGED, site=site, agencies=sorted(agencies)
    ):
        recipients.append(Recipient(channel=DeliveryChannel.WEBHOOK, subscription=webhook))
    return recipients


def corridor_content(
    corridor: Corridor, change: CorridorStatusChange, recipient: Recipient
) -> Content:
    """Write the notice in the recipient's language; only the inbox shows the reason."""
    language = language_of(recipient.user) if recipient.user is not None else None
    with translation.override(language):
        values = {
            "code": corridor.code,
            "name": corridor.name,
            "status": str(CorridorStatus(change.status).label),
            "site": str(corridor.site),
            "when": formats.date_format(timezone.localtime(change.decided_at), "DATETIME_FORMAT"),
        }
        subject = _("Corridor %(code)s %(name)s is now %(status)s") % values
        body = _("The corridor from %(site)s is %(status)s since %(when)s.") % values
        if recipient.channel == DeliveryChannel.IN_APP:
            body += " " + _("Reason: %(reason)s") % {"reason": change.reason}
        elif recipient.channel == DeliveryChannel.EMAIL:
            body += " " + _("Sign in to read why and the corridor's history.")
        return Content(subject=subject, body=body)


def corridor_status_notify(corridor: Corridor, change: CorridorStatusChange) -> int:
    """Queue the deliveries of one status decision; return how many were written.

    Call inside the decision's transaction. Each decision is an occasion of its own, so running
    it twice for the same decision writes nothing more.
    """
    deliveries = deliveries_queue(
        source=corridor,
        occasion=f"status-{change.pk}",
        event=WebhookEvent.CORRIDOR_STATUS_CHANGED,
        recipients=_recipients(corridor),
        compose=lambda recipient: corridor_content(corridor, change, recipient),
        payload=corridor_payload(corridor, change),
    )
    return len(deliveries)
