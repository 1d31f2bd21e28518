"""Migration 0002 keeps what exists working: a partner's first-version secret still verifies
(the same key, now written whsec_<base64>), and old failures get the outcome their error names."""

import base64
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from standardwebhooks import Webhook

from protection.notifications.models import Delivery, DeliveryChannel, WebhookSubscription
from protection.notifications.services.outbox import Content, Recipient, deliveries_queue
from protection.notifications.services.sending import delivery_send
from tests.notifications.receiver import verify, verify_legacy

BEFORE = [("notifications", "0001_initial")]
# What webhooks.new_secret() made before: secrets.token_urlsafe(32), its UTF-8 bytes the key.
FIRST_VERSION_SECRET = "Yx3-kP0q_7vLrT2mNcW8bHs5dJf1gZaQe4uIo6yRt9E"


def _migrate_back_and_write(partner_admin: Any, url: str, officer: Any) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    subscription = old.get_model("notifications", "WebhookSubscription").objects.create(
        agency_id=partner_admin.agency_id,
        url=url,
        events=["alert.raised"],
        secret=FIRST_VERSION_SECRET,
        secret_hint=FIRST_VERSION_SECRET[-4:],
    )
    rows = old.get_model("notifications", "Delivery").objects
    for n, (status, error) in enumerate(
        [
            ("failed", "HTTP 500: receiver says no"),
            ("dead", "No answer within 10 s."),
            ("dead", "Connection failed: [Errno 111] Connection refused"),
            ("dead", "Email not sent: something unexpected"),
        ]
    ):
        rows.create(
            key=f"old:{n}",
            channel="webhook",
            subscription_id=subscription.pk,
            event="alert.raised",
            source_type="test.old",
            source_id=str(n),
            subject="Old",
            status=status,
            attempts=1,
            last_error=error,
        )
    rows.create(
        key="old:email",
        channel="email",
        recipient_user_id=officer.pk,
        event="alert.raised",
        source_type="test.old",
        source_id="9",
        subject="Old",
        status="dead",
        attempts=1,
        last_error="The recipient has no email address.",
    )


def _migrate_forward() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_first_version_secrets_and_failures_survive_the_migration(
    partner_admin: Any, officer: Any, receiver: Any, local_webhooks: None, site: Any
) -> None:
    try:
        _migrate_back_and_write(partner_admin, receiver.url, officer)
    finally:
        _migrate_forward()

    subscription = WebhookSubscription.objects.get()
    key = FIRST_VERSION_SECRET.encode()
    assert subscription.secret == "whsec_" + base64.b64encode(key).decode()
    assert subscription.secret_hint == FIRST_VERSION_SECRET[-4:]  # as the partner knows it
    outcomes = dict(Delivery.objects.values_list("source_id", "last_outcome"))
    assert outcomes == {
        "0": "refused",
        "1": "timeout",
        "2": "connection",
        "3": "",  # the error does not say: no outcome is claimed
        "9": "undeliverable",
    }

    (delivery,) = deliveries_queue(
        source=site,
        occasion="after-migration",
        event="alert.raised",
        recipients=[Recipient(channel=DeliveryChannel.WEBHOOK, subscription=subscription)],
        compose=lambda r: Content(subject="Alert", body=""),
        payload={},
    )
    delivery_send(delivery_id=delivery.pk)

    (request,) = receiver.requests
    # The partner's receiver of the first version still verifies, with the secret it holds...
    assert verify_legacy(key=key, headers=request.headers, body=request.body)
    # ... and so does a Standard Webhooks library, given that secret's bytes or the whsec_ form.
    Webhook(key).verify(request.body, request.headers)
    assert verify(secret=subscription.secret, headers=request.headers, body=request.body)
