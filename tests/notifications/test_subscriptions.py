"""Partners' webhook subscriptions: the secret shown once and never audited, sites checked."""

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from protection.audit_values import value_hash
from protection.models import AuditEvent
from protection.notifications.selectors import webhook_subscriptions_matching
from protection.notifications.services.subscriptions import (
    webhook_subscription_create,
    webhook_subscription_rotate_secret,
    webhook_subscription_update,
)
from tests.incidents.conftest import make_site, make_user

URL = "https://hooks.childrelief.example.org/protection"


@pytest.fixture
def partner_site(partner_agency: Any, site: Any) -> Any:
    site.operating_agencies.add(partner_agency)
    return site


def _audit_text() -> str:
    return json.dumps(list(AuditEvent.objects.values("action", "changes", "object_repr")))


def test_a_partner_registers_a_url_and_gets_the_secret_once(
    partner_system: Any, partner_site: Any
) -> None:
    created = webhook_subscription_create(
        actor=partner_system, url=URL, events=["alert.raised"], sites=[partner_site]
    )

    subscription = created.subscription
    assert subscription.agency == partner_system.agency
    assert subscription.secret == created.secret
    assert subscription.secret_hint == created.secret[-4:]
    assert list(subscription.sites.all()) == [partner_site]
    event = AuditEvent.objects.get(action="webhook_subscription.create")
    assert event.changes["url"] == [None, value_hash("url", URL)]
    assert created.secret not in _audit_text()


def test_bad_subscriptions_are_refused_with_reasons_and_nothing_is_written(
    partner_system: Any, other_site: Any
) -> None:
    with pytest.raises(ValidationError) as error:
        webhook_subscription_create(
            actor=partner_system,
            url="http://insecure.example.org/",
            events=["alert.raised", "everything"],
            sites=[other_site],
        )
    assert set(error.value.message_dict) == {"url", "events", "sites"}
    with pytest.raises(ValidationError) as error:
        webhook_subscription_create(actor=partner_system, url=URL, events=[])
    assert "events" in error.value.message_dict
    assert not AuditEvent.objects.filter(action__startswith="webhook").exists()


def test_roles_without_webhooks_cannot_subscribe(officer: Any) -> None:
    with pytest.raises(PermissionDenied):
        webhook_subscription_create(actor=officer, url=URL, events=["alert.raised"])


def test_another_agency_cannot_change_a_subscription(partner_system: Any, agency: Any) -> None:
    created = webhook_subscription_create(actor=partner_system, url=URL, events=["alert.raised"])
    stranger = make_user(agency=agency, role="admin")
    with pytest.raises(PermissionDenied):
        webhook_subscription_update(actor=stranger, subscription=created.subscription, active=False)
    with pytest.raises(PermissionDenied):
        webhook_subscription_rotate_secret(actor=stranger, subscription=created.subscription)


def test_changes_and_rotation_are_audited_without_the_secret(partner_admin: Any) -> None:
    created = webhook_subscription_create(actor=partner_admin, url=URL, events=["alert.raised"])

    webhook_subscription_update(
        actor=partner_admin,
        subscription=created.subscription,
        events=["alert.raised", "alert.escalated"],
        active=False,
    )
    rotated = webhook_subscription_rotate_secret(
        actor=partner_admin, subscription=created.subscription
    )

    update = AuditEvent.objects.get(action="webhook_subscription.update")
    assert update.changes == {
        "active": [True, False],
        "events": [["alert.raised"], ["alert.escalated", "alert.raised"]],
    }
    assert rotated.secret != created.secret
    created.subscription.refresh_from_db()
    assert created.subscription.secret == rotated.secret
    assert AuditEvent.objects.filter(action="webhook_subscription.rotate_secret").exists()
    assert created.secret not in _audit_text()
    assert rotated.secret not in _audit_text()


def test_events_go_to_active_subscriptions_for_the_event_and_the_site(
    partner_admin: Any, partner_site: Any, partner_agency: Any, site: Any
) -> None:
    elsewhere = make_site(managing_agency=partner_agency, code="CRF-02")
    everywhere = webhook_subscription_create(
        actor=partner_admin, url=URL, events=["alert.raised"]
    ).subscription
    here = webhook_subscription_create(
        actor=partner_admin, url=URL + "/here", events=["alert.raised"], sites=[partner_site]
    ).subscription
    webhook_subscription_create(
        actor=partner_admin, url=URL + "/there", events=["alert.raised"], sites=[elsewhere]
    )
    webhook_subscription_create(actor=partner_admin, url=URL + "/other", events=["alert.escalated"])
    off = webhook_subscription_create(
        actor=partner_admin, url=URL + "/off", events=["alert.raised"]
    ).subscription
    webhook_subscription_update(actor=partner_admin, subscription=off, active=False)

    assert webhook_subscriptions_matching(event="alert.raised", site=site) == [everywhere, here]
    assert webhook_subscriptions_matching(event="alert.raised", site=None) == [everywhere]
    assert webhook_subscriptions_matching(event="alert.raised", site=site, agencies=[]) == []
