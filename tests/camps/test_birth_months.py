"""A site's people by sex and month of birth, kept by every write path: the camp page's
breakdown by age group reads them and shows what a fresh count of the registry shows."""

import datetime
import logging
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from camps.birth_months import birth_months_kept
from camps.census import AGE_GROUPS, census
from camps.models import SiteBirthMonthCount
from camps.tasks import headcounts_recount
from cases.casework.anonymisation import person_erase
from cases.models import DisplacedPerson, PersonStatus, Sex
from cases.registry.corrections import person_correct
from cases.registry.imports import services as imports
from cases.registry.imports.commit import registry_import_commit
from cases.registry.person_edits import person_update
from cases.registry.population import _age_group_q
from cases.registry.services import household_relocate, person_register, person_status_change
from protection.dates import years_before
from protection.models import AuditEvent
from tests.factories import SiteFactory, UserFactory, person_data, register_household
from tests.imports.files import validated_import

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def fresh(site: Any, today: datetime.date) -> dict[str, dict[str, int]]:
    """The breakdown as the page counted it before: every active person, grouped at read."""
    aggregates = {
        f"{key}__{sex}": Count("id", filter=Q(sex=sex) & _age_group_q(youngest, oldest, today))
        for key, _label, youngest, oldest in AGE_GROUPS
        for sex in Sex.values
    }
    counts = DisplacedPerson.objects.filter(site=site, status=PersonStatus.ACTIVE).aggregate(
        **aggregates
    )
    breakdown: dict[str, dict[str, int]] = {}
    for name, value in counts.items():
        group, sex = name.split("__")
        breakdown.setdefault(group, {})[sex] = value
    return breakdown


def assert_right(*sites: Any, days: int = 0) -> None:
    """The kept counts are a fresh count's, and so is the breakdown, today and `days` on."""
    today = timezone.localdate()
    for site in sites:
        assert birth_months_kept(site_id=site.pk) == census().birth_months(site_id=site.pk)
        for day in [today + n * DAY for n in range(days + 1)]:
            population = census().population(site=site, today=day)
            assert population.breakdown == fresh(site, day)
            assert population.individuals == sum(
                sum(by_sex.values()) for by_sex in fresh(site, day).values()
            )


def _born(years: int, days: int = 0) -> datetime.date:
    """The date of birth of someone who turns `years` in `days` days (0: today)."""
    return years_before(timezone.localdate() + days * DAY, years)


def _household(officer: Any, site: Any, births: list[tuple[str, datetime.date]]) -> Any:
    members = []
    for index, (sex, born) in enumerate(births):
        members.append(
            {
                "given_name": ["Deng", "Achol", "Bol", "Nyok", "Chol", "Ayen"][index % 6],
                "family_name": "Garang",
                "sex": sex,
                "date_of_birth": born,
                "relationship_to_head": "head" if index == 0 else "child",
                "confirm_not_duplicate": True,
            }
        )
    return register_household(actor=officer, site=site, members=members)


def test_every_write_path_keeps_the_counts_and_the_breakdown_right(officer, site, agency) -> None:
    elsewhere = SiteFactory.create(managing_agency=agency, code="ELS-01")
    # Birthdays on the age boundaries: today, tomorrow, at the end of the month and after it.
    first = _household(
        officer,
        site,
        [("female", _born(30)), ("male", _born(5)), ("female", _born(5, 1)), ("male", _born(12))],
    )
    second = _household(
        officer,
        site,
        [("male", _born(60, 3)), ("unknown", _born(18, 31)), ("female", _born(17, -40))],
    )
    assert_right(site, days=3)

    late = person_register(
        actor=officer,
        household=first.household,
        data=person_data(
            given_name="Abuk",
            sex="female",
            date_of_birth=_born(0, -20),
            relationship_to_head="child",
            confirm_not_duplicate=True,
        ),
    )
    person_update(actor=officer, person=late, changes={"sex": "male", "date_of_birth": _born(4, 2)})
    person_correct(
        actor=officer,
        person=first.members[1],
        field_name="date_of_birth",
        value=_born(61).isoformat(),
        reason="document_shown",
    )
    person_correct(
        actor=officer,
        person=second.members[1],
        field_name="sex",
        value="female",
        reason="recording_error",
    )
    assert_right(site, days=3)

    head, spouse, *_rest = second.members
    person_status_change(actor=officer, person=head, status="departed", reason="Moved on")
    person_status_change(actor=officer, person=spouse, status="deceased", reason="Illness")
    person_status_change(actor=officer, person=head, status="active", reason="Came back")
    assert_right(site)

    household_relocate(actor=officer, household=second.household, site=elsewhere)
    supervisor: Any = UserFactory(agency=agency, role="supervisor", username="supervisor")
    person_erase(actor=supervisor, person=first.members[0], reason="subject_request")
    assert_right(site, elsewhere, days=3)

    job = validated_import(officer=officer, site=site)
    imports.registry_import_commit_start(actor=officer, registry_import=job)
    assert registry_import_commit(import_id=job.pk)
    assert DisplacedPerson.objects.filter(site=site).count() == 5 + 3
    assert_right(site, elsewhere, days=3)


def test_age_groups_follow_the_calendar_with_no_write(officer, site) -> None:
    # One person born on each of many days around every boundary; the breakdown is checked on
    # every day of the next two months (birthdays cross the boundaries as the days pass).
    sexes = Sex.values
    births = [
        (sexes[index % len(sexes)], _born(years, days))
        for index, (years, days) in enumerate(
            (years, days)
            for years in (0, 5, 12, 18, 60)
            for days in range(-35, 70, 3)
            if years or days <= 0  # nobody is born in the future
        )
    ]
    for start in range(0, len(births), 6):
        _household(officer, site, births[start : start + 6])
    assert_right(site, days=62)


def test_drift_is_found_corrected_audited_and_logged_by_the_beat_task(
    officer, site, caplog
) -> None:
    _household(officer, site, [("female", _born(30)), ("male", _born(3))])
    SiteBirthMonthCount.objects.filter(site=site).update(people=7)
    SiteBirthMonthCount.objects.create(site=site, sex="male", born_in=_born(40).replace(day=1))
    with caplog.at_level(logging.WARNING, logger="camps.birth_months"):
        assert headcounts_recount() == 1

    assert_right(site)
    event = AuditEvent.objects.get(action="site.birth_months_correct")
    assert event.object_id == str(site.pk)
    assert event.changes == {"individuals": [14, 2], "cells": 2}
    assert "drifted" in caplog.text
    assert headcounts_recount() == 0  # nothing left to correct


def test_the_camp_page_shows_the_fresh_figures_in_queries_that_do_not_grow(
    client, officer, site
) -> None:
    client.force_login(officer)
    _household(officer, site, [("female", _born(30)), ("male", _born(5, 1))])
    url = reverse("camps:detail", args=[site.pk])
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for years in range(1, 80, 4):
        _household(officer, site, [("male", _born(years, years)), ("female", _born(years))])
    with CaptureQueriesContext(connection) as after:
        response = client.get(url)
    assert len(after.captured_queries) == len(before.captured_queries) <= 17
    population = response.context["population"]
    assert population.breakdown == fresh(site, timezone.localdate())
    assert population.individuals == 42
    assert b"42" in response.content


def test_another_agencys_camp_page_is_not_found(client, officer, other_site, other_officer) -> None:
    _household(other_officer, other_site, [("female", _born(30))])
    client.force_login(officer)
    assert client.get(reverse("camps:detail", args=[other_site.pk])).status_code == 404
