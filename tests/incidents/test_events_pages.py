"""The "Probably the same event" panel, the event page, and linking from them."""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from incidents.models import IncidentEvent
from protection.models import AuditEvent
from tests.incidents.conftest import make_agency, make_site, make_user, report
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db


def _at(hours_ago: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours_ago)


@pytest.fixture
def two_reports(officer: Any, other_officer: Any, site: Any, other_agency: Any) -> tuple[Any, Any]:
    site.operating_agencies.add(other_agency)
    mine = report(officer, site=site, occurred_at=_at(3)).incident
    theirs = report(other_officer, site=site, occurred_at=_at(5)).incident
    return mine, theirs


def test_an_officer_links_the_suggested_report_and_both_agencies_see_the_event(
    two_reports, officer, other_officer
):
    mine, theirs = two_reports
    client = signed_in(officer)
    page = client.get(f"/incidents/{mine.pk}/").content.decode()
    assert "Probably the same event" in page
    assert theirs.reference in page and "same site, 2 hours apart, same type" in page

    answer = client.post(f"/incidents/{mine.pk}/link/", {"other": theirs.pk}, follow=True)
    assert answer.status_code == 200
    assert "The reports are linked as one event." in answer.content.decode()
    assert IncidentEvent.objects.get().primary_id == mine.pk
    theirs_page = signed_in(other_officer).get(f"/incidents/{theirs.pk}/same-event/")
    text = theirs_page.content.decode()
    assert mine.reference in text and "Primary record" in text

    signed_in(other_officer).post(f"/incidents/{theirs.pk}/primary/")
    assert IncidentEvent.objects.get().primary_id == theirs.pk
    unlinked = client.post(f"/incidents/{mine.pk}/unlink/", follow=True)
    assert "The report is no longer linked." in unlinked.content.decode()
    assert not IncidentEvent.objects.exists()


@pytest.mark.parametrize("other", ["", "abc", "999999"])
def test_bad_input_says_why_with_a_400_and_writes_nothing(two_reports, officer, other):
    mine, _theirs = two_reports
    client = signed_in(officer)
    audit = AuditEvent.objects.count()
    answer = client.post(f"/incidents/{mine.pk}/link/", {"other": other})
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "Nothing was saved." in text
    assert "Choose the report to link." in text or "not among those you may see" in text
    assert not IncidentEvent.objects.exists() and AuditEvent.objects.count() == audit


def test_unlinking_a_report_that_is_not_linked_is_a_400(officer, site):
    alone = report(officer, site=site).incident
    answer = signed_in(officer).post(f"/incidents/{alone.pk}/unlink/")
    assert answer.status_code == 400
    assert "This report is not linked to an event." in answer.content.decode()


def test_another_agencys_report_is_neither_suggested_nor_linkable(officer, site):
    mine = report(officer, site=site, occurred_at=_at(3)).incident
    outsider = make_user(agency=make_agency(), role="protection_officer")
    theirs = report(outsider, site=make_site(managing_agency=outsider.agency)).incident
    client = signed_in(officer)
    assert theirs.reference not in client.get(f"/incidents/{mine.pk}/").content.decode()
    answer = client.post(f"/incidents/{mine.pk}/link/", {"other": theirs.pk})
    assert answer.status_code == 400
    for path in ("same-event/", "unlink/", "primary/", "link/"):
        method = client.get if path == "same-event/" else client.post
        assert method(f"/incidents/{theirs.pk}/{path}").status_code == 404, path
    assert not IncidentEvent.objects.exists()


def test_the_incident_page_with_its_panel_costs_a_fixed_number_of_queries(
    officer, site, django_assert_max_num_queries
):
    mine = report(officer, site=site, occurred_at=_at(3)).incident
    client = signed_in(officer)
    for hours in range(1, 4):
        report(officer, site=site, occurred_at=_at(hours))
    client.get(f"/incidents/{mine.pk}/")
    with django_assert_max_num_queries(40) as few:
        client.get(f"/incidents/{mine.pk}/")
    for hours in range(4, 12):
        report(officer, site=site, occurred_at=_at(hours))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"/incidents/{mine.pk}/")
