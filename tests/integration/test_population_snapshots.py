"""The population snapshot beat task, run by a real worker through the real Redis broker."""

import pytest

from camps import tasks
from camps.models import PopulationSnapshot, SiteStatus
from tests.factories import AgencyFactory, SiteFactory, UserFactory, register_household
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


@pytest.fixture
def open_sites():
    """Three open sites with people, and a closed one that must not be snapshotted."""
    agency = AgencyFactory.create(acronym="INT")
    officer = UserFactory.create(agency=agency, role="protection_officer")
    sites = [SiteFactory.create(managing_agency=agency, code=f"INT-{n}") for n in range(3)]
    for index, site in enumerate(sites):
        for member in range(index + 1):
            register_household(
                actor=officer,
                site=site,
                members=[{"given_name": f"Person{index}{member}", "confirm_not_duplicate": True}],
            )
    SiteFactory.create(managing_agency=agency, code="INT-X", status=SiteStatus.CLOSED)
    return sites


def _snapshots_of(sites):
    return {s.site_id: s for s in PopulationSnapshot.objects.filter(site__in=sites)}


def test_the_worker_takes_a_snapshot_of_every_open_site(celery_worker, open_sites) -> None:
    tasks.population_snapshot_take_all.delay()

    snapshots = wait_for(lambda: len(_snapshots_of(open_sites)) == 3 and _snapshots_of(open_sites))

    assert {site.pk: snapshots[site.pk].individuals for site in open_sites} == {
        site.pk: index + 1 for index, site in enumerate(open_sites)
    }
    assert PopulationSnapshot.objects.count() == 3  # nothing for the closed site


def test_running_the_task_twice_keeps_one_snapshot_per_site_and_day(
    celery_worker, open_sites
) -> None:
    tasks.population_snapshot_take_all.delay()
    first = wait_for(lambda: len(_snapshots_of(open_sites)) == 3 and _snapshots_of(open_sites))

    tasks.population_snapshot_take_all.delay()

    def all_refreshed():
        current = _snapshots_of(open_sites)
        return all(current[pk].taken_at > first[pk].taken_at for pk in first) and current

    second = wait_for(all_refreshed)
    assert PopulationSnapshot.objects.count() == 3
    assert {pk: s.pk for pk, s in second.items()} == {pk: s.pk for pk, s in first.items()}
    assert {s.taken_on for s in second.values()} == {first[open_sites[0].pk].taken_on}
