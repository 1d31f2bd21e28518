"""Safe zones and corridors in the admin: the agency's sites only, writes through the services."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from incidents.models import Corridor, CorridorStatus, CorridorStatusChange, SafeZone
from protection.models import AuditEvent
from tests.incidents.zone_world import ROUTE, SQUARE, make_corridor, make_zone

pytestmark = pytest.mark.django_db

ZONES = "/admin/incidents/safezone/"
CORRIDORS = "/admin/incidents/corridor/"


def test_an_agency_admin_uploads_a_zone_from_a_file(admin_client_for, agency_admin, site):
    client = admin_client_for(agency_admin)
    upload = SimpleUploadedFile(
        "zone.geojson",
        json.dumps({"type": "Feature", "geometry": SQUARE}).encode(),
        content_type="application/geo+json",
    )
    response = client.post(
        f"{ZONES}add/",
        {"site": site.pk, "name": "Clinic", "boundary_file": upload, "active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    zone = SafeZone.objects.get()
    assert zone.boundary == SQUARE and zone.created_by == agency_admin
    assert AuditEvent.objects.filter(action="safe_zone.create").exists()


def test_bad_geojson_in_the_admin_is_shown_on_the_field_and_nothing_written(
    admin_client_for, agency_admin, site
):
    client = admin_client_for(agency_admin)
    response = client.post(
        f"{ZONES}add/", {"site": site.pk, "name": "Clinic", "boundary": json.dumps(ROUTE)}
    )
    assert response.status_code == 200
    assert "Polygon or a MultiPolygon" in response.content.decode()
    assert not SafeZone.objects.exists()


def test_the_admin_status_change_goes_through_the_service(admin_client_for, agency_admin, site):
    corridor = make_corridor(site)
    client = admin_client_for(agency_admin)
    url = f"{CORRIDORS}{corridor.pk}/change/"
    assert client.get(url).status_code == 200
    form = {
        "new_status": CorridorStatus.CLOSED,
        "reason": "",
        "history-TOTAL_FORMS": "1",
        "history-INITIAL_FORMS": "1",
        "history-MIN_NUM_FORMS": "0",
        "history-MAX_NUM_FORMS": "1000",
    }
    refused = client.post(url, form)
    assert refused.status_code == 200 and "Say why" in refused.content.decode()
    assert Corridor.objects.get().status == CorridorStatus.OPEN

    response = client.post(url, {**form, "reason": "Shelling at the bridge."})
    assert response.status_code == 302
    assert Corridor.objects.get().status == CorridorStatus.CLOSED
    assert CorridorStatusChange.objects.filter(corridor=corridor).count() == 2
    assert AuditEvent.objects.filter(action="corridor.status_change").exists()


def test_another_agencys_zone_and_corridor_are_not_found_in_the_admin(
    admin_client_for, agency_admin, site, other_site
):
    own, theirs = make_zone(site), make_zone(other_site)
    corridor = make_corridor(other_site)
    client = admin_client_for(agency_admin)
    listing = client.get(ZONES).content.decode()
    assert f"{own.pk}/change/" in listing and f"{theirs.pk}/change/" not in listing
    assert client.get(f"{ZONES}{theirs.pk}/change/").status_code == 404
    assert client.get(f"{CORRIDORS}{corridor.pk}/change/").status_code == 404
