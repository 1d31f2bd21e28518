"""Drills in the admin: read only, the agency's own drills only; starting one is the app's."""

import pytest

from incidents.drills.services import DrillPlan, drill_start
from incidents.models import IncidentType
from tests.incidents.conftest import make_user

pytestmark = pytest.mark.django_db

URL = "/admin/incidents/drill/"


def _drill(site, agency):
    supervisor = make_user(agency=agency, role="supervisor")
    return drill_start(
        actor=supervisor,
        plan=DrillPlan(
            site=site,
            scenario="Night attack at the market",
            incident_type=IncidentType.objects.get(code="abduction"),
            severity=3,
        ),
    )


def test_an_agency_admin_reads_its_drills_and_cannot_change_them(
    admin_client_for, agency_admin, agency, other_agency, site, other_site
):
    own = _drill(site, agency)
    other = _drill(other_site, other_agency)
    client = admin_client_for(agency_admin)

    listing = client.get(URL).content.decode()
    assert own.reference in listing and other.reference not in listing
    page = client.get(f"{URL}{own.pk}/change/")
    assert page.status_code == 200 and own.reference in page.content.decode()
    assert client.post(f"{URL}{own.pk}/change/", {"scenario": "changed"}).status_code == 403
    assert client.get(f"{URL}{other.pk}/change/").status_code in (302, 404)
    assert client.get(f"{URL}add/").status_code == 403
    own.refresh_from_db()
    assert own.scenario == "Night attack at the market"
