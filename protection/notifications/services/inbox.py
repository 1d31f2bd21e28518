"""The inbox: mark in-app notifications read, one or all of those about a source."""

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone

from protection import access
from protection.audit import object_type_of
from protection.notifications.models import (
    Notification,
)

if TYPE_CHECKING:
    from protection.accounts.models import User


def notification_mark_read(*, actor: "User", notification: Notification) -> Notification:
    """Mark one of the actor's notifications read (reading twice keeps the first time)."""
    if not access.notifications_for(actor).filter(pk=notification.pk).exists():
        raise PermissionDenied
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_read_for(*, actor: "User", source: models.Model) -> int:
    """Mark read every notification of the actor about `source`; return how many changed."""
    return (
        access.notifications_for(actor)
        .filter(source_type=object_type_of(source), source_id=str(source.pk), read_at__isnull=True)
        .update(read_at=timezone.now())
    )
