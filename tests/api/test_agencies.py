"""The agency directory: every role reads the active agencies; inactive ones are hidden."""

import pytest

from partners.models import Sector
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/agencies/"


@pytest.fixture
def directory(agency, other_agency):
    agency.sectors.set(Sector.objects.order_by("code")[:2])
    other_agency.agency_type = "un_agency"
    other_agency.contact_email = "protection@orl.example.org"
    other_agency.save()
    closed = factories.AgencyFactory(name="Closed Relief", acronym="CLR", active=False)
    return {"own": agency, "other": other_agency, "inactive": closed}


def test_list_shows_active_agencies_with_sector_codes(officer_api, directory) -> None:
    response = officer_api.get(URL)

    assert response.status_code == 200
    rows = {row["acronym"]: row for row in response.json()["results"]}
    assert set(rows) == {"MPU", "ORL"}
    assert rows["MPU"]["sectors"] == sorted(directory["own"].sectors.values_list("code", flat=True))
    assert rows["ORL"]["type"] == "un_agency"
    assert rows["ORL"]["contact_email"] == "protection@orl.example.org"


def test_filters_by_type_and_sector(officer_api, directory) -> None:
    by_type = officer_api.get(URL, {"type": "un_agency"}).json()["results"]
    sector = directory["own"].sectors.first().code
    by_sector = officer_api.get(URL, {"sector": sector}).json()["results"]

    assert [row["acronym"] for row in by_type] == ["ORL"]
    assert [row["acronym"] for row in by_sector] == ["MPU"]


def test_bad_filter_is_a_field_error(officer_api, directory) -> None:
    response = officer_api.get(URL, {"type": "pirates"})

    assert response.status_code == 400
    assert "type" in response.json()


def test_retrieve_another_agency(officer_api, directory) -> None:
    response = officer_api.get(f"{URL}{directory['other'].pk}/")

    assert response.status_code == 200
    assert response.json()["name"] == "Other Relief"


def test_inactive_agency_is_not_found(officer_api, directory) -> None:
    assert officer_api.get(f"{URL}{directory['inactive'].pk}/").status_code == 404


def test_anonymous_is_refused(api, directory) -> None:
    assert api.get(URL).status_code == 401
