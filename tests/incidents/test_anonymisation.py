"""GBV confidentiality: the access policy picks the full or the anonymised incident, per role."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from incidents.models import GbvDesignation
from incidents.reporting.designations import gbv_designation_grant, gbv_designation_revoke
from incidents.reporting.selectors import incident_get, incident_list, incident_view_for
from incidents.representations import AnonymisedIncident, FullIncident
from protection import access
from protection.accounts.models import User
from protection.models import AuditEvent
from tests import factories
from tests.incidents.conftest import make_user, report

ROLES = ["admin", "supervisor", "protection_officer", "case_worker", "partner_api", "analyst"]
HUMAN_ROLES = {"admin", "supervisor", "protection_officer", "case_worker"}


@pytest.fixture
def survivor(officer: Any, site: Any) -> Any:
    return factories.register_household(actor=officer, site=site).members[0]


@pytest.fixture
def gbv_incident(officer: Any, site: Any, survivor: Any) -> Any:
    return report(
        officer,
        site=site,
        incident_type="gbv_sexual_assault",
        description="Assaulted on the way to collect firewood.",
        victims=[survivor],
        male_adults=0,
    ).incident


@pytest.fixture
def killing(officer: Any, site: Any) -> Any:
    return report(
        officer, site=site, incident_type="killing", description="Shot at the gate."
    ).incident


@pytest.fixture
def partner_in_site(site: Any) -> Any:
    partner = factories.AgencyFactory(acronym="PRT")
    site.operating_agencies.add(partner)
    return partner


def _user(agency: Any, role: str, *, designated: bool) -> Any:
    user = make_user(agency=agency, role=role)
    if designated:
        # Created directly: the service refuses roles that cannot be designated, and this
        # matrix checks that even a stray designation of such a role grants nothing.
        GbvDesignation.objects.create(user=user)
    return user


@pytest.mark.parametrize("designated", [False, True])
@pytest.mark.parametrize("role", ROLES)
def test_gbv_details_only_for_designated_staff_of_the_reporting_agency(
    role: str, designated: bool, agency: Any, gbv_incident: Any, survivor: Any
) -> None:
    user = _user(agency, role, designated=designated)

    if role == "analyst":
        assert not access.incidents_for(user).exists()
        with pytest.raises(Http404):
            incident_get(user=user, pk=gbv_incident.pk)
        return
    view = incident_view_for(user=user, incident=incident_get(user=user, pk=gbv_incident.pk))

    if designated and role in HUMAN_ROLES:
        assert isinstance(view, FullIncident)
        assert view.description == "Assaulted on the way to collect firewood."
        assert view.victims == [survivor]
    else:
        assert type(view) is AnonymisedIncident
        assert not hasattr(view, "description")
        assert not hasattr(view, "victims")


@pytest.mark.parametrize("role", ROLES)
def test_other_incidents_in_full_for_the_reporting_agency(
    role: str, agency: Any, killing: Any
) -> None:
    user = _user(agency, role, designated=False)
    if role == "analyst":
        assert not incident_list(user=user).exists()
        return
    view = incident_view_for(user=user, incident=incident_get(user=user, pk=killing.pk))
    assert isinstance(view, FullIncident)
    assert view.description == "Shot at the gate."


@pytest.mark.parametrize("designated", [False, True])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("fixture", ["gbv_incident", "killing"])
def test_another_agency_working_in_the_site_sees_only_the_anonymised_incident(
    role: str, designated: bool, fixture: str, partner_in_site: Any, request: Any
) -> None:
    incident = request.getfixturevalue(fixture)
    user = _user(partner_in_site, role, designated=designated)
    if role == "analyst":
        assert not incident_list(user=user).exists()
        return

    view = incident_view_for(user=user, incident=incident_get(user=user, pk=incident.pk))

    assert type(view) is AnonymisedIncident
    assert view.reference == incident.reference
    assert view.site == incident.site


def test_an_agency_outside_the_site_does_not_see_the_incident(
    other_officer: Any, gbv_incident: Any, killing: Any
) -> None:
    assert not incident_list(user=other_officer).exists()
    with pytest.raises(Http404):
        incident_get(user=other_officer, pk=killing.pk)


def test_the_anonymised_incident_holds_type_date_site_and_counts_only(
    gbv_incident: Any, site: Any
) -> None:
    partner = factories.AgencyFactory(acronym="PRT")
    site.operating_agencies.add(partner)
    user = make_user(agency=partner, role="partner_api")

    data = incident_view_for(user=user, incident=gbv_incident).as_data()

    assert set(data) == {
        "id",
        "reference",
        "type",
        "type_name",
        "taxonomy",
        "severity",
        "occurred_on",
        "site",
        "victims",
        "involves_children",
        "verification",
        "status",
        "reported_on",
        # The safe zone it happened in: an area the size of a site or more, no closer place.
        "safe_zone",
        "anonymised",
    }
    assert data["type"] == "gbv_sexual_assault"
    assert data["occurred_on"] == gbv_incident.occurred_at.date().isoformat()
    assert data["site"] == {"id": site.pk, "code": site.code, "name": site.name}
    assert data["victims"]["female_adults"] == 1
    assert data["victims"]["total"] == 1


def test_an_admin_designates_and_revokes_staff_of_their_own_agency(
    agency: Any, other_agency: Any, gbv_incident: Any
) -> None:
    admin = make_user(agency=agency, role="admin")
    worker = make_user(agency=agency, role="case_worker")
    stranger = make_user(agency=other_agency, role="case_worker")
    machine = make_user(agency=agency, role="partner_api")

    gbv_designation_grant(actor=admin, user=worker, note="GBV case management team")
    gbv_designation_grant(actor=admin, user=worker)  # twice: one designation

    assert isinstance(incident_view_for(user=worker, incident=gbv_incident), FullIncident)
    assert GbvDesignation.objects.get(user=worker).granted_by == admin
    with pytest.raises(PermissionDenied):
        gbv_designation_grant(actor=admin, user=stranger)
    with pytest.raises(PermissionDenied):
        gbv_designation_grant(actor=worker, user=worker)
    with pytest.raises(ValidationError):
        gbv_designation_grant(actor=admin, user=machine)

    assert gbv_designation_revoke(actor=admin, user=worker)
    fresh = User.objects.get(pk=worker.pk)
    assert type(incident_view_for(user=fresh, incident=gbv_incident)) is AnonymisedIncident
    assert list(
        AuditEvent.objects.filter(action__startswith="gbv_designation").values_list(
            "action", flat=True
        )
    ) == ["gbv_designation.revoke", "gbv_designation.grant"]
