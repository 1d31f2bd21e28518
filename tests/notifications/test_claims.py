"""Sending without a lock across the network: claim and commit, call the receiver, record.

A claimed delivery is "sending" under a lease, its attempt already counted; nothing holds its
row while the receiver is called. A sender that dies leaves the claim to run out; the sweeper
then has the delivery claimed again, and a delivery whose sender dies every time is dead after
the maximum attempts, saying that the receiver may have got it.
"""

import datetime
import os
import signal
import subprocess
import sys
import threading
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone

from protection.notifications.models import Delivery, DeliveryChannel, DeliveryStatus
from protection.notifications.services import dead_letters, sending, sweeper
from protection.notifications.services.outbox import Content, Recipient, deliveries_queue
from tests.celery_worker import database_url, wait_for
from tests.notifications.receiver import verify


def _webhook(site: Any, subscription: Any) -> Delivery:
    (delivery,) = deliveries_queue(
        source=site,
        occasion="claims",
        event="alert.raised",
        recipients=[Recipient(channel=DeliveryChannel.WEBHOOK, subscription=subscription)],
        compose=lambda r: Content(subject="Alert at the camp", body=""),
        payload={"alert": {"id": 1}},
    )
    return delivery


@pytest.fixture
def hooked(site: Any, partner_admin: Any, subscribe: Any, receiver: Any) -> Any:
    created = subscribe(partner_admin, receiver.url)
    return _webhook(site, created.subscription), created.secret


def _swept(now: datetime.datetime, capture: Any) -> list[int]:
    with capture(execute=False):  # the test sends itself; no broker needed
        return sweeper.deliveries_sweep(now=now)


@pytest.mark.django_db(transaction=True)
def test_no_lock_is_held_while_the_receiver_is_called_and_no_one_sends_it_twice(
    hooked: Any, receiver: Any
) -> None:
    delivery, secret = hooked
    receiver.release.clear()  # the receiver takes its time to answer
    outcomes: list[Any] = []

    def first_sender() -> None:
        try:
            outcomes.append(sending.delivery_send(delivery_id=delivery.pk))
        finally:
            connection.close()

    thread = threading.Thread(target=first_sender)
    thread.start()
    try:
        assert receiver.arrived.wait(timeout=10)
        # Mid-send: the row is claimed and its attempt counted, but nobody holds its lock.
        with transaction.atomic():
            row = Delivery.objects.select_for_update(nowait=True).get(pk=delivery.pk)
        assert (row.status, row.attempts) == (DeliveryStatus.SENDING, 1)
        assert row.claimed_until is not None and row.claimed_until > timezone.now()
        # A second sender (a repeated task) finds it claimed and leaves it alone.
        assert sending.delivery_send(delivery_id=delivery.pk) is None
        assert _swept_now_is_empty()
    finally:
        receiver.release.set()
        thread.join(timeout=10)

    assert [o.status for o in outcomes] == [DeliveryStatus.SENT]
    (request,) = receiver.requests
    assert verify(secret=secret, headers=request.headers, body=request.body)
    row = Delivery.objects.get(pk=delivery.pk)
    assert (row.status, row.attempts, row.claimed_until, row.claim_token) == (
        DeliveryStatus.SENT,
        1,
        None,
        None,
    )


def _swept_now_is_empty() -> bool:
    """The sweeper leaves a claim alone while its lease runs."""
    with transaction.atomic():
        return sweeper.deliveries_sweep() == []


def test_a_delivery_whose_sender_dies_after_every_claim_is_dead_after_the_maximum(
    hooked: Any,
    receiver: Any,
    partner_admin: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    delivery, _secret = hooked
    now = timezone.now()
    lease = sending.lease(DeliveryChannel.WEBHOOK)

    for attempt in (1, 2, 3):
        claim = sending.delivery_claim(delivery_id=delivery.pk, now=now)
        assert isinstance(claim, sending.Claim)
        assert claim.delivery.attempts == attempt
        # ... and the sender dies here, before calling anyone or recording anything.
        almost = now + lease - datetime.timedelta(seconds=1)
        assert _swept(almost, django_capture_on_commit_callbacks) == []
        now += lease + datetime.timedelta(seconds=1)
        assert _swept(now, django_capture_on_commit_callbacks) == [delivery.pk]

    outcome = sending.delivery_send(delivery_id=delivery.pk, now=now)

    assert outcome is not None and outcome.status == DeliveryStatus.DEAD
    row = Delivery.objects.get(pk=delivery.pk)
    assert (row.status, row.attempts, row.last_outcome) == ("dead", 3, "interrupted")
    assert row.last_error == "The sender stopped during attempt 3 before recording its result."
    assert receiver.requests == []
    notice = Delivery.objects.get(event=dead_letters.DEAD_EVENT)
    assert notice.recipient_user == partner_admin
    assert "Interrupted while sending" in notice.body
    assert "may have got it" in notice.body
    # Nothing more to do: a dead delivery is never claimed again.
    assert sending.delivery_send(delivery_id=delivery.pk, now=now + lease * 2) is None


def test_a_sender_whose_claim_ran_out_does_not_overwrite_the_next_one(hooked: Any) -> None:
    delivery, _secret = hooked
    now = timezone.now()
    late = sending.delivery_claim(delivery_id=delivery.pk, now=now)
    later = now + sending.lease(DeliveryChannel.WEBHOOK) + datetime.timedelta(seconds=1)
    current = sending.delivery_claim(delivery_id=delivery.pk, now=later)
    assert isinstance(late, sending.Claim) and isinstance(current, sending.Claim)

    assert sending.delivery_record_sent(claim=late) is None
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENDING

    recorded = sending.delivery_record_sent(claim=current)
    assert recorded is not None and recorded.status == DeliveryStatus.SENT
    assert Delivery.objects.get(pk=delivery.pk).attempts == 2


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_is_reclaimed_after_its_lease_and_sent_with_the_same_id(
    hooked: Any, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A real process, killed with SIGKILL while the receiver holds its request."""
    delivery, secret = hooked
    receiver.release.clear()
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from protection.notifications.services.sending import delivery_send; "
            f"delivery_send(delivery_id={delivery.pk})",
        ],
        cwd=django_settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "protection.settings.test",
            "DATABASE_URL": database_url(),
            "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "1",
            "WEBHOOK_REQUIRE_HTTPS": "0",
        },
    )
    try:
        assert receiver.arrived.wait(timeout=60), "the worker never called the receiver"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
        receiver.release.set()

    claimed = Delivery.objects.get(pk=delivery.pk)
    assert (claimed.status, claimed.attempts) == (DeliveryStatus.SENDING, 1)
    assert claimed.claimed_until is not None
    assert _swept(timezone.now(), django_capture_on_commit_callbacks) == []
    after_lease = claimed.claimed_until + datetime.timedelta(seconds=1)
    assert _swept(after_lease, django_capture_on_commit_callbacks) == [delivery.pk]

    outcome = sending.delivery_send(delivery_id=delivery.pk, now=after_lease)

    assert outcome is not None and outcome.status == DeliveryStatus.SENT
    wait_for(lambda: len(receiver.requests) == 2, timeout=5)
    assert {r.header("webhook-id") for r in receiver.requests} == {str(delivery.uuid)}
    assert all(verify(secret=secret, headers=r.headers, body=r.body) for r in receiver.requests)
    row = Delivery.objects.get(pk=delivery.pk)
    assert (row.attempts, row.last_outcome) == (2, "interrupted")
