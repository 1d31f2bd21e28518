"""Site pages: the list with population against capacity, and one site's situation."""

from typing import Any

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from camps.models import PopulationSnapshot
from protection.models import AccessLog, AccessPurpose
from tests import factories
from tests.dates import days_ago
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_list_shows_population_against_capacity(officer_client, site, household, other_site):
    response = officer_client.get(reverse("camps:list"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Kakuma One" in body
    assert "Elsewhere" not in body
    row = response.context["rows"][0]
    assert (row.population, row.occupancy_percent, row.over_capacity) == (2, 0, False)
    assert "Planned camp" in body
    assert "Upper Nile" in body
    assert "Over capacity" not in body


def test_list_flags_an_over_capacity_site_in_words(officer, agency):
    small: Any = factories.SiteFactory(managing_agency=agency, capacity=1, name="Tiny")
    factories.register_household(
        actor=officer,
        site=small,
        members=[{}, {"given_name": "Deng", "relationship_to_head": "child", "sex": "male"}],
    )

    response = signed_in(officer).get(reverse("camps:list"))

    body = response.content.decode()
    assert "200%" in body
    assert "Over capacity" in body


def test_list_includes_sites_where_the_agency_operates(officer_client, agency, other_site):
    other_site.operating_agencies.add(agency)
    assert "Elsewhere" in officer_client.get(reverse("camps:list")).content.decode()


def test_list_is_open_to_an_analyst_without_people_links(analyst, site):
    response = signed_in(analyst).get(reverse("camps:list"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Kakuma One" in body
    assert reverse("cases:person_list") not in body
    assert reverse("cases:household_register") not in body


def test_list_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("camps:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_detail_shows_breakdown_trend_and_latest_registrations(
    officer_client, officer, site, household
):
    for days, individuals in ((2, 5), (1, 2)):
        PopulationSnapshot.objects.create(
            site=site,
            taken_on=days_ago(days),
            individuals=individuals,
            households=1,
        )

    response = officer_client.get(reverse("camps:detail", args=[site.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    population = response.context["population"]
    assert (population.individuals, population.households) == (2, 1)
    rows = {row["key"]: row for row in population.rows()}
    assert rows["18_59"]["total"] == 2
    assert "Population over time" in body
    assert date_format(days_ago(1), "SHORT_DATE_FORMAT") in body
    assert "-3" in body  # 5 people, then 2
    assert household.code in body
    head = household.members.get(relationship_to_head="head")
    assert head.registration_number in body
    assert AccessLog.objects.filter(
        user=officer, purpose=AccessPurpose.LIST, object_id=str(head.pk)
    ).exists()


def test_detail_for_an_analyst_shows_figures_but_no_people(analyst, site, household):
    response = signed_in(analyst).get(reverse("camps:detail", args=[site.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["population"].individuals == 2
    assert household.code not in body
    assert "Latest registrations" not in body
    assert not AccessLog.objects.exists()


def test_detail_of_another_agencys_site_is_not_found(officer_client, other_site):
    assert officer_client.get(reverse("camps:detail", args=[other_site.pk])).status_code == 404


def test_detail_sends_anonymous_visitors_to_sign_in(client, site):
    assert client.get(reverse("camps:detail", args=[site.pk])).status_code == 302
