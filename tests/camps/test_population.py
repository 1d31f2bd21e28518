"""A site's population by sex and age group, capacity, and the daily snapshot."""

import datetime

import pytest

from camps import tasks
from camps.models import PopulationSnapshot
from camps.selectors import AGE_GROUPS, site_list, site_population
from camps.services import population_snapshot_take
from cases.registry.services import person_status_change
from tests.factories import SiteFactory, register_household

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 15)


def _born(age: int, *, birthday_tomorrow: bool = False) -> datetime.date:
    """Return a date of birth that makes someone `age` on TODAY.

    With birthday_tomorrow, the person is `age` today and turns age + 1 tomorrow.
    """
    if birthday_tomorrow:
        return TODAY.replace(year=TODAY.year - age - 1) + datetime.timedelta(days=1)
    return TODAY.replace(year=TODAY.year - age)


# (given name, sex, date of birth, expected age group); every boundary from both sides.
PEOPLE = [
    ("Achol", "female", TODAY, "0_4"),
    ("Bol", "male", _born(4, birthday_tomorrow=True), "0_4"),
    ("Chol", "male", _born(5), "5_11"),
    ("Dut", "female", _born(11, birthday_tomorrow=True), "5_11"),
    ("Garang", "male", _born(12), "12_17"),
    ("Kuol", "unknown", _born(17, birthday_tomorrow=True), "12_17"),
    ("Nyandeng", "female", _born(18), "18_59"),
    ("Ajak", "male", _born(59, birthday_tomorrow=True), "18_59"),
    ("Abuk", "female", _born(60), "60_plus"),
    ("Yar", "female", _born(87), "60_plus"),
]


@pytest.fixture
def populated(officer, site):
    """One household per person above (the first adult listed heads each), at `site`."""
    results = []
    for given, sex, born, _group in PEOPLE:
        results.append(
            register_household(
                actor=officer,
                site=site,
                members=[
                    {
                        "given_name": given,
                        "family_name": f"{given}son",
                        "sex": sex,
                        "date_of_birth": born,
                        "confirm_not_duplicate": True,
                    }
                ],
            )
        )
    return results


def _expected_breakdown() -> dict[str, dict[str, int]]:
    expected = {key: {"female": 0, "male": 0, "unknown": 0} for key, *_rest in AGE_GROUPS}
    for _given, sex, _born_on, group in PEOPLE:
        expected[group][sex] += 1
    return expected


def test_population_by_sex_and_age_group_on_the_boundaries(site, populated) -> None:
    population = site_population(site=site, today=TODAY)

    assert population.breakdown == _expected_breakdown()
    assert population.individuals == len(PEOPLE)
    assert population.households == len(PEOPLE)
    rows = {row["key"]: row for row in population.rows()}
    assert rows["0_4"]["total"] == 2
    assert rows["12_17"]["unknown"] == 1
    assert sum(row["total"] for row in rows.values()) == len(PEOPLE)


def test_a_day_later_the_birthdays_move_people_up_a_group(site, populated) -> None:
    population = site_population(site=site, today=TODAY + datetime.timedelta(days=1))
    totals = {row["key"]: row["total"] for row in population.rows()}
    assert totals == {"0_4": 1, "5_11": 2, "12_17": 2, "18_59": 2, "60_plus": 3}


def test_people_who_left_are_not_counted(officer, site, populated) -> None:
    departed = populated[2].members[0]  # Chol, 5-11, male
    person_status_change(actor=officer, person=departed, status="departed", reason="Moved")

    population = site_population(site=site, today=TODAY)

    assert population.individuals == len(PEOPLE) - 1
    assert population.breakdown["5_11"]["male"] == 0
    assert population.households == len(PEOPLE) - 1  # his household has nobody left


def test_people_of_other_sites_are_not_counted(officer, site, populated) -> None:
    elsewhere = SiteFactory.create(managing_agency=officer.agency, code="ELS-01")
    register_household(
        actor=officer,
        site=elsewhere,
        members=[{"given_name": "Makuei", "family_name": "Thon", "sex": "male"}],
    )
    assert site_population(site=site, today=TODAY).individuals == len(PEOPLE)
    assert site_population(site=elsewhere, today=TODAY).individuals == 1


def test_over_capacity(site, populated) -> None:
    site.capacity = len(PEOPLE)
    population = site_population(site=site, today=TODAY)
    assert not population.over_capacity
    assert population.occupancy_percent == 100

    site.capacity = len(PEOPLE) - 1
    population = site_population(site=site, today=TODAY)
    assert population.over_capacity
    assert population.occupancy_percent == 111


def test_population_takes_two_queries(site, populated, django_assert_num_queries) -> None:
    with django_assert_num_queries(2):
        site_population(site=site, today=TODAY)


def test_site_list_counts_active_people_in_one_query(
    officer, site, populated, django_assert_num_queries
) -> None:
    person_status_change(
        actor=officer, person=populated[0].members[0], status="deceased", reason="Illness"
    )
    with django_assert_num_queries(1):
        sites = list(site_list(user=officer))
    populations = [(s.pk, s.population) for s in sites]  # type: ignore[attr-defined]
    assert populations == [(site.pk, len(PEOPLE) - 1)]


def test_snapshot_taken_twice_keeps_one_row_with_the_latest_figures(
    officer, site, populated
) -> None:
    first = population_snapshot_take(site=site, day=TODAY)
    assert (first.individuals, first.households) == (len(PEOPLE), len(PEOPLE))
    assert first.breakdown == _expected_breakdown()

    person_status_change(
        actor=officer, person=populated[-1].members[0], status="deceased", reason="Old age"
    )
    second = population_snapshot_take(site=site, day=TODAY)

    assert PopulationSnapshot.objects.count() == 1
    assert second.pk == first.pk
    stored = PopulationSnapshot.objects.get()
    assert stored.individuals == len(PEOPLE) - 1
    assert stored.breakdown["60_plus"]["female"] == 1
    assert stored.taken_at >= first.taken_at

    population_snapshot_take(site=site, day=TODAY + datetime.timedelta(days=1))
    assert PopulationSnapshot.objects.count() == 2


def test_snapshot_task_takes_todays_snapshot_and_ignores_missing_sites(site, populated) -> None:
    tasks.population_snapshot_take_task(site.pk)
    tasks.population_snapshot_take_task(site.pk)
    tasks.population_snapshot_take_task(999_999)

    snapshot = PopulationSnapshot.objects.get()
    assert snapshot.site == site
    assert snapshot.individuals == len(PEOPLE)


def test_snapshot_fan_out_queues_one_task_per_open_site(site, other_site, monkeypatch) -> None:
    closed = SiteFactory.create(code="CLS-01", status="closed")
    queued: list[int] = []
    monkeypatch.setattr(tasks.population_snapshot_take_task, "delay", queued.append)

    count = tasks.population_snapshot_take_all()

    assert count == 2
    assert sorted(queued) == sorted([site.pk, other_site.pk])
    assert closed.pk not in queued
