"""Events in the admin: read only, scoped to the events with a report the agency may see."""

import pytest

from incidents.events.services import incident_link
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db

URL = "/admin/incidents/incidentevent/"


def test_an_agency_admin_sees_its_events_read_only_and_not_another_agencys(
    admin_client_for, agency_admin, officer, site, other_officer, other_site
):
    ours = incident_link(
        actor=officer,
        incident=report(officer, site=site).incident,
        other=report(officer, site=site).incident,
    )
    theirs = incident_link(
        actor=other_officer,
        incident=report(other_officer, site=other_site).incident,
        other=report(other_officer, site=other_site).incident,
    )
    client = admin_client_for(agency_admin)
    listing = client.get(URL).content.decode()
    assert f"E-{ours.pk}" in listing and f"E-{theirs.pk}" not in listing
    assert client.get(f"{URL}{ours.pk}/change/").status_code == 200
    assert client.get(f"{URL}{theirs.pk}/change/").status_code == 404
    assert client.get(f"{URL}add/").status_code == 403
    assert client.post(f"{URL}{ours.pk}/delete/").status_code == 403
