"""Community reports in the admin: read only, the agency's sites only, no narrative shown."""

import pytest
from django.utils import timezone

from incidents.community.services import ConcernData, community_report_receive

pytestmark = pytest.mark.django_db

URL = "/admin/incidents/communityreport/"


def _report(site, text):
    return community_report_receive(
        data=ConcernData(
            site=site,
            kind="violence",
            description=text,
            occurred_on=timezone.localdate(),
            language="en",
            contact="+211 900 000 001",
        )
    )


def test_an_agency_admin_sees_its_sites_reports_without_what_was_written(
    admin_client_for, agency_admin, site, other_site
):
    own = _report(site, "Threats near the clinic.")
    other = _report(other_site, "Fighting at the river.")
    client = admin_client_for(agency_admin)

    listing = client.get(URL).content.decode()
    assert own.reference in listing and other.reference not in listing
    page = client.get(f"{URL}{own.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert own.reference in body
    assert "Threats near the clinic." not in body and "900 000 001" not in body
    assert client.get(f"{URL}{other.pk}/change/").status_code in (302, 404)
    assert client.get(f"{URL}add/").status_code == 403
