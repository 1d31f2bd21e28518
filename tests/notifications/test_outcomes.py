"""How an attempt failed: no answer in time (the receiver may have it), refused, or no connection.

The outcome is recorded on the delivery apart from its error text, and shown where deliveries
are listed: the admin, the dead-letter notice, an alert's page and the incident timeline.
"""

import socket
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from protection.accounts.models import User
from protection.notifications.models import Delivery, DeliveryChannel, DeliveryStatus
from protection.notifications.services import dead_letters, sending
from protection.notifications.services.outbox import Content, Recipient, deliveries_queue
from tests import factories


def _queue(site: Any, recipient: Recipient) -> Delivery:
    (delivery,) = deliveries_queue(
        source=site,
        occasion="outcomes",
        event="alert.raised",
        recipients=[recipient],
        compose=lambda r: Content(subject="Alert at the camp", body="Please look."),
        payload={},
    )
    return delivery


def test_a_receiver_that_answers_too_late_is_recorded_as_no_answer_in_time(
    site: Any, partner_admin: Any, subscribe: Any, receiver: Any, settings: Any
) -> None:
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    created = subscribe(partner_admin, receiver.url)
    delivery = _queue(
        site, Recipient(channel=DeliveryChannel.WEBHOOK, subscription=created.subscription)
    )
    receiver.release.clear()  # it gets the request, and answers only when the test ends

    outcome = sending.delivery_send(delivery_id=delivery.pk)

    assert outcome is not None and outcome.status == DeliveryStatus.DEAD
    delivery.refresh_from_db()
    assert (delivery.last_outcome, delivery.last_error) == ("timeout", "No answer within 0.5 s.")
    assert delivery.maybe_received
    assert len(receiver.requests) == 1  # it did arrive
    notice = Delivery.objects.get(event=dead_letters.DEAD_EVENT)
    assert "No answer in time" in notice.body
    assert "may have got it" in notice.body
    assert notice.payload["outcome"] == "timeout"


def test_a_refusal_is_recorded_as_such_and_does_not_say_it_may_have_arrived(
    site: Any, partner_admin: Any, subscribe: Any, receiver: Any, settings: Any
) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    created = subscribe(partner_admin, receiver.url)
    delivery = _queue(
        site, Recipient(channel=DeliveryChannel.WEBHOOK, subscription=created.subscription)
    )
    receiver.answers.append(422)

    sending.delivery_send(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_outcome) == ("dead", "refused")
    assert delivery.last_error == "HTTP 422: receiver says no"
    assert not delivery.maybe_received
    notice = Delivery.objects.get(event=dead_letters.DEAD_EVENT)
    assert "Refused by the receiver" in notice.body
    assert "may have got it" not in notice.body


def test_a_receiver_that_cannot_be_reached_is_a_connection_failure(
    site: Any, partner_admin: Any, subscribe: Any
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/hook"
    created = subscribe(partner_admin, closed)
    delivery = _queue(
        site, Recipient(channel=DeliveryChannel.WEBHOOK, subscription=created.subscription)
    )

    failed = sending.delivery_send(delivery_id=delivery.pk)

    assert failed is not None and failed.status == DeliveryStatus.FAILED
    delivery.refresh_from_db()
    assert delivery.last_outcome == "connection"
    assert delivery.last_error.startswith("Connection failed")


@pytest.fixture
def refusing_mail_server() -> Iterator[int]:
    """An SMTP server that greets every client with 554 (no service) and hangs up."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection = listener.accept()[0]
            except OSError:
                continue
            with connection:
                connection.sendall(b"554 5.3.2 No service here\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join(timeout=2)
        listener.close()


def _smtp(settings: Any, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 0.5


def test_a_mail_server_that_never_greets_is_no_answer_in_time(
    site: Any, officer: Any, settings: Any, silent_server: str
) -> None:
    _smtp(settings, urlsplit(silent_server).port or 0)
    delivery = _queue(site, Recipient(channel=DeliveryChannel.EMAIL, user=officer))

    failed = sending.delivery_send(delivery_id=delivery.pk)

    assert failed is not None and failed.status == DeliveryStatus.FAILED
    delivery.refresh_from_db()
    assert (delivery.last_outcome, delivery.last_error) == ("timeout", "No answer within 0.5 s.")


def test_a_mail_server_that_refuses_is_refused(
    site: Any, officer: Any, settings: Any, refusing_mail_server: int
) -> None:
    _smtp(settings, refusing_mail_server)
    delivery = _queue(site, Recipient(channel=DeliveryChannel.EMAIL, user=officer))

    sending.delivery_send(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.last_outcome == "refused"
    assert "No service here" in delivery.last_error


def test_the_admin_lists_a_dead_delivery_that_timed_out_as_such(
    client: Any, site: Any, partner_admin: Any, subscribe: Any, receiver: Any, settings: Any
) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    created = subscribe(partner_admin, receiver.url)
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    delivery = _queue(
        site, Recipient(channel=DeliveryChannel.WEBHOOK, subscription=created.subscription)
    )
    receiver.release.clear()
    sending.delivery_send(delivery_id=delivery.pk)
    root = User.objects.create_superuser(
        username="root", email="root@example.org", password=factories.PASSWORD
    )
    client.force_login(root)

    listed = client.get(reverse("admin:notifications_delivery_changelist"), {"outcome": "dead"})
    by_outcome = client.get(
        reverse("admin:notifications_delivery_changelist"), {"last_outcome": "timeout"}
    )
    shown = client.get(reverse("admin:notifications_delivery_change", args=[delivery.pk]))

    for page in (listed, by_outcome, shown):
        assert page.status_code == 200
        assert "No answer in time (the receiver may have got it)" in page.content.decode()
    assert f">{delivery.pk}<" in by_outcome.content.decode()
