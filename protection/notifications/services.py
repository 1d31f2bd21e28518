"""Every write of the notification machinery: queue, send, retry and sweep deliveries; the inbox;
webhook subscriptions.

A caller (an incident report, an escalation, an overdue referral) calls `deliveries_queue` inside
its own transaction: the rows are written with the event, and the tasks that send them are
enqueued only once that transaction commits. If the broker is down then, the rows stay pending
and the sweeper sends them later. Sending claims a row with SELECT ... FOR UPDATE SKIP LOCKED
and keeps the lock while it sends, so two workers never send the same row, and a worker that
dies mid-send leaves the row pending for the sweeper.
"""

import datetime
import logging
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from camps.models import Site
from protection import access
from protection.access import Action
from protection.audit import audit_record, diff, object_type_of, snapshot
from protection.notifications import webhooks
from protection.notifications.models import (
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    Notification,
    WebhookEvent,
    WebhookSubscription,
)

logger = logging.getLogger(__name__)

DEAD_EVENT = "delivery.dead"
# A retry task may run a little before the time it was scheduled for (clocks, rounding).
_EARLY_TOLERANCE = datetime.timedelta(seconds=2)
_MIN_RETRY_SECONDS = 1.0
_SWEEP_BATCH = 500
_ERROR_LENGTH = 2000
_random = secrets.SystemRandom()


class DeliveryFailed(Exception):
    """Sending did not succeed; `permanent` failures are not retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Recipient:
    """Who receives one delivery: a user (in-app, email) or a webhook subscription."""

    channel: str
    user: Any = None
    subscription: WebhookSubscription | None = None

    @property
    def reference(self) -> str:
        if self.subscription is not None:
            return f"s{self.subscription.pk}"
        return f"u{self.user.pk}"


@dataclass(frozen=True)
class Content:
    """The human-readable part of a delivery, in the recipient's language."""

    subject: str
    body: str


def delivery_key(*, source: models.Model, occasion: str, recipient: Recipient) -> str:
    """Return the key that makes a delivery unique: source event, channel and recipient."""
    return (
        f"{object_type_of(source)}:{source.pk}:{occasion}:{recipient.channel}:{recipient.reference}"
    )


def language_of(user: Any) -> str:
    """Return the language to write to this user in."""
    preferred = getattr(user, "preferred_language", "") or ""
    known = {code for code, _name in settings.LANGUAGES}
    return preferred if preferred in known else settings.LANGUAGE_CODE


def deliveries_queue(
    *,
    source: models.Model,
    occasion: str,
    event: str,
    recipients: Iterable[Recipient],
    compose: Callable[[Recipient], Content],
    payload: dict[str, Any],
) -> list[Delivery]:
    """Write one pending delivery per recipient and channel; send them after the commit.

    `occasion` names the event of `source` (e.g. "raised"); a recipient already holding a
    delivery for the same source, occasion and channel is skipped, so calling twice is harmless.
    Call inside the caller's transaction. Return the deliveries written by this call.
    """
    unique: dict[str, Recipient] = {}
    for recipient in recipients:
        unique.setdefault(
            delivery_key(source=source, occasion=occasion, recipient=recipient), recipient
        )
    if not unique:
        return []
    existing = set(Delivery.objects.filter(key__in=unique).values_list("key", flat=True))
    rows = []
    for key, recipient in unique.items():
        if key in existing:
            continue
        content = compose(recipient)
        rows.append(
            Delivery(
                key=key,
                channel=recipient.channel,
                recipient_user=recipient.user if recipient.subscription is None else None,
                subscription=recipient.subscription,
                event=event,
                source_type=object_type_of(source),
                source_id=str(source.pk),
                subject=content.subject[:300],
                body=content.body,
                payload=payload,
            )
        )
    # A concurrent writer of the same key (which the callers' locks already rule out) would
    # be skipped, not fail the whole transaction.
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    created = list(Delivery.objects.filter(key__in=[row.key for row in rows]).order_by("id"))
    ids = [delivery.pk for delivery in created]
    if ids:
        transaction.on_commit(lambda: enqueue_deliveries(ids))
    return created


def enqueue_deliveries(delivery_ids: Sequence[int]) -> int:
    """Send a task per delivery; if the broker fails, leave the rest to the sweeper.

    Return how many were enqueued. Never raises: the rows are safe in the database already,
    and the person who reported the incident must not see an error for it.
    """
    from protection.notifications.tasks import delivery_send_task

    for count, delivery_id in enumerate(delivery_ids):
        try:
            delivery_send_task.delay(delivery_id)
        except Exception:
            logger.warning(
                "Broker unavailable; %d deliveries left for the sweeper.",
                len(delivery_ids) - count,
                exc_info=True,
            )
            return count
    return len(delivery_ids)


def max_attempts(channel: str) -> int:
    """Return how many tries a delivery by this channel gets before it is dead."""
    if channel == DeliveryChannel.WEBHOOK:
        return int(settings.WEBHOOK_MAX_ATTEMPTS)
    return int(settings.NOTIFICATION_MAX_ATTEMPTS)


def retry_delay(attempts: int) -> float:
    """Return the wait before the next try: exponential backoff with full jitter.

    Full jitter (a uniform wait between zero and the exponential cap) spreads the retries of
    many deliveries that failed together, so that a partner's server coming back is not hit by
    all of them at once.
    """
    base = float(settings.NOTIFICATION_RETRY_BASE_SECONDS)
    cap = float(settings.NOTIFICATION_RETRY_MAX_SECONDS)
    ceiling = min(cap, base * 2 ** max(attempts - 1, 0))
    return max(_MIN_RETRY_SECONDS, _random.uniform(0, ceiling))


@dataclass(frozen=True)
class SendOutcome:
    """What one send did: the status it left, and when to try again if it failed."""

    delivery_id: int
    status: str
    retry_at: datetime.datetime | None = None


def _send_in_app(delivery: Delivery) -> None:
    Notification.objects.get_or_create(
        delivery=delivery,
        defaults={
            "recipient_id": delivery.recipient_user_id,
            "event": delivery.event,
            "source_type": delivery.source_type,
            "source_id": delivery.source_id,
            "subject": delivery.subject,
            "body": delivery.body,
        },
    )


def _send_email(delivery: Delivery) -> None:
    address = getattr(delivery.recipient_user, "email", "")
    if not address:
        raise DeliveryFailed("The recipient has no email address.", permanent=True)
    try:
        send_mail(
            delivery.subject,
            delivery.body,
            settings.DEFAULT_FROM_EMAIL,
            [address],
            fail_silently=False,
        )
    except Exception as error:
        raise DeliveryFailed(f"Email not sent: {error}") from error


def webhook_document(delivery: Delivery) -> dict[str, Any]:
    """Return the JSON document a webhook receiver gets for this delivery."""
    return {
        "id": str(delivery.uuid),
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }


def _send_webhook(delivery: Delivery, now: datetime.datetime) -> None:
    subscription = delivery.subscription
    if subscription is None or not subscription.active:
        raise DeliveryFailed("The webhook subscription is no longer active.", permanent=True)
    body = webhooks.encode_body(webhook_document(delivery))
    headers = webhooks.signed_headers(
        secret=subscription.secret,
        timestamp=int(now.timestamp()),
        body=body,
        event=delivery.event,
        idempotency_key=str(delivery.uuid),
    )
    try:
        webhooks.post(
            url=subscription.url,
            body=body,
            headers=headers,
            timeout=float(settings.WEBHOOK_TIMEOUT_SECONDS),
        )
    except webhooks.WebhookError as error:
        raise DeliveryFailed(str(error), permanent=error.permanent) from error


def delivery_send(*, delivery_id: int, now: datetime.datetime | None = None) -> SendOutcome | None:
    """Claim the delivery and send it once; record success, a retry, or that it is dead.

    Return None when there is nothing to do: already sent or dead, not due yet, or being sent
    by another worker right now.
    """
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient_user", "subscription")
            .filter(pk=delivery_id, status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED])
            .filter(
                Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + _EARLY_TOLERANCE)
            )
            .first()
        )
        if delivery is None:
            return None
        try:
            if delivery.channel == DeliveryChannel.IN_APP:
                _send_in_app(delivery)
            elif delivery.channel == DeliveryChannel.EMAIL:
                _send_email(delivery)
            else:
                _send_webhook(delivery, now)
        except DeliveryFailed as failure:
            return _record_failure(delivery, failure, now)
        delivery.status = DeliveryStatus.SENT
        delivery.attempts += 1
        # When it actually went out, after the send (the timeline and latency read this).
        delivery.sent_at = timezone.now()
        delivery.next_attempt_at = None
        delivery.save(update_fields=["status", "attempts", "sent_at", "next_attempt_at"])
        return SendOutcome(delivery_id=delivery.pk, status=delivery.status)


def _record_failure(
    delivery: Delivery, failure: DeliveryFailed, now: datetime.datetime
) -> SendOutcome:
    delivery.attempts += 1
    delivery.last_error = str(failure)[:_ERROR_LENGTH]
    retry_at = None
    if failure.permanent or delivery.attempts >= max_attempts(delivery.channel):
        delivery.status = DeliveryStatus.DEAD
        delivery.dead_at = now
        delivery.next_attempt_at = None
    else:
        delivery.status = DeliveryStatus.FAILED
        retry_at = now + datetime.timedelta(seconds=retry_delay(delivery.attempts))
        delivery.next_attempt_at = retry_at
    delivery.save(update_fields=["status", "attempts", "last_error", "next_attempt_at", "dead_at"])
    logger.warning(
        "Delivery %s (%s) attempt %d failed: %s",
        delivery.pk,
        delivery.channel,
        delivery.attempts,
        delivery.last_error,
    )
    if delivery.status == DeliveryStatus.DEAD:
        _tell_admins_of_dead(delivery)
    return SendOutcome(delivery_id=delivery.pk, status=delivery.status, retry_at=retry_at)


def _agency_of_delivery(delivery: Delivery) -> Any:
    if delivery.subscription is not None:
        return delivery.subscription.agency
    user = delivery.recipient_user
    return user.agency if user is not None and user.agency_id else None


def _tell_admins_of_dead(delivery: Delivery) -> None:
    """Put a notice in the inbox of the recipient agency's admins (not about notices)."""
    if delivery.event == DEAD_EVENT or (
        delivery.subscription is not None and not delivery.subscription.active
    ):
        return
    from protection.accounts.models import User

    agency = _agency_of_delivery(delivery)
    admins = list(access.admins_of(agency)) if agency is not None else []
    if not admins:
        admins = list(User.objects.filter(is_superuser=True, is_active=True))

    def compose(recipient: Recipient) -> Content:
        with translation.override(language_of(recipient.user)):
            return Content(
                subject=_("A notification could not be delivered: %(subject)s")
                % {"subject": delivery.subject},
                body=_(
                    "The %(channel)s notification to %(recipient)s was given up after "
                    "%(attempts)s attempts. Last error: %(error)s"
                )
                % {
                    "channel": delivery.get_channel_display(),
                    "recipient": delivery.recipient_label,
                    "attempts": delivery.attempts,
                    "error": delivery.last_error,
                },
            )

    deliveries_queue(
        source=delivery,
        occasion="dead",
        event=DEAD_EVENT,
        recipients=[Recipient(channel=DeliveryChannel.IN_APP, user=admin) for admin in admins],
        compose=compose,
        payload={"delivery": str(delivery.uuid), "error": delivery.last_error},
    )


def deliveries_sweep(*, now: datetime.datetime | None = None) -> list[int]:
    """Mark the deliveries that should have moved by now as due again; return their ids.

    Those are the rows still pending a while after they were written (the broker was down at
    commit time, or a worker died mid-send) and the failed rows whose retry is overdue (the
    retry task was lost). Rows being sent right now are locked and skipped. Touching the rows
    means the next sweep leaves them alone for another delay, so a slow queue is not flooded.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=int(settings.NOTIFICATION_SWEEP_AFTER_SECONDS))
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(
                Q(
                    status=DeliveryStatus.PENDING,
                    next_attempt_at__isnull=True,
                    created_at__lte=cutoff,
                )
                | Q(
                    status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED],
                    next_attempt_at__lte=cutoff,
                )
            )
            .order_by("id")
            .values_list("pk", flat=True)[:_SWEEP_BATCH]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(next_attempt_at=now)
            transaction.on_commit(lambda: enqueue_deliveries(ids))
    return ids


# The inbox.


def notification_mark_read(*, actor: Any, notification: Notification) -> Notification:
    """Mark one of the actor's notifications read (reading twice keeps the first time)."""
    if not access.notifications_for(actor).filter(pk=notification.pk).exists():
        raise PermissionDenied
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_read_for(*, actor: Any, source: models.Model) -> int:
    """Mark read every notification of the actor about `source`; return how many changed."""
    return (
        access.notifications_for(actor)
        .filter(source_type=object_type_of(source), source_id=str(source.pk), read_at__isnull=True)
        .update(read_at=timezone.now())
    )


# Webhook subscriptions. The secret never reaches the audit trail or any later response.


@dataclass(frozen=True)
class SubscriptionWithSecret:
    """A subscription and its signing secret, returned once, at creation or rotation."""

    subscription: WebhookSubscription
    secret: str


_AUDITED_SUBSCRIPTION_FIELDS = ["url", "events", "description", "active", "agency"]


def webhook_subscription_validate(
    *, actor: Any, url: str, events: Sequence[str], sites: Sequence[Any], agency: Any = None
) -> None:
    """Raise ValidationError for a subscription's bad values (the admin's form calls it too)."""
    errors: dict[str, str] = {}
    problem = webhooks.check_url(url) if url else _("Enter the URL to call.")
    if problem:
        errors["url"] = problem
    unknown = sorted(set(events) - set(WebhookEvent.values))
    if not events:
        errors["events"] = _("Choose at least one event.")
    elif unknown:
        errors["events"] = _("Unknown events: %(events)s.") % {"events": ", ".join(unknown)}
    # The sites must be sites the subscribing agency works in.
    agency = agency or actor.agency
    working = Q(managing_agency_id=agency.pk) | Q(operating_agencies=agency.pk)
    visible = set(
        Site.objects.filter(working, pk__in=[s.pk for s in sites]).values_list("pk", flat=True)
    )
    if any(site.pk not in visible for site in sites):
        errors["sites"] = _("Choose sites where your agency works.")
    if errors:
        raise ValidationError(errors)


def webhook_subscription_create(
    *,
    actor: Any,
    url: str,
    events: Sequence[str],
    sites: Sequence[Any] = (),
    description: str = "",
) -> SubscriptionWithSecret:
    """Register a URL of the actor's agency for events; return it with its secret, once."""
    access.require(actor, Action.MANAGE_WEBHOOKS)
    url = url.strip()
    webhook_subscription_validate(actor=actor, url=url, events=events, sites=sites)
    secret = webhooks.new_secret()
    with transaction.atomic():
        subscription = WebhookSubscription.objects.create(
            agency=actor.agency,
            url=url,
            events=sorted(set(events)),
            description=description.strip(),
            secret=secret,
            secret_hint=secret[-4:],
            created_by=actor,
        )
        subscription.sites.set(sites)
        changes = diff({}, snapshot(subscription, _AUDITED_SUBSCRIPTION_FIELDS))
        changes["sites"] = [None, sorted(site.pk for site in sites)]
        audit_record(
            actor=actor, action="webhook_subscription.create", obj=subscription, changes=changes
        )
    return SubscriptionWithSecret(subscription=subscription, secret=secret)


def _may_manage(actor: Any, subscription: WebhookSubscription) -> bool:
    """Return whether the actor manages this subscription: its agency's managers, superusers."""
    if getattr(actor, "is_superuser", False) and actor.is_active:
        return True
    return access.webhook_subscriptions_for(actor).filter(pk=subscription.pk).exists()


def webhook_subscription_update(
    *,
    actor: Any,
    subscription: WebhookSubscription,
    url: str | None = None,
    events: Sequence[str] | None = None,
    sites: Sequence[Any] | None = None,
    description: str | None = None,
    active: bool | None = None,
) -> WebhookSubscription:
    """Change a subscription of the actor's agency; audit what changed (never the secret)."""
    if not _may_manage(actor, subscription):
        raise PermissionDenied
    new_url = url.strip() if url is not None else subscription.url
    new_events = list(events) if events is not None else list(subscription.events)
    new_sites = list(sites) if sites is not None else list(subscription.sites.all())
    webhook_subscription_validate(
        actor=actor,
        url=new_url,
        events=new_events,
        sites=new_sites,
        agency=subscription.agency,
    )
    before = snapshot(subscription, _AUDITED_SUBSCRIPTION_FIELDS)
    old_sites = sorted(subscription.sites.values_list("pk", flat=True))
    with transaction.atomic():
        subscription.url = new_url
        subscription.events = sorted(set(new_events))
        if description is not None:
            subscription.description = description.strip()
        if active is not None:
            subscription.active = active
        subscription.save(update_fields=["url", "events", "description", "active", "updated_at"])
        subscription.sites.set(new_sites)
        changes = diff(before, snapshot(subscription, _AUDITED_SUBSCRIPTION_FIELDS))
        new_site_ids = sorted(site.pk for site in new_sites)
        if new_site_ids != old_sites:
            changes["sites"] = [old_sites, new_site_ids]
        if changes:
            audit_record(
                actor=actor, action="webhook_subscription.update", obj=subscription, changes=changes
            )
    return subscription


def webhook_subscription_rotate_secret(
    *, actor: Any, subscription: WebhookSubscription
) -> SubscriptionWithSecret:
    """Replace the signing secret; return the new one, once. Old signatures stop verifying."""
    if not _may_manage(actor, subscription):
        raise PermissionDenied
    secret = webhooks.new_secret()
    with transaction.atomic():
        subscription.secret = secret
        subscription.secret_hint = secret[-4:]
        subscription.save(update_fields=["secret", "secret_hint", "updated_at"])
        audit_record(actor=actor, action="webhook_subscription.rotate_secret", obj=subscription)
    return SubscriptionWithSecret(subscription=subscription, secret=secret)


def delivery_retry(*, actor: Any, delivery: Delivery) -> Delivery:
    """Give a dead delivery a fresh set of attempts (after its cause was fixed); audited."""
    agency = _agency_of_delivery(delivery)
    allowed = getattr(actor, "is_superuser", False) or (
        agency is not None
        and access.agency_of(actor) is not None
        and actor.agency_id == agency.pk
        and access.admins_of(agency).filter(pk=actor.pk).exists()
    )
    if not allowed or not actor.is_active:
        raise PermissionDenied
    with transaction.atomic():
        locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.status != DeliveryStatus.DEAD:
            raise ValidationError(_("Only a delivery that was given up can be sent again."))
        locked.status = DeliveryStatus.PENDING
        locked.attempts = 0
        locked.next_attempt_at = None
        locked.dead_at = None
        locked.save(update_fields=["status", "attempts", "next_attempt_at", "dead_at"])
        audit_record(
            actor=actor,
            action="delivery.retry",
            obj=locked,
            changes={"status": [DeliveryStatus.DEAD, DeliveryStatus.PENDING]},
        )
        transaction.on_commit(lambda: enqueue_deliveries([locked.pk]))
    return locked
