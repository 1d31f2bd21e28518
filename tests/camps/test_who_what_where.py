"""Who does what where: the agencies' services by site and sector, the gaps, the HXL."""

import io

import hxl
import pytest

from partners.models import Sector, Service
from tests import factories
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db

URL = "/api/v1/who-does-what-where/"
PAGE = "/camps/who-does-what-where/"


@pytest.fixture
def directory(agency, other_agency, site, other_site):
    """Health at Kakuma One by the agency; legal aid everywhere by the other agency; a withdrawn
    protection service, which counts for nothing."""
    second = factories.SiteFactory(managing_agency=agency, code="KAK-02", name="Kakuma Two")
    health = Service.objects.create(
        agency=agency, name="Clinic", sector=Sector.objects.get(code="health")
    )
    health.sites.set([site])
    Service.objects.create(
        agency=other_agency, name="Legal counselling", sector=Sector.objects.get(code="legal_aid")
    )
    withdrawn = Service.objects.create(
        agency=agency,
        name="Old desk",
        sector=Sector.objects.get(code="protection"),
        active=False,
    )
    withdrawn.sites.set([site])
    return {"second": second}


def _cell(body, site_code, sector_code):
    (cell,) = [
        c
        for c in body["results"]
        if c["site"]["code"] == site_code and c["sector"]["code"] == sector_code
    ]
    return cell


def test_the_api_shows_who_is_where_and_the_gaps(officer, directory):
    body = signed_in(officer).get(URL).json()
    sectors = Sector.objects.filter(active=True).count()
    assert body["sites"] == 2 and len(body["results"]) == 2 * sectors

    clinic = _cell(body, "KAK-01", "health")
    assert [s["agency"] for s in clinic["services"]] == ["MPU"] and not clinic["gap"]
    assert _cell(body, "KAK-02", "health")["gap"]  # the clinic serves Kakuma One only
    legal = _cell(body, "KAK-02", "legal_aid")["services"]
    assert legal[0]["agency"] == "ORL" and legal[0]["everywhere"]  # no site listed: all
    assert _cell(body, "KAK-01", "protection")["gap"]  # a withdrawn service is no service
    assert body["gaps"] == sum(1 for c in body["results"] if c["gap"]) == 2 * sectors - 3
    assert "OTH-01" not in {c["site"]["code"] for c in body["results"]}


def test_filters_narrow_and_bad_ones_are_named(officer, site, directory):
    client = signed_in(officer)
    body = client.get(URL, {"sector": "health", "gaps": "true"}).json()
    assert [c["site"]["code"] for c in body["results"]] == ["KAK-02"]
    body = client.get(URL, {"site": site.pk, "sector": "legal_aid"}).json()
    assert len(body["results"]) == 1 and body["gaps"] == 0

    refused = client.get(URL, {"sector": "astrology", "site": "first"})
    assert refused.status_code == 400
    assert set(refused.json()) == {"sector", "site"}


def test_another_agencys_site_is_not_found(officer, other_site, directory):
    client = signed_in(officer)
    assert client.get(URL, {"site": other_site.pk}).status_code == 404
    assert client.get(PAGE, {"site": other_site.pk}).status_code == 404
    assert client.get(URL).status_code == 200


def test_signed_out_callers_get_nothing(client, directory):
    assert client.get(URL).status_code in (401, 403)
    assert client.get(PAGE).status_code == 302


def test_the_hxl_reads_with_libhxl(officer, directory):
    response = signed_in(officer).get(URL, {"format": "hxl", "sector": "legal_aid"})
    assert response.status_code == 200
    assert 'filename="3w.hxl.csv"' in response["Content-Disposition"]
    source = hxl.data(hxl.input.make_input(io.BytesIO(response.content), hxl.input.InputOptions()))
    tags = [column.display_tag for column in source.columns]
    assert {"#loc+name", "#sector+code", "#org+acronym", "#activity+name", "#indicator+gap"} <= set(
        tags
    )
    rows = list(source)
    assert {row.get("#loc+name") for row in rows} == {"Kakuma One", "Kakuma Two"}
    assert {row.get("#org+acronym") for row in rows} == {"ORL"}


def test_the_page_shows_the_gaps_in_a_fixed_number_of_queries(
    officer, agency, directory, django_assert_max_num_queries
):
    client = signed_in(officer)
    client.get(PAGE)  # the session and caches warmed
    with django_assert_max_num_queries(14):
        page = client.get(PAGE).content.decode()
    for extra in range(3):
        factories.SiteFactory(managing_agency=agency, code=f"EXT-0{extra}", name=f"Extra {extra}")
    with django_assert_max_num_queries(14):
        more = client.get(PAGE).content.decode()
    assert "Kakuma Two" in page and "Extra 2" in more
    assert "Gap: no service" in page and "Clinic" in page and "Legal counselling" in page
    assert "Old desk" not in page

    filtered = client.get(PAGE, {"sector": "astrology"})
    assert filtered.status_code == 200
    assert "Correct the filters marked above." in filtered.content.decode()
