"""The incident pages: quick report, list, detail with timeline, map, alerts and the inbox."""

import datetime
import re
from typing import Any

from django.urls import reverse
from django.utils import timezone

from incidents.models import Alert, Incident
from protection.models import AccessLog
from protection.notifications.models import Delivery, Notification
from protection.notifications.services.sending import delivery_send
from tests import factories
from tests.incidents.conftest import make_agency, make_user, report


def _form(site: Any, **overrides: Any) -> dict[str, Any]:
    from incidents.models import IncidentType, PerpetratorCategory

    values: dict[str, Any] = {
        "incident_type": IncidentType.objects.get(code="attack").pk,
        "severity": "4",
        "site": site.pk,
        "occurred_at": (timezone.localtime() - datetime.timedelta(hours=1)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "occurred_precision": "exact",
        "description": "Armed men entered block C and burned shelters.",
        "female_children": "0",
        "male_children": "1",
        "female_adults": "0",
        "male_adults": "3",
        "sex_or_age_unknown": "0",
        "victims": "",
        "perpetrator_category": PerpetratorCategory.objects.get(code="non_state_armed_group").pk,
        "source": "direct_observation",
        "verification": "reported",
    }
    values.update(overrides)
    return values


def test_an_officer_reports_from_the_quick_form(
    client: Any, officer: Any, site: Any, two_tier_policy: Any
) -> None:
    client.force_login(officer)
    assert client.get(reverse("incidents:report")).status_code == 200

    response = client.post(reverse("incidents:report"), _form(site))

    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:detail", args=[incident.pk])
    assert incident.involves_children
    assert Alert.objects.filter(incident=incident).count() == 1
    page = client.get(response["Location"])
    assert "1 alert(s) raised" in page.content.decode()


def test_bad_input_is_shown_and_nothing_is_written(client: Any, officer: Any, site: Any) -> None:
    client.force_login(officer)

    response = client.post(
        reverse("incidents:report"),
        _form(site, description="", male_adults="-2", victims="P-0000-0000, hello"),
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved." in text
    assert "Not registration numbers: HELLO." in text
    assert not Incident.objects.exists()


def test_registered_victims_are_named_by_registration_number(
    client: Any, officer: Any, other_officer: Any, site: Any, other_site: Any
) -> None:
    person = factories.register_household(actor=officer, site=site).members[0]
    stranger = factories.register_household(actor=other_officer, site=other_site).members[0]
    client.force_login(officer)

    refused = client.post(
        reverse("incidents:report"), _form(site, victims=stranger.registration_number)
    )
    accepted = client.post(
        reverse("incidents:report"),
        _form(site, victims=person.registration_number.lower().replace("-", " ")),
    )

    assert "No one your agency registered has these numbers" in refused.content.decode()
    assert accepted.status_code == 302
    assert list(Incident.objects.get().victims.all()) == [person]


def test_the_list_filters_and_costs_a_fixed_number_of_queries(
    client: Any, officer: Any, site: Any, django_assert_max_num_queries: Any
) -> None:
    for severity in (1, 2, 3, 4) * 10:
        report(officer, site=site, severity=severity)
    client.force_login(officer)

    # Ten queries for a page of 40 rows, none of them per row; three are the access-log insert
    # (the chain's lock and head, the insert).
    with django_assert_max_num_queries(10):
        page = client.get(reverse("incidents:list"))
    filtered = client.get(reverse("incidents:list"), {"severity": "4"})

    assert page.status_code == 200
    assert page.content.decode().count('class="code"') == 40
    assert filtered.content.decode().count('class="code"') == 10


def test_the_detail_is_full_for_the_reporter_and_anonymised_for_a_partner(
    client: Any, officer: Any, site: Any
) -> None:
    person = factories.register_household(actor=officer, site=site).members[0]
    incident = report(
        officer, site=site, description="Shot near the water point.", victims=[person]
    ).incident
    partner = make_agency(acronym="PRT")
    site.operating_agencies.add(partner)
    client.force_login(officer)

    full = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    client.force_login(make_user(agency=partner, role="supervisor"))
    anonymised = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()

    assert "Shot near the water point." in full and person.registration_number in full
    assert AccessLog.objects.filter(user=officer, object_id=str(person.pk)).exists()
    assert incident.reference in anonymised
    assert "water point" not in anonymised and person.registration_number not in anonymised
    assert "You see the anonymised incident" in anonymised


def test_another_agency_outside_the_site_gets_404_and_an_analyst_403(
    client: Any, officer: Any, other_officer: Any, site: Any, agency: Any
) -> None:
    incident = report(officer, site=site).incident
    client.force_login(other_officer)
    assert client.get(reverse("incidents:detail", args=[incident.pk])).status_code == 404
    client.force_login(make_user(agency=agency, role="analyst"))
    assert client.get(reverse("incidents:list")).status_code == 403


def test_the_reporting_agency_updates_the_response_from_the_detail(
    client: Any, officer: Any, site: Any
) -> None:
    incident = report(officer, site=site).incident
    client.force_login(officer)

    page = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    base = re.search(r'name="edit_base" value="([^"]+)"', page)
    assert base is not None

    client.post(
        reverse("incidents:update", args=[incident.pk]),
        {
            "status": "closed",
            "verification": "verified",
            "actions_taken": "Referred.",
            "edit_base": base.group(1),
        },
    )

    incident.refresh_from_db()
    assert (incident.status, incident.verification) == ("closed", "verified")
    page = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert "Response updated" in page


def test_the_map_places_anonymised_incidents_at_their_camp(
    client: Any, officer: Any, site: Any
) -> None:
    import decimal

    exact = report(
        officer,
        site=site,
        latitude=decimal.Decimal("9.600000"),
        longitude=decimal.Decimal("31.700000"),
    ).incident
    partner = make_agency(acronym="PRT")
    site.operating_agencies.add(partner)
    client.force_login(officer)
    assert client.get(reverse("incidents:map")).status_code == 200

    own = client.get(reverse("incidents:map_data")).json()["features"]
    client.force_login(make_user(agency=partner, role="supervisor"))
    theirs = client.get(reverse("incidents:map_data")).json()["features"]

    def incident_point(features: list[dict[str, Any]]) -> list[float]:
        (feature,) = [f for f in features if f["properties"]["kind"] == "incident"]
        assert feature["properties"]["reference"] == exact.reference
        return list(feature["geometry"]["coordinates"])

    assert incident_point(own) == [31.7, 9.6]
    assert incident_point(theirs) == [float(site.longitude), float(site.latitude)]
    assert any(f["properties"]["kind"] == "site" for f in theirs)
    # Both readers of the map are in the incident's access log, as a list read.
    reads = AccessLog.objects.filter(object_type="incidents.incident", object_id=str(exact.pk))
    assert sorted(reads.values_list("purpose", flat=True)) == ["list", "list"]


def test_a_recipient_acknowledges_from_the_alert_page_and_others_get_404(
    client: Any, officer: Any, site: Any, two_tier_policy: Any, duty_officer: Any
) -> None:
    (alert,) = report(officer, site=site, severity=4).alerts
    client.force_login(officer)
    assert client.get(reverse("incidents:alert_detail", args=[alert.pk])).status_code == 404
    client.force_login(duty_officer)

    listing = client.get(reverse("incidents:alert_list")).content.decode()
    page = client.get(reverse("incidents:alert_detail", args=[alert.pk]))
    response = client.post(reverse("incidents:alert_acknowledge", args=[alert.pk]))

    assert alert.incident is not None and alert.incident.reference in listing
    assert "Acknowledge" in page.content.decode()
    assert response.status_code == 302
    assert Alert.objects.get(pk=alert.pk).status == "acknowledged"


def test_the_inbox_counts_unread_and_opens_the_alert(
    client: Any, officer: Any, site: Any, two_tier_policy: Any, duty_officer: Any
) -> None:
    (alert,) = report(officer, site=site, severity=4).alerts
    for delivery in Delivery.objects.filter(channel="in_app"):
        delivery_send(delivery_id=delivery.pk)
    client.force_login(duty_officer)

    inbox = client.get(reverse("notifications:inbox")).content.decode()
    notification = Notification.objects.get()
    opened = client.get(reverse("notifications:open", args=[notification.pk]))

    assert "1 unread notification." in inbox
    assert opened["Location"] == reverse("incidents:alert_detail", args=[alert.pk])
    assert Notification.objects.get().read_at is not None
    client.force_login(officer)
    assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 404
