"""Each site's maintained headcount: right after every write path, corrected by the recount."""

import datetime
import logging
from typing import Any

import pytest
from django.urls import reverse

from camps.census import census
from camps.models import SiteHeadcount
from camps.tasks import headcounts_recount
from cases.casework.anonymisation import person_erase
from cases.registry.anonymisation import people_anonymise
from cases.registry.services import household_relocate, person_register, person_status_change
from protection.models import AuditEvent
from tests.factories import SiteFactory, UserFactory, person_data, register_household

pytestmark = pytest.mark.django_db


def kept(site: Any) -> tuple[int, int]:
    """The site's kept (people, households); a site nobody was registered at has (0, 0)."""
    row = SiteHeadcount.objects.filter(site=site).first()
    return (row.individuals, row.households) if row else (0, 0)


def assert_kept(site: Any, people: int, households: int) -> None:
    assert kept(site) == (people, households)
    assert census().headcount(site_id=site.pk) == (people, households)  # what a recount finds


def _family(officer: Any, site: Any, size: int = 3) -> Any:
    head = {"given_name": "Deng", "family_name": "Garang", "confirm_not_duplicate": True}
    members = [head]
    for index in range(1, size):
        members.append(
            {
                "given_name": ["Achol", "Bol", "Nyok", "Chol"][index % 4],
                "family_name": "Garang",
                "relationship_to_head": "child" if index > 1 else "spouse",
                "date_of_birth": datetime.date(2010 + index, 3, 1),
                "confirm_not_duplicate": True,
            }
        )
    return register_household(actor=officer, site=site, members=members)


def test_registration_counts_the_household_and_its_people(officer, site) -> None:
    _family(officer, site, size=3)
    register_household(actor=officer, site=site, members=[{"given_name": "Ayen"}])
    assert_kept(site, 4, 2)


def test_a_member_added_to_a_household_counts_once(officer, site) -> None:
    family = _family(officer, site, size=2)
    person_register(
        actor=officer,
        household=family.household,
        data=person_data(
            given_name="Abuk", relationship_to_head="child", confirm_not_duplicate=True
        ),
    )
    assert_kept(site, 3, 1)


def test_status_changes_count_people_and_empty_households_out_and_back(officer, site) -> None:
    family = _family(officer, site, size=2)
    head, spouse = family.members
    person_status_change(actor=officer, person=head, status="departed", reason="Moved on")
    assert_kept(site, 1, 1)
    person_status_change(actor=officer, person=spouse, status="departed", reason="Moved on")
    assert_kept(site, 0, 0)
    person_status_change(actor=officer, person=spouse, status="active", reason="Came back")
    assert_kept(site, 1, 1)
    person_status_change(actor=officer, person=spouse, status="deceased", reason="Illness")
    assert_kept(site, 0, 0)


def test_a_member_added_to_an_emptied_household_brings_it_back(officer, site) -> None:
    family = _family(officer, site, size=1)
    person_status_change(
        actor=officer, person=family.members[0], status="departed", reason="Moved on"
    )
    assert_kept(site, 0, 0)
    person_register(
        actor=officer,
        household=family.household,
        data=person_data(given_name="Abuk", relationship_to_head="child"),
    )
    assert_kept(site, 1, 1)


def test_relocation_moves_the_active_people_and_the_household(officer, site) -> None:
    elsewhere = SiteFactory.create(managing_agency=officer.agency, code="ELS-01")
    family = _family(officer, site, size=3)
    person_status_change(
        actor=officer, person=family.members[2], status="departed", reason="Moved on"
    )
    household_relocate(actor=officer, household=family.household, site=elsewhere)
    assert_kept(site, 0, 0)
    assert_kept(elsewhere, 2, 1)


def test_anonymisation_and_erasure_leave_the_counts_as_they_are(officer, site, agency) -> None:
    family = _family(officer, site, size=3)
    departed = family.members[2]
    person_status_change(actor=officer, person=departed, status="departed", reason="Moved on")
    people_anonymise(actor=None, ids=[departed.pk], today=departed.created_at.date(), kind="t")
    assert_kept(site, 2, 1)
    supervisor: Any = UserFactory(agency=agency, role="supervisor", username="supervisor")
    person_erase(actor=supervisor, person=family.members[1], reason="subject_request")
    assert_kept(site, 2, 1)  # an erased person is anonymised, still registered and active


def test_drift_is_found_corrected_audited_and_logged_by_the_beat_task(
    officer, site, caplog
) -> None:
    _family(officer, site, size=3)
    SiteHeadcount.objects.filter(site=site).update(individuals=10, households=7)
    empty = SiteFactory.create(managing_agency=officer.agency, code="EMP-01")

    with caplog.at_level(logging.WARNING, logger="camps.headcount"):
        assert headcounts_recount() == 1

    assert_kept(site, 3, 1)
    assert_kept(empty, 0, 0)
    assert SiteHeadcount.objects.get(site=empty).recounted_at is not None
    event = AuditEvent.objects.get(action="site.headcount_correct")
    assert event.object_id == str(site.pk)
    assert event.changes == {"individuals": [10, 3], "households": [7, 1]}
    assert "drifted" in caplog.text
    assert headcounts_recount() == 0  # nothing left to correct


def test_site_list_and_detail_pages_stay_within_their_query_budgets(
    client, officer, site, django_assert_max_num_queries
) -> None:
    for _round in range(3):
        _family(officer, site, size=3)
    for code in ("ONE-01", "TWO-01", "THR-01"):
        SiteFactory.create(managing_agency=officer.agency, code=code)
    client.force_login(officer)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("camps:list"))
    assert response.status_code == 200
    assert [row.population for row in response.context["rows"] if row.site == site] == [9]
    with django_assert_max_num_queries(17):
        response = client.get(reverse("camps:detail", args=[site.pk]))
    population = response.context["population"]
    assert (population.individuals, population.households) == (9, 3)


def test_another_agencys_site_is_not_found(client, officer, other_site, other_officer) -> None:
    register_household(actor=other_officer, site=other_site)
    client.force_login(officer)
    assert client.get(reverse("camps:detail", args=[other_site.pk])).status_code == 404
    rows = client.get(reverse("camps:list")).context["rows"]
    assert other_site not in [row.site for row in rows]
