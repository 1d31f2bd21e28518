"""Seed the demo mission: its organisation, its registered households, and their work.

The `seed_demo` management command calls `seed_demo`; nothing else in the project imports the
demo (the tests and benchmarks aside). The households are registered through
`cases.registry.services.household_register` as each agency's officer, the way an officer would
register them.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from camps.models import Country, Site
from camps.services import population_snapshot_take
from cases.models import DisplacementStatus, Household, SpecificNeed
from cases.registry.records import PersonData
from cases.registry.services import household_register
from protection.accounts.models import Role, User
from protection.demo.authenticator import demo_second_factors_enrol
from protection.demo.households import HouseholdDraft, household_plan
from protection.demo.organisation import agencies_seed, sites_seed, users_seed
from protection.demo.plan import SUPERADMIN_USERNAME, demo_logins
from protection.demo.work import WorkResult, seed_work

DEFAULT_HOUSEHOLDS = 500
_BATCH = 50


@dataclass
class DemoResult:
    """What one seeding run created or found."""

    agencies_created: int = 0
    sites_created: int = 0
    users_created: int = 0
    households_created: int = 0
    people_created: int = 0
    households_total: int = 0
    people_total: int = 0
    logins: list[tuple[str, str, str, str]] = field(default_factory=list)
    second_factors_enrolled: int = 0
    work: WorkResult = field(default_factory=WorkResult)


def _person_data(
    member: dict[str, Any],
    registered_on: datetime.date,
    statuses: dict[str, DisplacementStatus],
    countries: dict[str, Country],
    needs: dict[str, SpecificNeed],
) -> PersonData:
    return PersonData(
        given_name=member["given_name"],
        family_name=member["family_name"],
        sex=member["sex"],
        relationship_to_head=member["relationship_to_head"],
        displacement_status=statuses[member["status"]],
        consent_date=registered_on,
        consent_given_by=member["consent_given_by"],
        consent_scope=member["consent_scope"],
        date_of_birth=member["date_of_birth"],
        estimated_age=member["estimated_age"],
        nationality=countries[member["nationality"]],
        languages=member["languages"],
        origin_country=countries[member["origin_country"]],
        origin_location=member["origin_location"],
        displaced_on=member["displaced_on"],
        arrived_on=member["arrived_on"],
        phone=member["phone"],
        documents=member["documents"],
        specific_needs=[needs[code] for code in member["needs"]],
        # Demo people are invented one by one; a look-alike is a coincidence, not a duplicate.
        confirm_not_duplicate=True,
    )


def seed_demo(
    *,
    households: int = DEFAULT_HOUSEHOLDS,
    progress: Callable[[int, int], None] | None = None,
) -> DemoResult:
    """Create the demo mission; register its households unless they are registered already.

    Safe to run again: agencies, sites and users are found by acronym, code and username, and
    each (site, agency) pair gets only the households it is still missing from the plan.
    """
    result = DemoResult()
    with transaction.atomic():
        agencies, result.agencies_created = agencies_seed()
        users, result.users_created = users_seed(agencies)
        sites, result.sites_created = sites_seed(agencies, users)

    today = timezone.localdate()
    statuses = {s.code: s for s in DisplacementStatus.objects.all()}
    countries = {c.code: c for c in Country.objects.filter(code__in=["SSD", "SDN", "COD"])}
    needs = {n.code: n for n in SpecificNeed.objects.select_related("category")}

    plan = household_plan(households, today)
    existing = {
        (site_code, key): Household.objects.filter(
            site=sites[site_code], owning_agency=agencies[key]
        ).count()
        for site_code in sites
        for key in agencies
    }
    seen: dict[tuple[str, str], int] = {}
    todo: list[tuple[Site, User, HouseholdDraft]] = []
    for site_plan, agency_key, draft in plan:
        bucket = (site_plan.code, agency_key)
        seen[bucket] = seen.get(bucket, 0) + 1
        if seen[bucket] > existing[bucket]:
            officer = users[(agency_key, Role.PROTECTION_OFFICER)]
            todo.append((sites[site_plan.code], officer, draft))

    # Commit in batches: one commit per household is most of the time on PostgreSQL, and an
    # interrupted run loses at most one batch, which the next run registers again.
    for start in range(0, len(todo), _BATCH):
        with transaction.atomic():
            for site, officer, draft in todo[start : start + _BATCH]:
                registration = household_register(
                    actor=officer,
                    site=site,
                    members=[
                        _person_data(m, draft.registered_on, statuses, countries, needs)
                        for m in draft.members
                    ],
                    address=draft.address,
                    registered_on=draft.registered_on,
                )
                result.households_created += 1
                result.people_created += len(registration.members)
        if progress is not None:
            progress(min(start + _BATCH, len(todo)), len(todo))

    # Before the snapshots: closing a case with a durable solution changes a person's status.
    result.work = seed_work(
        agencies=agencies,
        users=users,
        sites=sites,
        superuser=User.objects.get(username=SUPERADMIN_USERNAME),
    )
    # After the work: a GBV designation made there calls for a second factor too.
    usernames = [login[0] for login in demo_logins()]
    result.second_factors_enrolled = demo_second_factors_enrol(
        list(User.objects.filter(username__in=usernames).order_by("pk"))
    )
    for site in sites.values():
        population_snapshot_take(site=site)
    result.households_total = Household.objects.filter(site__in=sites.values()).count()
    result.people_total = sum(s.people.count() for s in sites.values())
    result.logins = demo_logins()
    return result
