"""The same-event API: suggestions with why, the event, link, unlink and the primary record."""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from incidents.models import IncidentEvent
from protection.models import AuditEvent
from tests.incidents.conftest import make_agency, make_site, make_user, report

pytestmark = pytest.mark.django_db


def _at(hours_ago: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours_ago)


@pytest.fixture
def two_reports(officer: Any, other_officer: Any, site: Any, other_agency: Any) -> tuple[Any, Any]:
    """The same attack reported by both agencies working at the site."""
    site.operating_agencies.add(other_agency)
    mine = report(officer, site=site, occurred_at=_at(3)).incident
    theirs = report(other_officer, site=site, occurred_at=_at(5)).incident
    return mine, theirs


def test_an_officer_sees_why_and_links_the_other_agencys_report(
    two_reports, officer, other_officer, client_for
):
    mine, theirs = two_reports
    client = client_for(officer)
    found = client.get(f"/api/v1/incidents/{mine.pk}/same-event-suggestions/").json()
    assert found["suggestions"][0]["incident"]["id"] == theirs.pk
    assert found["suggestions"][0]["explanation"] == "same site, 2 hours apart, same type"

    linked = client.post(
        f"/api/v1/incidents/{mine.pk}/link/",
        {"other": theirs.pk},
        format="json",
        HTTP_IDEMPOTENCY_KEY="link-1",
    )
    assert linked.status_code == 200
    event = IncidentEvent.objects.get()
    assert linked.json()["event"] == event.pk and event.primary_id == mine.pk
    # The other agency sees the event too, and its own report anonymised or full as ever.
    theirs_view = client_for(other_officer).get(f"/api/v1/incidents/{theirs.pk}/same-event/")
    assert theirs_view.json() == {
        "event": event.pk,
        "primary": mine.pk,
        "reports": [
            {
                "id": mine.pk,
                "reference": mine.reference,
                "type": "abduction",
                "type_name": "Abduction",
                "occurred_on": timezone.localtime(mine.occurred_at).date().isoformat(),
                "site": mine.site_id,
                "site_code": "KAK-01",
            },
            {
                "id": theirs.pk,
                "reference": theirs.reference,
                "type": "abduction",
                "type_name": "Abduction",
                "occurred_on": timezone.localtime(theirs.occurred_at).date().isoformat(),
                "site": theirs.site_id,
                "site_code": "KAK-01",
            },
        ],
    }
    unlinked = client.post(f"/api/v1/incidents/{theirs.pk}/unlink/")
    assert unlinked.status_code == 200 and unlinked.json()["event"] is None
    assert not IncidentEvent.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"other": "x"}, {"other": 999999}, {"other": None}, {"other": -1}],
)
def test_bad_input_is_a_field_error_and_writes_nothing(two_reports, officer, client_for, body):
    mine, _theirs = two_reports
    audit = AuditEvent.objects.count()
    answer = client_for(officer).post(f"/api/v1/incidents/{mine.pk}/link/", body, format="json")
    assert answer.status_code == 400
    assert "other" in answer.json()
    assert not IncidentEvent.objects.exists() and AuditEvent.objects.count() == audit


def test_linking_to_itself_or_twice_is_refused(two_reports, officer, client_for):
    mine, theirs = two_reports
    client = client_for(officer)
    itself = client.post(f"/api/v1/incidents/{mine.pk}/link/", {"other": mine.pk}, format="json")
    assert itself.status_code == 400 and "other" in itself.json()
    client.post(f"/api/v1/incidents/{mine.pk}/link/", {"other": theirs.pk}, format="json")
    again = client.post(f"/api/v1/incidents/{theirs.pk}/link/", {"other": mine.pk}, format="json")
    assert again.status_code == 400 and "already linked" in again.json()["other"][0]
    not_linked = make_site(managing_agency=officer.agency)
    alone = report(officer, site=not_linked).incident
    answer = client.post(f"/api/v1/incidents/{alone.pk}/unlink/")
    assert answer.status_code == 400 and "incident" in answer.json()


def test_another_agencys_report_cannot_be_linked_or_suggested(officer, site, client_for):
    mine = report(officer, site=site, occurred_at=_at(3)).incident
    outsider = make_user(agency=make_agency(), role="protection_officer")
    theirs = report(
        outsider, site=make_site(managing_agency=outsider.agency), occurred_at=_at(3)
    ).incident
    client = client_for(officer)
    assert (
        client.get(f"/api/v1/incidents/{mine.pk}/same-event-suggestions/").json()["suggestions"]
        == []
    )
    answer = client.post(f"/api/v1/incidents/{mine.pk}/link/", {"other": theirs.pk}, format="json")
    assert answer.status_code == 400 and "other" in answer.json()
    assert client.post(f"/api/v1/incidents/{theirs.pk}/unlink/").status_code == 404
    assert not IncidentEvent.objects.exists()


def test_suggestions_cost_a_fixed_number_of_queries(
    officer, site, client_for, django_assert_max_num_queries
):
    mine = report(officer, site=site, occurred_at=_at(3)).incident
    for hours in range(1, 13):
        report(officer, site=site, occurred_at=_at(hours))
    client = client_for(officer)
    with django_assert_max_num_queries(12):
        answer = client.get(f"/api/v1/incidents/{mine.pk}/same-event-suggestions/")
    assert len(answer.json()["suggestions"]) == 10
