"""The delivery outbox: one row per recipient and channel, pending -> sent / failed -> dead."""

import datetime
import threading
from typing import Any, cast

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from protection.accounts.models import User
from protection.celery import app as celery_app
from protection.models import AuditEvent
from protection.notifications import tasks
from protection.notifications.models import Delivery, DeliveryChannel, DeliveryStatus, Notification
from protection.notifications.selectors import notification_unread_count
from protection.notifications.services import dead_letters, inbox, sending, sweeper
from protection.notifications.services.outbox import Content, Recipient, deliveries_queue
from tests import factories


def make_user(**fields: Any) -> User:
    return cast(User, factories.UserFactory(**fields))


def _queue(source: Any, recipients: list[Recipient], occasion: str = "test") -> list[Delivery]:
    return deliveries_queue(
        source=source,
        occasion=occasion,
        event="test.event",
        recipients=recipients,
        compose=lambda r: Content(subject="Something happened", body="Please look."),
        payload={"answer": 42},
    )


@pytest.fixture
def sent_tasks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the delivery tasks enqueued instead of publishing them."""
    sent: list[int] = []
    monkeypatch.setattr(celery_app, "send_task", lambda name, args, **options: sent.append(args[0]))
    return sent


def test_queue_writes_one_row_per_recipient_and_channel_once(
    site: Any, officer: Any, other_officer: Any
) -> None:
    recipients = [
        Recipient(channel=DeliveryChannel.IN_APP, user=officer),
        Recipient(channel=DeliveryChannel.EMAIL, user=officer),
        Recipient(channel=DeliveryChannel.IN_APP, user=other_officer),
        Recipient(channel=DeliveryChannel.IN_APP, user=officer),  # named twice
    ]

    first = _queue(site, recipients)
    again = _queue(site, recipients)

    assert len(first) == 3
    assert again == []
    assert Delivery.objects.count() == 3
    assert {d.status for d in first} == {DeliveryStatus.PENDING}
    assert first[0].key == f"camps.site:{site.pk}:test:in_app:u{officer.pk}"


def test_a_second_occasion_of_the_same_source_is_a_new_delivery(site: Any, officer: Any) -> None:
    recipient = Recipient(channel=DeliveryChannel.IN_APP, user=officer)
    _queue(site, [recipient], occasion="first reminder")
    _queue(site, [recipient], occasion="second reminder")
    assert Delivery.objects.filter(recipient_user=officer).count() == 2


def test_the_database_refuses_a_duplicate_key_and_a_recipient_of_the_wrong_kind(
    site: Any, officer: Any
) -> None:
    (delivery,) = _queue(site, [Recipient(channel=DeliveryChannel.IN_APP, user=officer)])
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(
            key=delivery.key,
            channel="in_app",
            recipient_user=officer,
            event="x",
            source_type="x",
            source_id="1",
            subject="x",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(
            key="other",
            channel="webhook",
            recipient_user=officer,
            event="x",
            source_type="x",
            source_id="1",
            subject="x",
        )


def test_tasks_are_enqueued_only_when_the_transaction_commits(
    site: Any, officer: Any, sent_tasks: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        (delivery,) = _queue(site, [Recipient(channel=DeliveryChannel.IN_APP, user=officer)])
        assert sent_tasks == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert sent_tasks == [delivery.pk]


def test_a_broker_failure_at_commit_loses_nothing_and_raises_nothing(
    site: Any,
    officer: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    def broker_down(name: str, args: Any, **options: Any) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(celery_app, "send_task", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        _queue(site, [Recipient(channel=DeliveryChannel.IN_APP, user=officer)])

    assert Delivery.objects.get().status == DeliveryStatus.PENDING


def test_an_in_app_delivery_puts_one_unread_notification_in_the_inbox(
    site: Any, officer: Any
) -> None:
    (delivery,) = _queue(site, [Recipient(channel=DeliveryChannel.IN_APP, user=officer)])

    outcome = sending.delivery_send(delivery_id=delivery.pk)
    again = sending.delivery_send(delivery_id=delivery.pk)

    assert outcome is not None and outcome.status == DeliveryStatus.SENT
    assert again is None
    notification = Notification.objects.get()
    assert (notification.recipient, notification.subject) == (officer, "Something happened")
    assert notification_unread_count(user=officer) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    assert delivery.sent_at is not None


def test_the_task_run_twice_sends_one_email(site: Any, officer: Any) -> None:
    (delivery,) = _queue(site, [Recipient(channel=DeliveryChannel.EMAIL, user=officer)])

    assert tasks.delivery_send_task(delivery.pk) == DeliveryStatus.SENT
    assert tasks.delivery_send_task(delivery.pk) is None

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [officer.email]
    assert mail.outbox[0].subject == "Something happened"


def test_a_user_without_email_is_dead_at_once_and_the_agency_admins_are_told(
    site: Any, agency: Any
) -> None:
    admin = make_user(agency=agency, role="admin")
    nobody = make_user(agency=agency, email="")
    (delivery,) = _queue(site, [Recipient(channel=DeliveryChannel.EMAIL, user=nobody)])

    outcome = sending.delivery_send(delivery_id=delivery.pk)

    assert outcome is not None and outcome.status == DeliveryStatus.DEAD
    delivery.refresh_from_db()
    assert delivery.last_error == "The recipient has no email address."
    assert delivery.dead_at is not None
    notice = Delivery.objects.get(event=dead_letters.DEAD_EVENT)
    assert (notice.recipient_user, notice.channel) == (admin, DeliveryChannel.IN_APP)
    assert "could not be delivered" in notice.subject


def test_a_dead_notice_that_dies_tells_nobody_more(site: Any, agency: Any) -> None:
    make_user(agency=agency, role="admin")
    nobody = make_user(agency=agency, email="")
    (notice,) = deliveries_queue(
        source=site,
        occasion="dead",
        event=dead_letters.DEAD_EVENT,
        recipients=[Recipient(channel=DeliveryChannel.EMAIL, user=nobody)],
        compose=lambda r: Content(subject="x", body="y"),
        payload={},
    )
    sending.delivery_send(delivery_id=notice.pk)
    assert Delivery.objects.count() == 1


def test_retry_delays_back_off_exponentially_with_full_jitter(settings: Any) -> None:
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 10
    settings.NOTIFICATION_RETRY_MAX_SECONDS = 100
    for attempts, ceiling in [(1, 10), (2, 20), (3, 40), (4, 80), (5, 100), (9, 100)]:
        delays = [sending.retry_delay(attempts) for _ in range(200)]
        assert all(1 <= d <= ceiling for d in delays)
        # Spread over the whole range, not clustered at the ceiling.
        assert min(delays) < ceiling / 4 and max(delays) > ceiling * 3 / 4


def test_the_sweeper_re_sends_what_is_stuck_and_leaves_the_rest(
    site: Any,
    officer: Any,
    other_officer: Any,
    settings: Any,
    sent_tasks: list[int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.NOTIFICATION_SWEEP_AFTER_SECONDS = 60
    now = timezone.now()
    old = now - datetime.timedelta(minutes=5)
    stuck, _recent, sent, overdue, waiting = (
        _queue(site, [Recipient(channel=DeliveryChannel.IN_APP, user=officer)], occasion=name)[0]
        for name in ("stuck", "recent", "sent", "overdue", "waiting")
    )
    Delivery.objects.filter(pk__in=[stuck.pk, sent.pk, overdue.pk, waiting.pk]).update(
        created_at=old
    )
    Delivery.objects.filter(pk=sent.pk).update(status=DeliveryStatus.SENT)
    Delivery.objects.filter(pk=overdue.pk).update(status=DeliveryStatus.FAILED, next_attempt_at=old)
    Delivery.objects.filter(pk=waiting.pk).update(
        status=DeliveryStatus.FAILED, next_attempt_at=now + datetime.timedelta(minutes=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        swept = sweeper.deliveries_sweep(now=now)
    with django_capture_on_commit_callbacks(execute=True):
        swept_again = sweeper.deliveries_sweep(now=now + datetime.timedelta(seconds=10))

    assert swept == [stuck.pk, overdue.pk]
    assert sent_tasks == [stuck.pk, overdue.pk]
    # Touched rows wait another sweep delay: a slow queue is not flooded with copies.
    assert swept_again == []
    assert sending.delivery_send(delivery_id=stuck.pk, now=now) is not None


@pytest.mark.django_db(transaction=True)
def test_a_delivery_being_sent_by_one_worker_is_skipped_by_another(site: Any, officer: Any) -> None:
    (delivery,) = _queue(site, [Recipient(channel=DeliveryChannel.IN_APP, user=officer)])
    locked, release = threading.Event(), threading.Event()

    def first_worker() -> None:
        try:
            with transaction.atomic():
                Delivery.objects.select_for_update().get(pk=delivery.pk)
                locked.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    thread = threading.Thread(target=first_worker)
    thread.start()
    try:
        assert locked.wait(timeout=10)
        assert sending.delivery_send(delivery_id=delivery.pk) is None
    finally:
        release.set()
        thread.join(timeout=10)
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.PENDING
    assert sending.delivery_send(delivery_id=delivery.pk) is not None
    assert Notification.objects.count() == 1


def test_an_admin_sends_a_dead_delivery_again(
    site: Any,
    agency: Any,
    officer: Any,
    django_capture_on_commit_callbacks: Any,
    sent_tasks: list[int],
) -> None:
    admin = make_user(agency=agency, role="admin")
    (delivery,) = _queue(site, [Recipient(channel=DeliveryChannel.EMAIL, user=officer)])
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.DEAD, attempts=5, dead_at=timezone.now(), last_error="SMTP down"
    )

    with pytest.raises(PermissionDenied):
        dead_letters.delivery_retry(actor=officer, delivery=delivery)
    with django_capture_on_commit_callbacks(execute=True):
        dead_letters.delivery_retry(actor=admin, delivery=delivery)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.dead_at) == (
        DeliveryStatus.PENDING,
        0,
        None,
    )
    assert sent_tasks == [delivery.pk]
    assert AuditEvent.objects.filter(action="delivery.retry", actor=admin).exists()
    with pytest.raises(ValidationError):
        dead_letters.delivery_retry(actor=admin, delivery=delivery)


def test_nobody_reads_another_persons_inbox(site: Any, officer: Any, other_officer: Any) -> None:
    (delivery,) = _queue(site, [Recipient(channel=DeliveryChannel.IN_APP, user=officer)])
    sending.delivery_send(delivery_id=delivery.pk)
    notification = Notification.objects.get()

    with pytest.raises(PermissionDenied):
        inbox.notification_mark_read(actor=other_officer, notification=notification)
    assert notification_unread_count(user=other_officer) == 0

    inbox.notification_mark_read(actor=officer, notification=notification)
    first_read = Notification.objects.get().read_at
    inbox.notification_mark_read(actor=officer, notification=notification)

    assert notification_unread_count(user=officer) == 0
    assert Notification.objects.get().read_at == first_read
