"""Sites through the API: population against capacity, and changes by the managing agency."""

import datetime
from typing import Any

import pytest

from camps.models import Site, SiteType
from protection.models import AuditEvent
from tests import factories
from tests.factories import register_household

pytestmark = pytest.mark.django_db

URL = "/api/v1/camps/"


def _site_payload(**overrides):
    values = {
        "name": "Bentiu Two",
        "code": "BEN-02",
        "site_type": "poc_site",
        "country": "SSD",
        "admin1": "Unity",
        "admin2": "Rubkona",
        "latitude": "9.270000",
        "longitude": "29.790000",
        "capacity": 3,
        "opened_on": "2024-02-01",
    }
    values.update(overrides)
    return values


def test_list_shows_own_and_operated_sites_with_population(
    officer_api, officer, site, other_site, agency
) -> None:
    operated: Any = factories.SiteFactory(code="OPR-01", capacity=1)
    operated.operating_agencies.add(agency)
    register_household(
        actor=officer,
        site=site,
        members=[
            {},
            {
                "given_name": "Akol",
                "sex": "male",
                "relationship_to_head": "child",
                "date_of_birth": datetime.date(2015, 1, 1),
            },
        ],
    )

    response = officer_api.get(URL)

    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()["results"]}
    assert set(rows) == {"KAK-01", "OPR-01"}
    assert rows["KAK-01"]["population"] == 2
    assert rows["KAK-01"]["over_capacity"] is False
    assert rows["OPR-01"]["operating_agencies"] == [agency.pk]


def test_retrieve_has_the_breakdown_by_sex_and_age(officer_api, officer, site) -> None:
    register_household(actor=officer, site=site)

    body = officer_api.get(f"{URL}{site.pk}/").json()

    breakdown = body["population_breakdown"]
    assert breakdown["individuals"] == 1
    assert breakdown["households"] == 1
    adults = next(row for row in breakdown["age_groups"] if row["key"] == "18_59")
    assert adults["female"] == 1
    assert adults["total"] == 1


def test_over_capacity_is_flagged(officer_api, officer, site) -> None:
    site.capacity = 1
    site.save(update_fields=["capacity"])
    register_household(
        actor=officer,
        site=site,
        members=[
            {},
            {
                "given_name": "Akol",
                "sex": "male",
                "relationship_to_head": "child",
                "date_of_birth": datetime.date(2015, 1, 1),
            },
        ],
    )

    body = officer_api.get(f"{URL}{site.pk}/").json()

    assert body["over_capacity"] is True
    assert body["occupancy_percent"] == 200


def test_filters_by_status_and_type(officer_api, site, agency) -> None:
    factories.SiteFactory(
        code="CLO-01",
        managing_agency=agency,
        status="closed",
        site_type=SiteType.objects.get(code="collective_centre"),
    )

    closed = officer_api.get(URL, {"status": "closed"}).json()["results"]
    planned = officer_api.get(URL, {"site_type": "planned_camp"}).json()["results"]

    assert [row["code"] for row in closed] == ["CLO-01"]
    assert [row["code"] for row in planned] == ["KAK-01"]


def test_other_agency_site_is_not_found(officer_api, other_site) -> None:
    assert officer_api.get(f"{URL}{other_site.pk}/").status_code == 404


def test_admin_creates_a_site_managed_by_their_agency(
    admin_api, admin_user, agency, other_agency
) -> None:
    response = admin_api.post(
        URL, _site_payload(operating_agencies=[other_agency.pk]), format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["managing_agency"]["id"] == agency.pk
    assert body["operating_agencies"] == [other_agency.pk]
    assert body["population_breakdown"]["individuals"] == 0
    site = Site.objects.get(code="BEN-02")
    event = AuditEvent.objects.get(action="site.create", object_id=str(site.pk))
    assert event.actor == admin_user
    assert event.changes["capacity"] == [None, 3]
    assert event.channel == "api"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"code": "kak-01"}, "code"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": "many"}, "capacity"),
        ({"latitude": "95.000000"}, "latitude"),
        ({"longitude": "-181.000000"}, "longitude"),
        ({"site_type": "castle"}, "site_type"),
        ({"country": "XXX"}, "country"),
        ({"name": ""}, "name"),
        ({"status": "abandoned"}, "status"),
        ({"operating_agencies": [999999]}, "operating_agencies"),
    ],
)
def test_bad_site_is_refused_and_nothing_written(admin_api, site, overrides, field) -> None:
    sites, events = Site.objects.count(), AuditEvent.objects.count()

    response = admin_api.post(URL, _site_payload(**overrides), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Site.objects.count() == sites
    assert AuditEvent.objects.count() == events


def test_admin_changes_a_site_and_the_change_is_audited(admin_api, site) -> None:
    response = admin_api.patch(
        f"{URL}{site.pk}/", {"capacity": 1500, "status": "closed"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["capacity"] == 1500
    site.refresh_from_db()
    assert (site.capacity, site.status) == (1500, "closed")
    event = AuditEvent.objects.get(action="site.update")
    assert event.changes == {"capacity": [1000, 1500], "status": ["open", "closed"]}


def test_bad_change_is_refused_and_nothing_changed(admin_api, site, other_site) -> None:
    # The capacity's range is the serializer's (protection.bounds), the code's uniqueness the
    # service's: each is refused on its own.
    for change, field in (
        ({"capacity": -5}, "capacity"),
        ({"capacity": 2**31}, "capacity"),
        ({"code": "oth-01"}, "code"),
    ):
        response = admin_api.patch(f"{URL}{site.pk}/", change, format="json")

        assert response.status_code == 400
        assert field in response.json(), change
    site.refresh_from_db()
    assert (site.capacity, site.code) == (1000, "KAK-01")
    assert not AuditEvent.objects.filter(action="site.update").exists()


def test_operating_agency_cannot_change_a_site_it_does_not_manage(admin_api, agency) -> None:
    operated: Any = factories.SiteFactory(code="OPR-01")
    operated.operating_agencies.add(agency)

    response = admin_api.patch(f"{URL}{operated.pk}/", {"capacity": 5}, format="json")

    assert response.status_code == 403
    operated.refresh_from_db()
    assert operated.capacity == 1000


def test_other_agency_site_cannot_be_changed(admin_api, other_site) -> None:
    assert (
        admin_api.patch(f"{URL}{other_site.pk}/", {"capacity": 5}, format="json").status_code == 404
    )


def test_officer_cannot_create_sites(officer_api, db) -> None:
    response = officer_api.post(URL, _site_payload(), format="json")

    assert response.status_code == 403
    assert not Site.objects.filter(code="BEN-02").exists()
