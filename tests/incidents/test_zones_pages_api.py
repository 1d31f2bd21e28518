"""Safe zones and corridors through the pages and the API: happy path, bad input, other agency."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from incidents.models import Corridor, CorridorStatus, CorridorStatusChange, SafeZone
from tests import factories
from tests.api.conftest import SchemaCheckedClient
from tests.incidents.zone_world import ROUTE, SQUARE, make_corridor, make_zone, supervisor_of
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_a_supervisor_closes_a_corridor_on_its_page(site) -> None:
    supervisor = supervisor_of(site.managing_agency)
    corridor = make_corridor(site, supervisor)
    client = signed_in(supervisor)
    url = reverse("incidents:corridor_detail", args=[corridor.pk])

    response = client.post(
        url,
        {"decision": "status", "status-status": "closed", "status-reason": "Bridge shelled."},
        follow=True,
    )

    page = response.content.decode()
    assert "Closed" in page and "Bridge shelled." in page
    assert Corridor.objects.get().status == CorridorStatus.CLOSED


def test_an_empty_reason_on_the_page_is_refused_and_nothing_written(site) -> None:
    supervisor = supervisor_of(site.managing_agency)
    corridor = make_corridor(site, supervisor)
    response = signed_in(supervisor).post(
        reverse("incidents:corridor_detail", args=[corridor.pk]),
        {"decision": "status", "status-status": "closed", "status-reason": ""},
    )
    assert response.status_code == 400
    assert CorridorStatusChange.objects.count() == 1


def test_an_officer_sees_no_decision_form_but_subscribes_the_agency(site, officer) -> None:
    corridor = make_corridor(site)
    client = signed_in(officer)
    url = reverse("incidents:corridor_detail", args=[corridor.pk])
    assert 'name="status-status"' not in client.get(url).content.decode()
    response = client.post(
        url, {"decision": "subscribe", "subscribe-notify_in_app": "on"}, follow=True
    )
    assert "Your agency is told" in response.content.decode()
    assert corridor.subscriptions.get().agency == officer.agency


def test_a_zone_uploaded_on_the_page(site) -> None:
    client = signed_in(supervisor_of(site.managing_agency))
    upload = SimpleUploadedFile("zone.geojson", json.dumps(SQUARE).encode())
    response = client.post(
        reverse("incidents:safe_zone_list"),
        {"site": site.pk, "name": "School", "boundary_file": upload},
    )
    assert response.status_code == 302
    assert SafeZone.objects.get().name == "School"


def test_bad_geojson_on_the_page_is_refused_on_its_field(site) -> None:
    client = signed_in(supervisor_of(site.managing_agency))
    response = client.post(
        reverse("incidents:safe_zone_list"),
        {"site": site.pk, "name": "School", "boundary": '{"type": "Polygon", "coordinates": []}'},
    )
    assert response.status_code == 400
    assert "at least one ring" in response.content.decode()
    assert not SafeZone.objects.exists()


def test_the_map_data_holds_zones_and_corridors_with_their_status(site, officer) -> None:
    make_zone(site)
    corridor = make_corridor(site)
    data = signed_in(officer).get(reverse("incidents:map_data")).json()
    kinds = {f["properties"]["kind"]: f["properties"] for f in data["features"]}
    assert kinds["safe_zone"]["label"] == "Safe zone: Hospital compound"
    assert kinds["corridor"]["status"] == "open"
    assert kinds["corridor"]["label"] == f"Corridor {corridor.code}: Open"


def test_the_api_decides_a_status_and_answers_the_history(site) -> None:
    supervisor = supervisor_of(site.managing_agency)
    corridor = make_corridor(site, supervisor)
    client = SchemaCheckedClient()
    client.login_with_token(supervisor)

    response = client.post(
        f"/api/v1/corridors/{corridor.pk}/status/",
        {"status": "restricted", "reason": "Checkpoint."},
        content_type="application/json",
        headers={"Idempotency-Key": "corridor-status-1"},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "restricted"
    assert [h["status"] for h in body["history"]] == ["restricted", "open"]
    again = client.post(
        f"/api/v1/corridors/{corridor.pk}/status/",
        {"status": "restricted", "reason": "Checkpoint."},
        content_type="application/json",
        headers={"Idempotency-Key": "corridor-status-1"},
    )
    assert again.status_code == 200 and CorridorStatusChange.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Z", "boundary": ROUTE}, "boundary"),
        ({"name": "Z", "boundary": {"type": "Polygon", "coordinates": [[[0, 0]]]}}, "boundary"),
        ({"name": " ", "boundary": SQUARE}, "name"),
    ],
)
def test_the_api_refuses_a_bad_zone_on_its_field(site, body, field) -> None:
    client = SchemaCheckedClient()
    client.login_with_token(supervisor_of(site.managing_agency))
    response = client.post(
        "/api/v1/safe-zones/", {"site": site.pk, **body}, content_type="application/json"
    )
    assert response.status_code == 400
    assert field in json.dumps(response.json())
    assert not SafeZone.objects.exists()


def test_the_incident_api_and_list_flag_an_incident_in_a_safe_zone(site, officer) -> None:
    from tests.incidents.conftest import report

    zone = make_zone(site)
    incident = report(officer, site=site).incident
    client = SchemaCheckedClient()
    client.login_with_token(officer)
    assert client.get(f"/api/v1/incidents/{incident.pk}/").json()["safe_zone"] == zone.pk
    page = signed_in(officer).get(reverse("incidents:list")).content.decode()
    assert "In a safe zone" in page
    detail = signed_in(officer).get(reverse("incidents:detail", args=[incident.pk]))
    assert "Inside a safe zone" in detail.content.decode()


def test_another_agency_does_not_see_the_corridor_anywhere(site, other_agency) -> None:
    corridor = make_corridor(site)
    outsider = factories.UserFactory.create(agency=other_agency, role="supervisor")
    client = SchemaCheckedClient()
    client.login_with_token(outsider)
    assert client.get("/api/v1/corridors/").json()["results"] == []
    assert signed_in(outsider).get(reverse("incidents:corridor_list")).status_code == 200
    assert (
        corridor.code
        not in signed_in(outsider).get(reverse("incidents:corridor_list")).content.decode()
    )
    assert "Corridor" not in json.dumps(
        signed_in(outsider).get(reverse("incidents:map_data")).json()
    )
