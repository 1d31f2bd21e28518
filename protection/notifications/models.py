"""The delivery outbox, the in-app inbox, and partners' webhook subscriptions.

Anything that must reach somebody is first a `Delivery` row, written in the same transaction as
the event that caused it; tasks only move rows forward (pending -> sending -> sent, or failed ->
dead). A row's `key` names the source event, the recipient and the channel, and is unique, so a
person or a partner system gets one delivery per event and channel however often a task runs.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from protection.crypto.fields import EncryptedTextField


class WebhookEvent(models.TextChoices):
    INCIDENT_REPORTED = "incident.reported", _("An incident was reported (anonymised)")
    ALERT_RAISED = "alert.raised", _("An alert was raised")
    ALERT_ESCALATED = "alert.escalated", _("An alert was escalated")
    EARLY_WARNING_RAISED = "early_warning.raised", _("An early warning was raised")
    CORRIDOR_STATUS_CHANGED = "corridor.status_changed", _("A corridor's status changed")


class WebhookSubscription(models.Model):
    """A partner system's URL that receives signed JSON events for some sites.

    The secret signs every request the Standard Webhooks way (HMAC-SHA256; stored and shown as
    `whsec_<base64 of the key>`). The server needs it in plain text to sign, so it is stored,
    but it is shown only once, when created or rotated, and never audited.
    """

    agency = models.ForeignKey(
        "partners.PartnerAgency",
        on_delete=models.PROTECT,
        related_name="webhook_subscriptions",
        verbose_name=_("agency"),
    )
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(
        _("events"), default=list, help_text=_("The event names this URL receives.")
    )
    sites = models.ManyToManyField(
        "camps.Site",
        blank=True,
        related_name="+",
        verbose_name=_("sites"),
        help_text=_("Leave empty to receive events for every site the agency works in."),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    secret = EncryptedTextField(_("signing secret"), editable=False)
    secret_hint = models.CharField(_("secret ends with"), max_length=8, editable=False, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        indexes = [models.Index(fields=["agency", "active"], name="webhook_agency_active_idx")]

    def __str__(self) -> str:
        return f"{self.agency_id}: {self.url}"


class DeliveryChannel(models.TextChoices):
    IN_APP = "in_app", _("In-app inbox")
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Webhook")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    DEAD = "dead", _("Dead (gave up)")


class DeliveryOutcome(models.TextChoices):
    """Why the last attempt did not succeed: a receiver that answered late may have got it."""

    NONE = "", _("No failure")
    TIMEOUT = "timeout", _("No answer in time (the receiver may have got it)")
    REFUSED = "refused", _("Refused by the receiver")
    CONNECTION = "connection", _("Connection failed")
    INTERRUPTED = "interrupted", _("Interrupted while sending (the receiver may have got it)")
    UNDELIVERABLE = "undeliverable", _("Cannot be sent (address or subscription)")


# The outcomes after which the receiver may hold the message although no success was recorded.
MAYBE_RECEIVED = frozenset({DeliveryOutcome.TIMEOUT, DeliveryOutcome.INTERRUPTED})


class Delivery(models.Model):
    """One message to one recipient by one channel: the outbox row a task moves forward.

    A sender claims the row (status "sending", `claimed_until` its lease, `claim_token` its
    identity, one more attempt counted), commits, calls the receiver, and records the result
    only while the claim is still its own. A claim whose lease ran out was interrupted: the
    sweeper has the row claimed again, and the attempt it used counts.
    """

    uuid = models.UUIDField(
        _("idempotency key"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_(
            "Sent with webhooks as webhook-id, the same on every retry, so that a receiver can "
            "drop a repeated request."
        ),
    )
    key = models.CharField(
        _("deduplication key"),
        max_length=255,
        unique=True,
        editable=False,
        help_text=_("Source event, channel and recipient: one delivery each."),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=DeliveryChannel.choices)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("recipient"),
    )
    subscription = models.ForeignKey(
        WebhookSubscription,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("webhook subscription"),
    )
    event = models.CharField(_("event"), max_length=60)
    source_type = models.CharField(_("source type"), max_length=80)
    source_id = models.CharField(_("source id"), max_length=64)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("message"), blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_outcome = models.CharField(
        _("last outcome"),
        max_length=13,
        choices=DeliveryOutcome.choices,
        blank=True,
        default=DeliveryOutcome.NONE,
    )
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claim_token = models.UUIDField(_("claim"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    dead_at = models.DateTimeField(_("gave up at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        channel="webhook",
                        subscription__isnull=False,
                        recipient_user__isnull=True,
                    )
                    | models.Q(
                        channel__in=["in_app", "email"],
                        subscription__isnull=True,
                        recipient_user__isnull=False,
                    )
                ),
                name="delivery_recipient_matches_channel",
            ),
            # A row being sent always names its sender's claim and when that claim runs out.
            models.CheckConstraint(
                condition=~models.Q(status="sending")
                | models.Q(claimed_until__isnull=False, claim_token__isnull=False),
                name="delivery_sending_is_claimed",
            ),
        ]
        indexes = [
            # The sweeper's scan: only the rows still to move forward are indexed.
            models.Index(
                fields=["status", "next_attempt_at", "created_at"],
                condition=models.Q(status__in=["pending", "failed"]),
                name="delivery_unfinished_idx",
            ),
            models.Index(fields=["source_type", "source_id"], name="delivery_source_idx"),
            # What a user received of one kind (the alerts a duty officer was told of): the
            # access policy's look-up for each alert, and the navigation's waiting count.
            models.Index(
                fields=["recipient_user", "source_type", "source_id"],
                name="delivery_recipient_source_idx",
            ),
            models.Index(
                fields=["-dead_at"], condition=models.Q(status="dead"), name="delivery_dead_idx"
            ),
            # The sweeper's look for claims whose lease ran out (the sender stopped).
            models.Index(
                fields=["claimed_until"],
                condition=models.Q(status="sending"),
                name="delivery_sending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.event} #{self.pk} ({self.status})"

    @property
    def recipient_label(self) -> str:
        """Return who receives this delivery, for lists and timelines."""
        if self.subscription_id is not None and self.subscription is not None:
            return self.subscription.url
        return str(self.recipient_user) if self.recipient_user is not None else ""

    @property
    def maybe_received(self) -> bool:
        """Return whether the receiver may have the message although no success was recorded."""
        return self.status != DeliveryStatus.SENT and self.last_outcome in MAYBE_RECEIVED

    @property
    def failure_summary(self) -> str:
        """Return the last failure for admins: its kind, then the error as it was recorded."""
        if not self.last_outcome:
            return self.last_error
        label = str(self.get_last_outcome_display())
        return f"{label}: {self.last_error}" if self.last_error else label


class Notification(models.Model):
    """An item in a user's in-app inbox, written by an in-app delivery; unread until opened."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    delivery = models.OneToOneField(
        Delivery,
        on_delete=models.PROTECT,
        related_name="notification",
        verbose_name=_("delivery"),
    )
    event = models.CharField(_("event"), max_length=60)
    source_type = models.CharField(_("source type"), max_length=80)
    source_id = models.CharField(_("source id"), max_length=64)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_inbox_idx"),
            # The unread count in the navigation bar reads only this small index.
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(fields=["source_type", "source_id"], name="notification_source_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def unread(self) -> bool:
        return self.read_at is None
