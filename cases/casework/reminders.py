"""Reminders for referrals nobody answered in time, to both sides, through the notification outbox.

A reminder names the referral, the service and the deadline, never the person: emails leave
the system. Each referral is reminded at most once per REFERRAL_REMINDER_INTERVAL_HOURS.
"""

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from cases.casework.services import record
from cases.models import ProtectionCase, Referral, ReferralStatus
from protection import access
from protection.notifications.models import DeliveryChannel
from protection.notifications.services.outbox import (
    Content,
    Recipient,
    deliveries_queue,
    language_of,
)

if TYPE_CHECKING:
    from protection.accounts.models import User

REMINDER_EVENT = "referral.overdue"


def _interval() -> datetime.timedelta:
    return datetime.timedelta(hours=int(settings.REFERRAL_REMINDER_INTERVAL_HOURS))


def referrals_due_for_reminder(*, now: datetime.datetime | None = None) -> QuerySet[Referral]:
    """Return the overdue referrals whose last reminder (if any) is older than the interval."""
    now = now or timezone.now()
    return Referral.objects.filter(
        Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lte=now - _interval()),
        status=ReferralStatus.PENDING,
        response_due_at__lt=now,
    ).order_by("response_due_at", "id")


def _sender_side(case: ProtectionCase) -> list["User"]:
    worker = case.assigned_to
    if worker is not None and worker.is_active:
        return [worker]
    return list(access.case_supervisors_of(case.owning_agency))


def _receiver_side(referral: Referral) -> list["User"]:
    supervisors = list(access.case_supervisors_of(referral.to_agency))
    return supervisors or list(access.caseworkers_of(referral.to_agency))


def _recipients(users: list["User"]) -> list[Recipient]:
    recipients = []
    for user in users:
        recipients.append(Recipient(channel=DeliveryChannel.IN_APP, user=user))
        if user.email:
            recipients.append(Recipient(channel=DeliveryChannel.EMAIL, user=user))
    return recipients


def referral_overdue_remind(*, referral_id: int, now: datetime.datetime | None = None) -> bool:
    """Remind both sides of one overdue referral, unless reminded lately; return if sent.

    Safe to run twice: the referral row is locked and its last reminder time checked.
    """
    now = now or timezone.now()
    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("service", "to_agency", "case__assigned_to", "case__owning_agency")
            .filter(pk=referral_id)
            .first()
        )
        if (
            referral is None
            or referral.status != ReferralStatus.PENDING
            or referral.response_due_at is None
            or referral.response_due_at >= now
            or (referral.last_reminded_at and now - referral.last_reminded_at < _interval())
        ):
            return False
        referral.last_reminded_at = now
        referral.save(update_fields=["last_reminded_at", "updated_at"])
        senders = _sender_side(referral.case)
        receivers = _receiver_side(referral)
        sender_ids = {user.pk for user in senders}
        known = {
            "code": referral.code,
            "service": referral.service.name,
            "agency": str(referral.to_agency),
        }
        due_at = timezone.localtime(referral.response_due_at)

        def compose(recipient: Recipient) -> Content:
            assert recipient.user is not None  # reminders go to users only
            with translation.override(language_of(recipient.user)):
                # The recipient's language's date-time format; the zone named, for other zones.
                due = f"{formats.date_format(due_at, 'SHORT_DATETIME_FORMAT')} {due_at:%Z}"
                facts = {**known, "due": due}
                subject = _("Referral %(code)s is overdue") % facts
                if recipient.user.pk in sender_ids:
                    body = _(
                        "%(agency)s has not answered referral %(code)s to %(service)s, "
                        "due by %(due)s. Contact them, or refer the person elsewhere."
                    )
                else:
                    body = _(
                        "Referral %(code)s to %(service)s was due for an answer by %(due)s. "
                        "Accept or decline it in the referral inbox."
                    )
                return Content(subject=subject, body=body % facts)

        deliveries_queue(
            source=referral,
            occasion=f"overdue-{now:%Y%m%dT%H%M%S}",
            event=REMINDER_EVENT,
            recipients=_recipients(senders + [u for u in receivers if u.pk not in sender_ids]),
            compose=compose,
            # The machine's copy: ISO 8601, as every payload and API gives dates.
            payload={"referral": referral.code, "response_due_at": due_at.isoformat()},
        )
        record(
            None,
            referral.case,
            "case.referral_remind",
            {
                "referral": [referral.pk, referral.pk],
                "last_reminded_at": [None, now.isoformat()],
                "recipients": [None, len(senders) + len(receivers)],
            },
        )
    return True
