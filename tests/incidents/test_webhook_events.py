"""Every event a partner can subscribe to, verified the way a partner does: with the
`standardwebhooks` library, against requests that reached a real HTTP receiver on 127.0.0.1.

A partner named in tier 1 and tier 2 of a policy is told when the alert is raised and again,
with a delivery and a webhook-id of its own, when it is escalated.
"""

import datetime
from collections import Counter
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from incidents.early_warning.services import early_warning_raise
from incidents.early_warning.statistics import WindowAssessment
from incidents.escalation.services import alert_escalate
from incidents.models import Alert, PolicyTrigger
from incidents.zones.services import corridor_status_change
from protection.notifications.models import Delivery, WebhookEvent
from protection.notifications.services.sending import delivery_send
from protection.notifications.services.subscriptions import webhook_subscription_create
from tests.incidents.conftest import make_agency, make_policy, make_user, report
from tests.incidents.zone_world import make_corridor


@pytest.fixture
def partner(site: Any, settings: Any) -> Any:
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    agency = make_agency(acronym="CRF")
    site.operating_agencies.add(agency)
    return make_user(agency=agency, role="partner_api", username="crf_api")


def _send_pending() -> None:
    for pk in Delivery.objects.filter(status="pending").order_by("id").values_list("pk", flat=True):
        delivery_send(delivery_id=pk)


def _past_deadline(alert: Alert) -> datetime.datetime:
    Alert.objects.filter(pk=alert.pk).update(
        deadline_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    return timezone.now()


def test_every_event_type_verifies_with_the_standard_library_and_a_replay_does_not(
    officer: Any, site: Any, partner: Any, receiver: Any
) -> None:
    secret = webhook_subscription_create(
        actor=partner, url=receiver.url, events=list(WebhookEvent.values)
    ).secret
    webhook_tier = {"agencies": [partner.agency], "in_app": False, "webhook": True}
    make_policy(tiers=[webhook_tier, webhook_tier])
    make_policy(name="Early warning", trigger=PolicyTrigger.EARLY_WARNING, tiers=[webhook_tier])

    (alert,) = report(officer, site=site, severity=4).alerts
    alert_escalate(alert_id=alert.pk, now=_past_deadline(alert))
    early_warning_raise(
        site=site,
        assessment=WindowAssessment(
            window="24h", observed=7, expected=0.4, probability=1e-6, raised=True
        ),
    )
    corridor = make_corridor(site)
    corridor_status_change(
        actor=corridor.status_decided_by, corridor=corridor, status="closed", reason="Shelling."
    )
    _send_pending()

    verifier = Webhook(secret)
    documents = [verifier.verify(r.body, r.headers) for r in receiver.requests]
    # Each event the project sends, once: a new event type fails here until it is covered.
    assert Counter(d["type"] for d in documents) == Counter(WebhookEvent.values)
    for request, document in zip(receiver.requests, documents, strict=True):
        assert request.header("webhook-id") == document["id"]
        assert request.header("webhook-signature").startswith("v1,")
    by_type = {d["type"]: d for d in documents}
    assert by_type["alert.raised"]["data"]["tier"] == 1
    assert by_type["alert.escalated"]["data"]["tier"] == 2
    assert by_type["alert.escalated"]["id"] != by_type["alert.raised"]["id"]
    assert by_type["corridor.status_changed"]["data"]["corridor"]["status"] == "closed"
    assert "Shelling" not in str(by_type["corridor.status_changed"])

    request = receiver.requests[0]
    with pytest.raises(WebhookVerificationError):
        verifier.verify(request.body.replace(b'"data"', b'"Data"'), request.headers)
    with pytest.raises(WebhookVerificationError):
        verifier.verify(request.body, {**request.headers, "webhook-id": "another-id"})
    later = timezone.now() + datetime.timedelta(minutes=6)
    with time_machine.travel(later, tick=False), pytest.raises(WebhookVerificationError):
        verifier.verify(request.body, request.headers)  # a replay, captured six minutes ago


def test_a_tier_two_recipient_already_told_at_tier_one_gets_the_escalation(
    officer: Any, site: Any, partner: Any, receiver: Any
) -> None:
    both = make_user(agency=officer.agency, role="supervisor", username="both")
    secret = webhook_subscription_create(
        actor=partner, url=receiver.url, events=["alert.raised", "alert.escalated"]
    ).secret
    tier = {"users": [both], "agencies": [partner.agency], "email": True, "webhook": True}
    make_policy(tiers=[tier, tier])
    (alert,) = report(officer, site=site, severity=4).alerts
    _send_pending()

    outcome = alert_escalate(alert_id=alert.pk, now=_past_deadline(alert))
    _send_pending()

    assert outcome is not None and outcome.deliveries == 3
    rows = Delivery.objects.filter(source_type="incidents.alert", source_id=str(alert.pk))
    assert Counter((d.channel, d.event) for d in rows) == {
        ("in_app", "alert.raised"): 1,
        ("email", "alert.raised"): 1,
        ("webhook", "alert.raised"): 1,
        ("in_app", "alert.escalated"): 1,
        ("email", "alert.escalated"): 1,
        ("webhook", "alert.escalated"): 1,
    }
    assert len({d.key for d in rows}) == 6 and {d.status for d in rows} == {"sent"}
    verifier = Webhook(secret)
    assert [verifier.verify(r.body, r.headers)["type"] for r in receiver.requests] == [
        "alert.raised",
        "alert.escalated",
    ]
    assert len({r.header("webhook-id") for r in receiver.requests}) == 2


def test_the_alert_page_says_how_a_delivery_failed(
    client: Any, officer: Any, site: Any, partner: Any, receiver: Any, settings: Any
) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    duty = make_user(agency=officer.agency, username="duty")
    webhook_subscription_create(actor=partner, url=receiver.url, events=["alert.raised"])
    make_policy(tiers=[{"users": [duty], "agencies": [partner.agency], "webhook": True}])
    receiver.answers.append(503)
    (alert,) = report(officer, site=site, severity=4).alerts
    _send_pending()
    client.force_login(duty)

    page = client.get(reverse("incidents:alert_detail", args=[alert.pk])).content.decode()

    assert "Refused by the receiver" in page
    assert "Dead (gave up)" in page
