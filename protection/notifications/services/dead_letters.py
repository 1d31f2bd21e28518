"""Dead letters: tell the admins that a delivery was given up, and let them send it again."""

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from protection import access
from protection.audit import audit_record
from protection.notifications.models import (
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
)
from protection.notifications.services.outbox import (
    Content,
    Recipient,
    deliveries_queue,
    enqueue_deliveries,
    language_of,
)

if TYPE_CHECKING:
    from partners.models import PartnerAgency
    from protection.accounts.models import User

DEAD_EVENT = "delivery.dead"


def _agency_of_delivery(delivery: Delivery) -> "PartnerAgency | None":
    if delivery.subscription is not None:
        return delivery.subscription.agency
    user = delivery.recipient_user
    return user.agency if user is not None and user.agency_id else None


def dead_letter_notify(delivery: Delivery) -> None:
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
            body = _(
                "The %(channel)s notification to %(recipient)s was given up after "
                "%(attempts)s attempts. Last error: %(error)s"
            ) % {
                "channel": delivery.get_channel_display(),
                "recipient": delivery.recipient_label,
                "attempts": delivery.attempts,
                "error": delivery.last_error,
            }
            if delivery.last_outcome:
                body += " " + _("Last outcome: %(outcome)s.") % {
                    "outcome": delivery.get_last_outcome_display()
                }
            if delivery.maybe_received:
                body += " " + _(
                    "The receiver may have got it without answering in time: check with them "
                    "before sending it again."
                )
            return Content(
                subject=_("A notification could not be delivered: %(subject)s")
                % {"subject": delivery.subject},
                body=body,
            )

    deliveries_queue(
        source=delivery,
        occasion="dead",
        event=DEAD_EVENT,
        recipients=[Recipient(channel=DeliveryChannel.IN_APP, user=admin) for admin in admins],
        compose=compose,
        payload={
            "delivery": str(delivery.uuid),
            "error": delivery.last_error,
            "outcome": delivery.last_outcome,
        },
    )


def delivery_retry(*, actor: "User", delivery: Delivery) -> Delivery:
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
