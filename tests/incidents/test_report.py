"""Reporting an incident: one transaction writes the incident, its alerts and the outbox."""

import datetime
import decimal
import json
import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from incidents.models import Alert, Incident, IncidentVictim
from incidents.reporting.selectors import incident_view_for
from incidents.reporting.services import incident_update, normalise_occurred_at
from incidents.representations import FullIncident
from protection.audit_values import value_hash
from protection.celery import app as celery_app
from protection.models import AuditEvent
from protection.notifications.models import Delivery
from tests import factories
from tests.incidents.conftest import make_user, report


def test_an_officer_reports_an_incident_with_a_readable_reference(officer: Any, site: Any) -> None:
    result = report(officer, site=site)

    incident = Incident.objects.get()
    assert result.incident == incident
    assert re.fullmatch(r"I-[0-9A-Z]{4}-[0-9A-Z]{4}", incident.reference)
    assert (incident.reported_by, incident.reporting_agency) == (officer, officer.agency)
    assert (incident.status, incident.verification) == ("open", "reported")
    assert (incident.admin1, incident.admin2) == (site.admin1, site.admin2)
    assert incident.male_adults == 2
    assert not incident.involves_children
    event = AuditEvent.objects.get(action="incident.report")
    assert event.actor == officer
    assert event.changes["description"] == [None, value_hash("description", incident.description)]


def test_bad_input_gets_every_reason_and_writes_nothing(officer: Any, site: Any) -> None:
    with pytest.raises(ValidationError) as error:
        report(
            officer,
            site=None,
            severity=7,
            description="  ",
            occurred_at=timezone.now() + datetime.timedelta(days=1),
            source="rumour",
            female_adults=-1,
        )
    assert set(error.value.message_dict) == {
        "site",
        "severity",
        "description",
        "occurred_at",
        "source",
        "female_adults",
    }
    assert not Incident.objects.exists()
    assert not AuditEvent.objects.filter(action="incident.report").exists()


def test_coordinates_stand_in_for_a_site_and_must_come_in_pairs(officer: Any) -> None:
    with pytest.raises(ValidationError) as error:
        report(officer, latitude=decimal.Decimal("9.5"))
    assert "longitude" in error.value.message_dict

    result = report(
        officer,
        latitude=decimal.Decimal("9.512345"),
        longitude=decimal.Decimal("31.6"),
        admin1="Upper Nile",
    )
    assert result.incident.site is None
    assert result.incident.latitude == decimal.Decimal("9.512345")


def test_nobody_reports_at_a_site_of_another_agency(officer: Any, other_site: Any) -> None:
    with pytest.raises(PermissionDenied):
        report(officer, site=other_site)
    assert not Incident.objects.exists()


def test_analysts_do_not_report(agency: Any, site: Any) -> None:
    analyst = make_user(agency=agency, role="analyst")
    with pytest.raises(PermissionDenied):
        report(analyst, site=site)


def test_victims_are_people_the_reporter_may_see(
    officer: Any, other_officer: Any, site: Any, other_site: Any
) -> None:
    stranger = factories.register_household(actor=other_officer, site=other_site).members[0]
    with pytest.raises(ValidationError) as error:
        report(officer, site=site, victims=[stranger])
    assert "victims" in error.value.message_dict
    assert not Incident.objects.exists()


def test_linked_victims_are_counted_and_a_child_flags_child_protection(
    officer: Any, site: Any
) -> None:
    members = factories.register_household(
        actor=officer,
        site=site,
        members=[
            {"given_name": "Amina"},
            {
                "given_name": "Nyakuma",
                "relationship_to_head": "child",
                "date_of_birth": datetime.date(2015, 3, 1),
            },
        ],
    ).members

    result = report(officer, site=site, victims=members, male_adults=0, female_adults=0)

    incident = result.incident
    assert incident.female_adults == 1
    assert incident.female_children == 1
    assert incident.involves_children
    assert set(IncidentVictim.objects.values_list("person_id", flat=True)) == {
        m.pk for m in members
    }


def test_a_grave_violation_is_always_a_child_protection_concern(officer: Any, site: Any) -> None:
    result = report(officer, site=site, incident_type="gv_attack_school_hospital", male_adults=0)
    assert result.incident.involves_children


def test_an_imprecise_date_is_stored_at_the_start_of_its_day_or_month() -> None:
    moment = datetime.datetime(2026, 3, 17, 15, 42, tzinfo=datetime.UTC)
    assert normalise_occurred_at(moment, "exact") == moment
    assert normalise_occurred_at(moment, "day") == datetime.datetime(
        2026, 3, 17, tzinfo=datetime.UTC
    )
    assert normalise_occurred_at(moment, "month") == datetime.datetime(
        2026, 3, 1, tzinfo=datetime.UTC
    )


def test_the_audit_trail_masks_what_could_identify_a_gbv_survivor(officer: Any, site: Any) -> None:
    person = factories.register_household(actor=officer, site=site).members[0]
    report(
        officer,
        site=site,
        incident_type="gbv_rape",
        description="Attacked near the latrines of block C at night.",
        location_detail="Block C latrines",
        victims=[person],
        male_adults=0,
    )

    event = AuditEvent.objects.get(action="incident.report")
    text = json.dumps(event.changes)
    assert "latrines" not in text
    assert event.changes["description"] == ["***", "***"]
    assert event.changes["victims"] == ["***", "***"]
    assert event.changes["female_adults"] == [None, 1]


def test_reporting_raises_alerts_and_writes_tier_one_deliveries_in_the_same_transaction(
    officer: Any,
    site: Any,
    two_tier_policy: Any,
    duty_officer: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    enqueued: list[int] = []
    monkeypatch.setattr(
        celery_app, "send_task", lambda name, args, **options: enqueued.append(args[0])
    )

    with django_capture_on_commit_callbacks(execute=True):
        result = report(officer, site=site, severity=4)

    (alert,) = result.alerts
    assert (alert.policy, alert.tier, alert.status) == (two_tier_policy, 1, "open")
    assert alert.deadline_at == alert.raised_at + datetime.timedelta(minutes=30)
    deliveries = list(Delivery.objects.filter(source_type="incidents.alert").order_by("id"))
    assert [(d.recipient_user, d.channel) for d in deliveries] == [
        (duty_officer, "in_app"),
        (duty_officer, "email"),
    ]
    assert sorted(enqueued) == [d.pk for d in deliveries]
    assert AuditEvent.objects.filter(action="alert.raise", object_id=str(alert.pk)).exists()


def test_a_minor_incident_raises_no_alert(officer: Any, site: Any, two_tier_policy: Any) -> None:
    result = report(officer, site=site, severity=2)
    assert result.alerts == []
    assert not Delivery.objects.exists()


def test_an_alert_says_what_happened_without_identifying_anyone(
    officer: Any, site: Any, two_tier_policy: Any, duty_officer: Any
) -> None:
    person = factories.register_household(actor=officer, site=site).members[0]
    report(
        officer,
        site=site,
        severity=4,
        incident_type="gbv_rape",
        description="Amina was attacked near the latrines.",
        victims=[person],
        male_adults=0,
    )

    delivery = Delivery.objects.get(channel="email")
    text = delivery.subject + delivery.body + json.dumps(delivery.payload)
    assert "Rape" in delivery.subject and "Critical" in delivery.subject
    assert site.name in delivery.subject
    for identifying in ("Amina", "latrines", person.registration_number, person.family_name):
        assert identifying not in text
    assert delivery.payload["incident"]["anonymised"] is True
    assert delivery.payload["incident"]["victims"]["female_adults"] == 1


def test_an_alert_is_written_in_the_recipients_language(
    officer: Any, site: Any, two_tier_policy: Any, duty_officer: Any
) -> None:
    duty_officer.preferred_language = "fr"
    duty_officer.save(update_fields=["preferred_language"])

    report(officer, site=site, severity=4)

    delivery = Delivery.objects.get(channel="email")
    assert "Enlèvement" in delivery.subject  # the French label of the type


def test_incident_reported_webhooks_go_to_agencies_working_in_the_site(
    officer: Any, site: Any, other_agency: Any, local_webhooks: None
) -> None:
    from protection.notifications.services.subscriptions import webhook_subscription_create

    partner = factories.AgencyFactory(acronym="PRT")
    site.operating_agencies.add(partner)
    partner_api = make_user(agency=partner, role="partner_api")
    outsider_api = make_user(agency=other_agency, role="partner_api")
    working = webhook_subscription_create(
        actor=partner_api, url="http://127.0.0.1:9/hook", events=["incident.reported"]
    ).subscription
    webhook_subscription_create(
        actor=outsider_api, url="http://127.0.0.1:9/other", events=["incident.reported"]
    )

    result = report(officer, site=site, description="Details only the agency sees.")

    delivery = Delivery.objects.get(channel="webhook")
    assert delivery.subscription == working
    assert delivery.payload["incident"]["reference"] == result.incident.reference
    assert "Details" not in json.dumps(delivery.payload)


@pytest.fixture
def local_webhooks(settings: Any) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_REQUIRE_HTTPS = False


def test_the_reporting_agency_moves_the_response_forward(
    officer: Any, other_officer: Any, site: Any, agency: Any
) -> None:
    incident = report(officer, site=site).incident
    site.operating_agencies.add(other_officer.agency)
    case_worker = make_user(agency=agency, role="case_worker")

    incident_update(
        actor=officer, incident=incident, status="responding", actions_taken="Family informed."
    )

    incident.refresh_from_db()
    assert (incident.status, incident.actions_taken) == ("responding", "Family informed.")
    event = AuditEvent.objects.get(action="incident.update")
    assert event.changes["status"] == ["open", "responding"]
    with pytest.raises(PermissionDenied):
        incident_update(actor=other_officer, incident=incident, status="closed")
    with pytest.raises(PermissionDenied):
        incident_update(actor=case_worker, incident=incident, status="closed")
    with pytest.raises(ValidationError):
        incident_update(actor=officer, incident=incident, verification="probably")
    assert Alert.objects.count() == 0


def test_an_incident_links_a_case_the_reporter_may_see(
    officer: Any, other_officer: Any, site: Any, other_site: Any, agency: Any
) -> None:
    from cases.casework.services import case_open

    person = factories.register_household(actor=officer, site=site).members[0]
    case = case_open(
        actor=officer, person=person, case_type="general_protection", risk_level="high"
    )
    stranger = factories.register_household(actor=other_officer, site=other_site).members[0]
    other_case = case_open(
        actor=other_officer, person=stranger, case_type="general_protection", risk_level="low"
    )

    with pytest.raises(ValidationError) as error:
        report(officer, site=site, linked_case=other_case)
    assert "linked_case" in error.value.message_dict

    incident = report(officer, site=site, linked_case=case).incident

    assert incident.linked_case == case
    view = incident_view_for(user=officer, incident=incident)
    assert isinstance(view, FullIncident) and view.linked_case == case
    # The agency's partner system sees the incident in full, but not case files.
    partner_client = make_user(agency=agency, role="partner_api")
    client_view = incident_view_for(user=partner_client, incident=incident)
    assert isinstance(client_view, FullIncident) and client_view.linked_case is None
