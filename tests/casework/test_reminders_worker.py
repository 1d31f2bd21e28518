"""Overdue-referral reminders through a real Celery worker and the real Redis broker."""

import datetime
import os
from collections.abc import Iterator

import pytest
from django.utils import timezone

from cases import tasks
from cases.casework.reminders import referrals_due_for_reminder
from cases.models import Referral
from protection.notifications.models import Delivery, DeliveryStatus, Notification
from tests.casework.conftest import refer
from tests.celery_worker import redis_broker
from tests.integration.conftest import celery_worker, wait_for  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.timeout(180),
    pytest.mark.usefixtures("celery_worker"),
]

# A Redis database of its own, so that other suites' workers and flushes do not meet ours.
BROKER_URL = os.environ.get("PROTECTION_CASEWORK_BROKER_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def broker() -> Iterator[str]:
    """Point this process's Celery app at the casework Redis database, flushed before and after."""
    with redis_broker(BROKER_URL) as url:
        yield url


def test_the_worker_reminds_both_sides_of_an_overdue_referral(
    worker, partner_worker, case, service, agreement
) -> None:
    referral = refer(worker, case, service)
    Referral.objects.filter(pk=referral.pk).update(
        response_due_at=timezone.now() - datetime.timedelta(hours=2)
    )

    tasks.referral_overdue_remind_all.delay()

    def all_sent() -> bool:
        deliveries = Delivery.objects.filter(event="referral.overdue")
        return deliveries.count() == 4 and all(d.status == DeliveryStatus.SENT for d in deliveries)

    wait_for(all_sent, timeout=60)
    inbox = Notification.objects.filter(event="referral.overdue")
    assert {n.recipient_id for n in inbox} == {worker.pk, partner_worker.pk}
    referral.refresh_from_db()
    assert referral.last_reminded_at is not None

    # The next beat finds nothing due: no second round of reminders inside the interval.
    tasks.referral_overdue_remind_all.delay()
    wait_for(lambda: Delivery.objects.filter(event="referral.overdue").count() == 4)
    assert not referrals_due_for_reminder().exists()
