"""Delivered notifications under retention: the outbox rows sent long ago, deleted in batches.

A delivery holds a message's subject, body and payload, which name records and may quote
them. Once sent and past its period it is deleted; an in-app delivery goes with its inbox item
only once the recipient has read it (an unread item stays in their inbox). Pending, sending
and dead deliveries are never touched here: the sweeper and the dead-letter page own them.
Not audited row by row: a delivery is the outbox's bookkeeping; the run is recorded on the
retention rule.
"""

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from protection.models import RetentionAction
from protection.notifications.models import Delivery, DeliveryStatus, Notification
from protection.retention import (
    Counts,
    RetentionKind,
    RetentionPass,
    keyset_batches,
    register_retention_kind,
)


def delivered_notifications_apply(retention: RetentionPass) -> Counts:
    """Delete (or count) the deliveries sent before the cutoff, with their read inbox items."""
    unread = Notification.objects.filter(delivery_id=OuterRef("pk"), read_at__isnull=True)
    expired = Delivery.objects.filter(
        status=DeliveryStatus.SENT, sent_at__lt=retention.cutoff
    ).exclude(Exists(unread))
    if retention.dry_run:
        return {"deliveries": expired.count()}
    counts = {"deliveries": 0, "notifications": 0}
    for batch in keyset_batches(expired, size=retention.batch_size):
        with transaction.atomic():
            counts["notifications"] += Notification.objects.filter(
                delivery_id__in=batch, read_at__isnull=False
            ).delete()[0]
            counts["deliveries"] += Delivery.objects.filter(pk__in=batch).delete()[0]
    return counts


def register() -> None:
    """Register the kind (NotificationsConfig.ready)."""
    register_retention_kind(
        RetentionKind(
            "delivered_notifications",
            _("Delivered notifications"),
            RetentionAction.DELETE,
            delivered_notifications_apply,
        )
    )
