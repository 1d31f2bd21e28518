"""Bad input gets a 4xx the schema documents, with a clear message, and writes nothing.

Numbers past the column's range (or the domain's), strings PostgreSQL refuses, dates past the
calendar, bodies that are not JSON, cursors the API never gave and ids that are not numbers
each used to reach the database or Django's HTML error page; none may answer 500 or HTML.
Every answer here is also checked against the OpenAPI schema by the client.
"""

import datetime
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.utils import timezone

from camps.models import Site
from cases.models import Household
from incidents.models import Incident
from protection import errors
from tests.api.payloads import household_payload, person_payload
from tests.api.schema import openapi_schema

pytestmark = pytest.mark.django_db

INCIDENTS = "/api/v1/incidents/"


def _incident(site: Any, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": "abduction",
        "severity": 4,
        "occurred_at": (timezone.now() - datetime.timedelta(hours=2)).isoformat(),
        "site": site.pk,
        "male_adults": 2,
        "perpetrator_category": "non_state_armed_group",
        "source": "witness",
        "description": "Two men taken at the market.",
    }
    payload.update(overrides)
    return payload


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"female_children": 3_000_000_000}, "female_children"),
        ({"male_adults": 2**63}, "male_adults"),
        ({"sex_or_age_unknown": 100_001}, "sex_or_age_unknown"),
        ({"latitude": "90.000001", "longitude": "31.5"}, "latitude"),
        ({"latitude": "9.5", "longitude": "-180.5"}, "longitude"),
        ({"description": "Taken at the market.\x00"}, "description"),
        ({"location_detail": "x" * 201}, "location_detail"),
        ({"occurred_at": "10000-01-01T00:00:00Z"}, "occurred_at"),
        ({"occurred_at": "0000-01-01T00:00:00Z"}, "occurred_at"),
        ({"occurred_at": "9999-12-31T23:59:59-12:00"}, "occurred_at"),
    ],
)
def test_an_incident_out_of_range_is_a_field_error(
    officer_api: Any, site: Any, overrides: dict[str, Any], field: str
) -> None:
    response = officer_api.post(INCIDENTS, _incident(site, **overrides), format="json")

    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not Incident.objects.exists()


def test_the_largest_counts_and_the_poles_are_accepted(officer_api: Any, site: Any) -> None:
    body = _incident(site, female_children=100_000, latitude="-90", longitude="180.000000")

    response = officer_api.post(INCIDENTS, body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["victims"]["female_children"] == 100_000


def test_a_site_with_an_impossible_capacity_or_place_is_refused(admin_api: Any) -> None:
    site = {
        "name": "Bentiu Two",
        "code": "BEN-02",
        "site_type": "poc_site",
        "country": "SSD",
        "capacity": 3,
    }
    for overrides in ({"capacity": 2**31}, {"capacity": -1}, {"latitude": "123.5"}):
        response = admin_api.post("/api/v1/camps/", {**site, **overrides}, format="json")

        assert response.status_code == 400, overrides
        assert set(overrides) <= set(response.json()), response.json()
    assert not Site.objects.filter(code="BEN-02").exists()


def test_a_person_with_an_impossible_age_or_a_nul_in_a_name_is_refused(
    officer_api: Any, site: Any
) -> None:
    for member, field in (
        (person_payload(date_of_birth=None, estimated_age=2**40), "estimated_age"),
        (person_payload(date_of_birth=None, estimated_age=121), "estimated_age"),
        (person_payload(given_name="Nya\x00bol"), "given_name"),
        (person_payload(date_of_birth="0000-03-02"), "date_of_birth"),
    ):
        response = officer_api.post(
            "/api/v1/households/", household_payload(site, [member]), format="json"
        )

        assert response.status_code == 400, member
        assert field in response.json()["members"]["0"], response.json()
    assert not Household.objects.exists()


def test_a_body_that_is_not_json_is_refused(officer_api: Any, site: Any) -> None:
    malformed = officer_api.post(
        INCIDENTS, '{"type": "abduction",', content_type="application/json"
    )
    form = officer_api.post(INCIDENTS, "type=abduction", content_type="text/plain")

    assert malformed.status_code == 400
    assert "JSON parse error" in malformed.json()["detail"]
    assert form.status_code == 415
    assert "text/plain" in form.json()["detail"]
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/camps/abc/",
        "/api/v1/agencies/1.5/",
        "/api/v1/persons/%C2%84/",
        "/api/v1/cases/-1/notes/",
        "/api/v1/no-such-list/",
    ],
)
def test_a_path_no_route_matches_is_a_json_404(officer_api: Any, path: str) -> None:
    response = officer_api.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_pages_outside_the_api_keep_their_html_404(client: Any, officer: Any) -> None:
    client.force_login(officer)

    response = client.get("/camps/not-a-site/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_id_past_the_largest_integer_is_not_found(officer_api: Any) -> None:
    response = officer_api.get(f"/api/v1/camps/{2**70}/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("path", ["/api/v1/persons/", "/api/v1/incidents/", "/api/v1/agencies/"])
def test_a_cursor_the_api_never_gave_is_a_documented_404(officer_api: Any, path: str) -> None:
    response = officer_api.get(path, {"cursor": "garbage"})

    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid cursor"}


def test_a_huge_or_silly_page_size_answers_a_page(officer_api: Any, site: Any) -> None:
    for page_size in ("1000000000000", "-5", "many"):
        response = officer_api.get("/api/v1/camps/", {"page_size": page_size})

        assert response.status_code == 200, page_size
        assert [row["code"] for row in response.json()["results"]] == [site.code]


def test_incidents_filtered_to_the_last_day_of_the_calendar_are_listed(
    officer_api: Any, site: Any
) -> None:
    officer_api.post(INCIDENTS, _incident(site), format="json")

    response = officer_api.get(INCIDENTS, {"occurred_to": "9999-12-31"})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_every_paginated_list_documents_its_invalid_cursor_answer() -> None:
    lists = [
        (path, operations["get"])
        for path, operations in openapi_schema()["paths"].items()
        if "cursor" in {p["name"] for p in operations.get("get", {}).get("parameters", [])}
    ]

    assert len(lists) >= 10
    for path, operation in lists:
        documented = operation["responses"]["404"]["content"]["application/json"]["schema"]
        assert documented == {"$ref": "#/components/schemas/Error"}, path


@pytest.mark.parametrize(
    ("handler", "status"),
    [
        (lambda r: errors.bad_request(r, SuspiciousOperation()), 400),
        (lambda r: errors.permission_denied(r, PermissionDenied()), 403),
        (lambda r: errors.page_not_found(r, Http404()), 404),
        (errors.server_error, 500),
    ],
)
def test_django_errors_answer_json_under_the_api_and_pages_elsewhere(
    rf: Any, handler: Any, status: int
) -> None:
    api = handler(rf.get("/api/v1/persons/"))
    page = handler(rf.get("/registry/"))

    assert (api.status_code, page.status_code) == (status, status)
    assert api["Content-Type"] == "application/json"
    assert set(json.loads(api.content)) == {"detail"}
    assert page["Content-Type"].startswith("text/html")
