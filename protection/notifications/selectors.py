"""Reads of the notification machinery: the inbox and its unread count, deliveries of a source,
and the webhook subscriptions an event goes to."""

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from protection import access
from protection.audit import object_type_of
from protection.notifications.models import Delivery, Notification, WebhookSubscription

if TYPE_CHECKING:
    from collections.abc import Iterable

    from camps.models import Site
    from protection.accounts.models import User


def notification_list(*, user: "User", unread_only: bool = False) -> QuerySet[Notification]:
    """Return the user's inbox, newest first."""
    queryset = access.notifications_for(user).order_by("-id")
    return queryset.filter(read_at__isnull=True) if unread_only else queryset


def notification_get(*, user: "User", pk: int) -> Notification:
    """Return one of the user's notifications, or 404."""
    return get_object_or_404(access.notifications_for(user), pk=pk)


def notification_unread_count(*, user: "User") -> int:
    """Return how many notifications the user has not read (the navigation bar's badge)."""
    return access.notifications_for(user).filter(read_at__isnull=True).count()


def deliveries_of(*, source: models.Model) -> QuerySet[Delivery]:
    """Return the deliveries written for `source`, oldest first, for a timeline.

    Callers check first that the user may see `source`.
    """
    return (
        Delivery.objects.filter(source_type=object_type_of(source), source_id=str(source.pk))
        .select_related("recipient_user", "subscription")
        .order_by("id")
    )


def webhook_subscriptions_matching(
    *, event: str, site: "Site | None", agencies: "Iterable[int] | None" = None
) -> list[WebhookSubscription]:
    """Return the active subscriptions to `event` that cover `site`, optionally of some agencies.

    A subscription without sites covers every site; one with sites covers only those, so an
    event without a site reaches only the subscriptions without sites.
    """
    queryset = WebhookSubscription.objects.filter(active=True, agency__active=True)
    if agencies is not None:
        queryset = queryset.filter(agency__in=agencies)
    matching = []
    # The event list is a small JSON array; filtering it here works on every database.
    for subscription in queryset.select_related("agency").prefetch_related("sites").order_by("id"):
        if event not in subscription.events:
            continue
        chosen = {s.pk for s in subscription.sites.all()}
        if chosen and (site is None or site.pk not in chosen):
            continue
        matching.append(subscription)
    return matching
