"""Whose notifications and webhook subscriptions a user sees, registered with the access policy."""

from django.db.models import Q, QuerySet

from partners.models import PartnerAgency
from protection import access
from protection.accounts.models import User
from protection.notifications.models import Delivery, Notification, WebhookSubscription


def _inbox(user: User) -> QuerySet[Notification]:
    """The user's own inbox: nobody reads another person's notifications."""
    return Notification.objects.filter(recipient_id=user.pk)


def _subscriptions(user: User, agency: PartnerAgency) -> QuerySet[WebhookSubscription]:
    """The agency's webhook subscriptions."""
    return WebhookSubscription.objects.filter(agency_id=agency.pk)


def _deliveries(user: User, agency: PartnerAgency) -> QuerySet[Delivery]:
    """The deliveries to the agency's users and webhook subscriptions (counted, not shown)."""
    return Delivery.objects.filter(
        Q(recipient_user__agency_id=agency.pk) | Q(subscription__agency_id=agency.pk)
    )


def register() -> None:
    records = access.Records
    access.register_personal_scope(records.NOTIFICATIONS, Notification, _inbox)
    access.register_scope(
        records.WEBHOOK_SUBSCRIPTIONS,
        WebhookSubscription,
        access.Action.MANAGE_WEBHOOKS,
        _subscriptions,
    )
    access.register_scope(records.DELIVERIES, Delivery, access.Action.MONITOR_PIPELINE, _deliveries)
