"""The admin for incidents, policies, deliveries and webhooks: read-only where services write,
anonymised incidents, the secret shown once, dead deliveries found with their last error."""

from typing import Any

import pytest
from django.urls import reverse

from incidents.models import EscalationPolicy, GbvDesignation
from protection.accounts.models import User
from protection.models import AuditEvent
from protection.notifications.models import Delivery, WebhookSubscription
from protection.notifications.services.outbox import Content, Recipient, deliveries_queue
from protection.notifications.services.sending import delivery_send
from tests import factories
from tests.incidents.conftest import make_user, report


@pytest.fixture
def superuser(db: None) -> Any:
    return User.objects.create_superuser(
        username="root", email="root@example.org", password=factories.PASSWORD
    )


@pytest.fixture
def staff_admin(agency: Any) -> Any:
    return make_user(agency=agency, role="admin", is_staff=True, username="mpu_admin")


@pytest.mark.parametrize(
    "model",
    [
        "incidents/incidenttype",
        "incidents/perpetratorcategory",
        "incidents/escalationpolicy",
        "incidents/escalationtier",
        "incidents/incident",
        "incidents/alert",
        "incidents/gbvdesignation",
        "notifications/delivery",
        "notifications/webhooksubscription",
    ],
)
def test_every_list_opens_for_a_superuser(client: Any, superuser: Any, model: str) -> None:
    client.force_login(superuser)
    assert client.get(f"/admin/{model}/").status_code == 200
    assert client.get(f"/admin/{model}/add/").status_code in (200, 403)


def test_the_admin_shows_incidents_without_what_identifies_a_victim(
    client: Any, superuser: Any, officer: Any, site: Any
) -> None:
    incident = report(
        officer,
        site=site,
        incident_type="gbv_rape",
        description="Attacked behind the clinic at night.",
        location_detail="Behind the clinic",
        male_adults=0,
        female_adults=1,
    ).incident
    client.force_login(superuser)

    page = client.get(reverse("admin:incidents_incident_change", args=[incident.pk]))

    assert page.status_code == 200
    assert incident.reference in page.content.decode()
    assert "clinic" not in page.content.decode()
    assert (
        client.post(reverse("admin:incidents_incident_delete", args=[incident.pk])).status_code
        == 403
    )


def test_dead_deliveries_are_found_with_their_last_error_and_sent_again(
    client: Any, staff_admin: Any, site: Any, agency: Any, other_agency: Any
) -> None:
    no_email = make_user(agency=agency, email="", username="no_email")
    outsider = make_user(agency=other_agency, email="", username="outsider")
    for user in (no_email, outsider):
        (delivery,) = deliveries_queue(
            source=site,
            occasion="x",
            event="test.event",
            recipients=[Recipient(channel="email", user=user)],
            compose=lambda r: Content(subject="Subject", body="Body"),
            payload={},
        )
        delivery_send(delivery_id=delivery.pk)
    client.force_login(staff_admin)

    page = client.get(reverse("admin:notifications_delivery_changelist"), {"outcome": "dead"})

    text = page.content.decode()
    assert "The recipient has no email address." in text
    assert str(no_email) in text
    assert str(outsider) not in text  # another agency's deliveries stay out of sight
    dead = Delivery.objects.get(recipient_user=no_email)
    response = client.post(
        reverse("admin:notifications_delivery_changelist"),
        {"action": "send_again", "_selected_action": [dead.pk]},
    )
    assert response.status_code == 302
    dead.refresh_from_db()
    assert dead.status == "pending"


def test_an_agency_admin_registers_a_webhook_and_sees_the_secret_once(
    client: Any, staff_admin: Any, settings: Any
) -> None:
    settings.WEBHOOK_REQUIRE_HTTPS = True
    client.force_login(staff_admin)

    page = client.post(
        reverse("admin:notifications_webhooksubscription_add"),
        {
            "url": "https://hooks.example.org/protection",
            "events": ["alert.raised"],
            "description": "Duty room",
        },
    )

    subscription = WebhookSubscription.objects.get()
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert subscription.secret in page.content.decode()
    assert subscription.agency == staff_admin.agency
    change = client.get(
        reverse("admin:notifications_webhooksubscription_change", args=[subscription.pk])
    )
    assert change.status_code == 200
    assert subscription.secret not in change.content.decode()
    assert subscription.secret_hint in change.content.decode()
    assert AuditEvent.objects.filter(action="webhook_subscription.create").exists()


def test_a_gbv_designation_made_in_the_admin_is_audited(
    client: Any, staff_admin: Any, agency: Any
) -> None:
    worker = make_user(agency=agency, role="case_worker")
    client.force_login(staff_admin)

    response = client.post(
        reverse("admin:incidents_gbvdesignation_add"), {"user": worker.pk, "note": "GBV team"}
    )

    assert response.status_code == 302
    assert GbvDesignation.objects.get().granted_by == staff_admin
    assert AuditEvent.objects.filter(action="gbv_designation.grant", actor=staff_admin).exists()


def test_a_policy_and_its_tiers_are_one_audited_write(
    client: Any, superuser: Any, agency: Any
) -> None:
    officer = make_user(agency=agency, role="protection_officer", username="tier_officer")
    client.force_login(superuser)
    prefix = "tiers"
    response = client.post(
        reverse("admin:incidents_escalationpolicy_add"),
        {
            "name": "Killings",
            "trigger": "incident",
            "active": "on",
            "ack_deadline_minutes": "15",
            "minimum_severity": "3",
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-0-level": "1",
            f"{prefix}-0-notify_in_app": "on",
            f"{prefix}-0-notify_email": "on",
            f"{prefix}-0-users": [str(officer.pk)],
            f"{prefix}-0-roles": [f"{agency.pk}:supervisor"],
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    policy = EscalationPolicy.objects.get()
    tier = policy.tiers.get()
    assert tier.level == 1
    assert {(r.kind, r.user_id, r.agency_id, r.role) for r in tier.recipients.all()} == {
        ("user", officer.pk, None, ""),
        ("role", None, agency.pk, "supervisor"),
    }
    event = AuditEvent.objects.get(action="escalationpolicy.create")
    assert event.channel == "admin"
    assert event.changes["tiers"] == [
        None,
        [
            {
                "level": 1,
                "in_app": True,
                "email": True,
                "webhook": False,
                "deadline_minutes": None,
                "users": [officer.pk],
                "roles": [[agency.pk, "supervisor"]],
                "agencies": [],
            }
        ],
    ]
    assert not AuditEvent.objects.filter(action__startswith="escalationtier.").exists()
