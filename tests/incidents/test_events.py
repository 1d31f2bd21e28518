"""Linked reports of one event: which reports are suggested, linking, unlinking, the primary."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from incidents.events import selectors, services
from incidents.models import GbvDesignation, Incident, IncidentEvent
from protection.models import AccessLog, AccessPurpose, AuditEvent
from tests.incidents.conftest import make_agency, make_site, make_user, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_site(site: Any, other_agency: Any) -> Any:
    """A site both agencies work in: each may see what the other reports there."""
    site.operating_agencies.add(other_agency)
    return site


def _at(hours_ago: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours_ago)


def _suggested(user: Any, incident: Incident) -> list[int]:
    return [s.incident.pk for s in selectors.same_event_suggestions(user=user, incident=incident)]


def test_a_nearby_report_of_the_same_type_two_hours_apart_is_suggested_with_why(
    officer, other_officer, shared_site
):
    mine = report(officer, site=shared_site, occurred_at=_at(3)).incident
    theirs = report(other_officer, site=shared_site, occurred_at=_at(5)).incident
    found = selectors.same_event_suggestions(user=officer, incident=mine)
    assert [s.incident.pk for s in found] == [theirs.pk]
    assert found[0].explanation == "same site, 2 hours apart, same type"
    assert AccessLog.objects.filter(
        user=officer, object_id=str(theirs.pk), purpose=AccessPurpose.DUPLICATE_CHECK
    ).exists()


def test_ten_days_apart_another_taxonomy_or_far_away_is_not_suggested(officer, site, agency):
    mine = report(officer, site=site, occurred_at=_at(2)).incident
    report(officer, site=site, occurred_at=_at(24 * 10))
    report(officer, site=site, occurred_at=_at(2), incident_type="gv_recruitment")
    far = make_site(managing_agency=agency, latitude=Decimal("4.85"), longitude=Decimal("31.6"))
    report(officer, site=far, occurred_at=_at(2))
    assert _suggested(officer, mine) == []


def test_ranking_prefers_same_site_same_type_then_nearest_in_time(officer, site, agency):
    mine = report(officer, site=site, occurred_at=_at(10)).incident
    near_site = make_site(
        managing_agency=agency, latitude=Decimal("9.55"), longitude=Decimal("31.65")
    )
    elsewhere = report(officer, site=near_site, occurred_at=_at(10)).incident
    related = report(officer, site=site, occurred_at=_at(10), incident_type="killing").incident
    later = report(officer, site=site, occurred_at=_at(1)).incident
    closer = report(officer, site=site, occurred_at=_at(9)).incident
    found = selectors.same_event_suggestions(user=officer, incident=mine)
    assert [s.incident.pk for s in found] == [closer.pk, later.pk, related.pk, elsewhere.pk]
    assert found[2].reasons[2] == "related type (same taxonomy)"
    assert found[3].reasons[:2] == ["1.9 km apart", "less than an hour apart"]


def test_date_precision_is_honoured(officer, site):
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    mine = report(officer, site=site, occurred_at=today, occurred_precision="day").incident
    same_day = report(officer, site=site, occurred_at=today + datetime.timedelta(minutes=1))
    found = selectors.same_event_suggestions(user=officer, incident=mine)
    assert [s.incident.pk for s in found] == [same_day.incident.pk]
    assert found[0].reasons[1] == "same day"


def test_another_agency_sees_no_suggestion_among_what_it_may_not_see(officer, other_officer, site):
    mine = report(officer, site=site, occurred_at=_at(3)).incident
    outsider = make_user(agency=make_agency(), role="protection_officer")
    far_site = make_site(managing_agency=outsider.agency)
    report(outsider, site=far_site, occurred_at=_at(3))
    assert _suggested(officer, mine) == []
    theirs = report(outsider, site=far_site, occurred_at=_at(3))
    with pytest.raises(PermissionDenied):
        services.incident_link(actor=officer, incident=mine, other=theirs.incident)
    assert not IncidentEvent.objects.exists()


def test_a_restricted_report_is_suggested_only_to_designated_staff_of_its_agency(
    officer, other_officer, shared_site, agency
):
    mine = report(officer, site=shared_site, occurred_at=_at(3), incident_type="gbv_rape")
    theirs = report(other_officer, site=shared_site, occurred_at=_at(4), incident_type="gbv_rape")
    designated = make_user(agency=agency, role="protection_officer")
    GbvDesignation.objects.create(user=designated)
    colleague = report(designated, site=shared_site, occurred_at=_at(2), incident_type="gbv_rape")
    # Not designated: a restricted incident gets no suggestions and is never one.
    assert _suggested(officer, mine.incident) == []
    general = report(officer, site=shared_site, occurred_at=_at(3)).incident
    assert theirs.incident.pk not in _suggested(officer, general)
    # Designated: the agency's own restricted reports, never another agency's.
    assert _suggested(designated, mine.incident) == [colleague.incident.pk]
    with pytest.raises(PermissionDenied):
        services.incident_link(actor=officer, incident=mine.incident, other=general)


def test_linking_unlinking_and_the_primary_are_audited_by_id(officer, other_officer, shared_site):
    mine = report(officer, site=shared_site, occurred_at=_at(3)).incident
    theirs = report(other_officer, site=shared_site, occurred_at=_at(4)).incident
    third = report(officer, site=shared_site, occurred_at=_at(5)).incident
    event = services.incident_link(actor=officer, incident=mine, other=theirs)
    assert event.primary_id == mine.pk
    assert set(event.reports.values_list("pk", flat=True)) == {mine.pk, theirs.pk}
    # The other agency sees the same event and adds its report; the suggestions skip linked ones.
    assert services.incident_link(actor=other_officer, incident=third, other=theirs) == event
    assert _suggested(officer, mine) == []
    services.incident_event_set_primary(actor=other_officer, incident=theirs)
    event.refresh_from_db()
    assert event.primary_id == theirs.pk
    assert services.incident_unlink(actor=other_officer, incident=theirs) == event
    event.refresh_from_db()
    assert event.primary_id == mine.pk
    assert services.incident_unlink(actor=officer, incident=third) is None
    assert not IncidentEvent.objects.exists()
    assert not Incident.objects.filter(event__isnull=False).exists()
    actions = list(
        AuditEvent.objects.filter(action__startswith="incident_event.")
        .order_by("pk")
        .values_list("action", "changes")
    )
    assert [a for a, _c in actions] == [
        "incident_event.create",
        "incident_event.link",
        "incident_event.link",
        "incident_event.link",
        "incident_event.primary",
        "incident_event.unlink",
        "incident_event.primary",
        "incident_event.unlink",
        "incident_event.dissolve",
    ]
    assert actions[1][1] == {"event": [None, event.pk]}


def test_bad_links_are_refused_and_write_nothing(officer, site):
    mine = report(officer, site=site, occurred_at=_at(3)).incident
    other = report(officer, site=site, occurred_at=_at(3)).incident
    with pytest.raises(ValidationError) as error:
        services.incident_link(actor=officer, incident=mine, other=mine)
    assert "other" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.incident_unlink(actor=officer, incident=mine)
    services.incident_link(actor=officer, incident=mine, other=other)
    with pytest.raises(ValidationError, match="already linked"):
        services.incident_link(actor=officer, incident=other, other=mine)
    caseworker = make_user(agency=officer.agency, role="case_worker")
    with pytest.raises(PermissionDenied):
        services.incident_unlink(actor=caseworker, incident=mine)
    assert IncidentEvent.objects.count() == 1
