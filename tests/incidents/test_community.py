"""The community reporting line: a public page with no account, cookie or address kept; its
triage by the agencies working at the site; the gateway API."""

import datetime
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.db import models
from django.test import Client
from django.utils import timezone

from incidents.community import guard
from incidents.models import CommunityReport, Incident, IncidentType, PerpetratorCategory
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.77"
PAGE = "/report/"


def _post(client: Client, site: Any, **fields: Any) -> Any:
    """Post the form as a person would: the ticket of a page served a minute earlier."""
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=1), tick=False):
        ticket = guard.ticket_issue()
    data = {
        "site": site.pk,
        "kind": "armed_presence",
        "description": "Armed men near the water point at night.",
        "occurred_on": timezone.localdate().strftime("%d/%m/%Y"),
        "contact": "",
        "website": "",
        "ticket": ticket,
        **fields,
    }
    return client.post(PAGE, data, REMOTE_ADDR=ADDRESS)


def _stored_text() -> str:
    """Every text the database holds, in one string (the test database is small)."""
    parts: list[str] = []
    for model in apps.get_models():
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
            or f.get_internal_type() == "GenericIPAddressField"
        ]
        if names:
            for row in model._default_manager.values_list(*names):
                parts.extend(str(value) for value in row)
    return "\n".join(parts)


def test_a_person_reports_without_an_account_and_nothing_of_them_is_kept(site):
    client = Client()
    page = client.get(PAGE, REMOTE_ADDR=ADDRESS)
    assert page.status_code == 200
    assert len(page.content) < 30_000
    assert "<script" not in page.content.decode()

    answer = _post(client, site)
    assert answer.status_code == 200
    report = CommunityReport.objects.get()
    assert report.reference in answer.content.decode()
    assert report.state == "received" and report.channel == "web"
    for response in (page, answer):
        assert not response.cookies, response.cookies
        assert "Set-Cookie" not in response
    assert ADDRESS not in _stored_text()

    status = client.get("/report/status/", {"reference": report.reference.lower()})
    assert status.status_code == 200 and "Received" in status.content.decode()
    assert "Armed men" not in status.content.decode()
    assert client.get("/report/status/", {"reference": "CR-0000-0000"}).status_code == 404


def test_the_page_speaks_french_and_arabic(site):
    client = Client()
    arabic = client.get(PAGE, {"lang": "ar"}).content.decode()
    assert 'dir="rtl"' in arabic and 'lang="ar"' in arabic
    french = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'lang="fr"' in french


def test_bad_input_is_named_and_nothing_is_written(site):
    answer = _post(Client(), site, kind="", description="", occurred_on="31/02/2020")
    assert answer.status_code == 400
    body = answer.content.decode()
    assert body.count('class="errorlist') >= 3
    assert not CommunityReport.objects.exists()


def test_scripts_are_turned_away(site, settings):
    client = Client()
    assert _post(client, site, website="http://spam.example").status_code == 400
    assert _post(client, site, ticket=guard.ticket_issue()).status_code == 400  # too fast
    assert _post(client, site, ticket="forged").status_code == 400
    assert not CommunityReport.objects.exists()

    settings.COMMUNITY_REPORTS_PER_HOUR = 2
    fresh = Client()
    statuses = [_post(fresh, site, REMOTE_ADDR="198.51.100.9").status_code for _ in range(3)]
    assert statuses[-1] == 429
    assert CommunityReport.objects.count() <= 2


def test_triage_makes_an_incident_or_closes_with_a_reason(site, officer):
    _post(Client(), site)
    _post(Client(), site, description="Two children missing since the market day.")
    first, second = CommunityReport.objects.order_by("pk")
    client = signed_in(officer)
    queue = client.get("/incidents/community/").content.decode()
    assert first.reference in queue and "Armed men" not in queue  # no narrative in the list

    refused = client.post(f"/incidents/community/{first.pk}/", {"decision": "incident"})
    assert refused.status_code == 400 and not Incident.objects.exists()
    made = client.post(
        f"/incidents/community/{first.pk}/",
        {
            "decision": "incident",
            "incident-incident_type": IncidentType.objects.get(code="attack").pk,
            "incident-severity": 3,
            "incident-perpetrator_category": PerpetratorCategory.objects.get(
                code="non_state_armed_group"
            ).pk,
        },
    )
    assert made.status_code == 302
    first.refresh_from_db()
    assert first.state == "followed_up" and first.incident is not None
    assert first.incident.source == "community_line"
    assert first.incident.description == first.description

    assert (
        client.post(
            f"/incidents/community/{second.pk}/", {"decision": "close", "close-reason": ""}
        ).status_code
        == 400
    )
    client.post(
        f"/incidents/community/{second.pk}/",
        {"decision": "close", "close-reason": "Found with their aunt."},
    )
    second.refresh_from_db()
    assert second.state == "closed" and second.close_reason == "Found with their aunt."
    public = Client().get("/report/status/", {"reference": second.reference}).content.decode()
    assert "Closed" in public and "aunt" not in public


def test_another_agencys_report_is_not_found(site, other_site, officer, other_officer):
    _post(Client(), other_site)
    report = CommunityReport.objects.get()
    client = signed_in(officer)
    assert report.reference not in client.get("/incidents/community/").content.decode()
    assert client.get(f"/incidents/community/{report.pk}/").status_code == 404
    assert (
        client.post(
            f"/incidents/community/{report.pk}/", {"decision": "close", "close-reason": "x"}
        ).status_code
        == 404
    )
    assert signed_in(other_officer).get(f"/incidents/community/{report.pk}/").status_code == 200
