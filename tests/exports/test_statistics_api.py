"""/api/v1/statistics/: figures suppressed, in the caller's scope, as JSON and as HXL."""

import io
from typing import Any

import hxl
import hxl.input
import pytest

from protection.figures import TOTAL
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/statistics/"


def _figure(body: dict[str, Any], **key: str) -> dict[str, Any]:
    names = [dimension["name"] for dimension in body["dimensions"]]
    wanted = {name: key.get(name, TOTAL) for name in names}
    return next(figure for figure in body["figures"] if figure["key"] == wanted)


def test_the_index_lists_each_statistic_with_its_hashtags(client_for, officer) -> None:
    body = client_for(officer).get(URL).json()
    names = {item["name"]: item for item in body}
    assert set(names) == {"population", "incidents", "cases", "referrals"}
    tags = [dimension["hxl"] for dimension in names["population"]["dimensions"]]
    assert tags[0] == "#loc+name"
    assert names["population"]["count"]["hxl"] == "#affected+ind"


def test_population_is_suppressed_and_counts_only_the_agency(client_for, officer, registry):
    response = client_for(officer).get(URL + "population/")
    assert response.status_code == 200
    body = response.json()
    assert body["threshold"] == 5
    for figure in body["figures"]:
        assert figure["count"] is None or figure["count"] == 0 or figure["count"] >= 5
        assert figure["key"]["site"] in ("Kakuma One", TOTAL)  # never "Elsewhere"
    assert _figure(body)["count"] == 11
    men = _figure(body, site="Kakuma One", sex="male")
    assert men["suppressed"] and men["display"] == "<5"
    # With the men hidden, the women are hidden too: 11 - women would give the men away.
    assert _figure(body, site="Kakuma One", sex="female")["suppressed"]


def test_the_other_agency_sees_only_its_own_people(client_for, other_officer, registry):
    body = client_for(other_officer).get(URL + "population/").json()
    assert _figure(body)["count"] == 20
    assert {figure["key"]["site"] for figure in body["figures"]} == {"Elsewhere", TOTAL}


def test_an_analyst_gets_figures_without_seeing_anyone(client_for, analyst, registry):
    body = client_for(analyst).get(URL + "population/").json()
    assert _figure(body)["count"] == 11


def test_the_hxl_output_reads_with_libhxl(client_for, officer, registry) -> None:
    response = client_for(officer).get(URL + "population/", {"format": "hxl"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    source = hxl.data(hxl.input.make_input(io.BytesIO(response.content), hxl.input.InputOptions()))
    tags = [column.display_tag for column in source.columns]
    assert tags == [
        "#loc+name",
        "#group+sex",
        "#group+age",
        "#group+needs",
        "#status+displacement",
        "#affected+ind",
    ]
    rows = list(source)
    grand = [
        row
        for row in rows
        if row.get("#loc+name") == "Total"
        and row.get("#group+sex") == "Total"
        and row.get("#group+age") == "Total"
        and row.get("#group+needs") == "Total"
        and row.get("#status+displacement") == "Total"
    ]
    assert [row.get("#affected") for row in grand] == ["11"]
    for row in rows:
        value = row.get("#affected")
        assert value == "<5" or int(value) == 0 or int(value) >= 5
    assert not any(row.get("#loc+name") == "Elsewhere" for row in rows)


def test_filters_of_the_list_narrow_the_figures(client_for, officer, site, registry) -> None:
    body = client_for(officer).get(URL + "population/", {"sex": "female"}).json()
    assert _figure(body)["count"] == 8


def test_a_bad_filter_is_a_field_error(client_for, officer) -> None:
    response = client_for(officer).get(URL + "population/", {"sex": "dragon"})
    assert response.status_code == 400
    assert "sex" in response.json()


def test_an_unknown_statistic_is_404(client_for, officer) -> None:
    assert client_for(officer).get(URL + "salaries/").status_code == 404


def test_anonymous_is_refused(api) -> None:
    assert api.get(URL + "population/").status_code == 401


def test_the_figures_take_a_fixed_number_of_queries(
    client_for, officer, registry, django_assert_max_num_queries
) -> None:
    client = client_for(officer)
    with django_assert_max_num_queries(6):
        assert client.get(URL + "population/").status_code == 200


def test_case_figures_count_only_the_agencys_cases(
    client_for, supervisor, other_agency, registry
) -> None:
    from tests.casework.conftest import open_case

    for person in registry["ours"].members[:6]:
        open_case(supervisor, person)
    theirs = factories.UserFactory(agency=other_agency, role="supervisor")
    for person in registry["theirs"].members[:7]:
        open_case(theirs, person)
    body = client_for(supervisor).get(URL + "cases/").json()
    assert _figure(body)["count"] == 6
    assert _figure(body, case_type="general_protection", risk_level="medium")["count"] == 6


def test_incident_figures_by_type_site_and_week(client_for, officer, other_officer, site) -> None:
    from tests.incidents.conftest import report

    for _ in range(5):
        report(officer, site=site, incident_type="abduction")
    other_site = factories.SiteFactory(managing_agency=other_officer.agency, name="Far away")
    for _ in range(9):
        report(other_officer, site=other_site, incident_type="abduction")
    body = client_for(officer).get(URL + "incidents/").json()
    assert _figure(body)["count"] == 5
    assert {figure["key"]["site"] for figure in body["figures"]} == {"Kakuma One", TOTAL}
