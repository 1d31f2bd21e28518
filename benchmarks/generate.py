"""Generate a scale registry fast: agencies, sites and users by the ORM, people by COPY.

Households, people, their specific needs and one audit event per registration are streamed
to PostgreSQL with COPY in batches. Secondary indexes are dropped for the load and rebuilt
afterwards with their exact definitions, and foreign-key triggers are off for the loading
session (the generator writes consistent ids itself); both are the usual bulk-load path and
leave the schema exactly as the migrations made it.
"""

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from benchmarks import names
from benchmarks.bulk import Table, next_id, reset_sequence, secondary_indexes
from benchmarks.households import FAMILY, household_members, person_name, pick
from camps.models import Country, Site, SiteType
from cases.models import (
    DisplacedPerson,
    DisplacementStatus,
    Household,
    PersonSpecificNeed,
    SpecificNeed,
)
from cases.registry.duplicates import SearchKeys, search_keys
from partners.models import PartnerAgency
from protection import codes
from protection.accounts.models import Role, User
from protection.audit_chain import AUDIT_CHAIN, ChainStamper, chain_head, chain_lock
from protection.models import AuditEvent

BATCH_PEOPLE = 50_000
AGENCIES = [
    ("UNHCR", "UN Refugee Agency", "un_agency", 5),
    ("MPU", "Mission Protection Unit", "mission", 2),
    ("IOM", "International Organization for Migration", "un_agency", 3),
    ("NRC", "Norwegian Refugee Council", "ingo", 2),
    ("INTERSOS", "Intersos", "ingo", 1),
    ("HDO", "Hope Development Organisation", "nngo", 1),
]
HOUSEHOLD_SIZES = ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [10, 12, 15, 18, 16, 12, 8, 5, 3, 1])
NATIONALITIES = (
    ["SSD", "SDN", "COD", "SOM", "MLI", "BFA", "CAF", "ETH"],
    [40, 20, 12, 8, 6, 5, 5, 4],
)
STATUSES = (["IDP", "REF", "ASY", "RET", "HST", "RDP"], [50, 30, 8, 5, 4, 3])
PERSON_STATUS = (
    ["active", "departed", "deceased", "repatriated", "resettled"],
    [92, 5, 1, 1, 1],
)


@dataclass
class Context:
    """Rows the generator refers to: agencies, their officers, sites, reference ids."""

    agencies: list[PartnerAgency]
    officers: dict[int, User]
    sites: list[Site]
    site_weights: list[float]
    nationalities: list[int]
    statuses: list[int]
    adult_needs: list[int]
    child_needs: list[int]
    operators: dict[int, list[int]] = field(default_factory=dict)


def create_organisations(*, sites: int, rng: random.Random) -> Context:
    """Create the agencies, one officer and one admin per agency, a superuser, and the sites."""
    agencies = []
    officers = {}
    for acronym, name, agency_type, _weight in AGENCIES:
        agency = PartnerAgency.objects.create(name=name, acronym=acronym, agency_type=agency_type)
        agencies.append(agency)
        officer = User(
            username=f"{acronym.lower()}_officer", agency=agency, role=Role.PROTECTION_OFFICER
        )
        officer.set_unusable_password()
        officer.save()
        officers[agency.pk] = officer
        User.objects.create(
            username=f"{acronym.lower()}_admin", agency=agency, role=Role.ADMIN, is_staff=True
        )
    User.objects.create_superuser(username="bench_root", email="", password=None)

    site_types = list(SiteType.objects.values_list("pk", flat=True))
    south_sudan = Country.objects.get(code="SSD")
    weights = [a[3] for a in AGENCIES]
    created, site_weights, operators = [], [], {}
    for number in range(sites):
        manager = rng.choices(agencies, weights)[0]
        site = Site.objects.create(
            name=f"{rng.choice(names.PLACES)} {number + 1}",
            code=f"BEN-{number + 1:03d}",
            site_type_id=rng.choice(site_types),
            country=south_sudan,
            admin1="Upper Nile",
            capacity=rng.randrange(2_000, 60_000),
            managing_agency=manager,
        )
        helpers = rng.sample([a for a in agencies if a.pk != manager.pk], k=rng.randint(0, 2))
        site.operating_agencies.set(helpers)
        operators[site.pk] = [manager.pk] * 4 + [a.pk for a in helpers]
        created.append(site)
        site_weights.append(rng.lognormvariate(0, 0.8))

    by_code = dict(Country.objects.values_list("code", "pk"))
    statuses = dict(DisplacementStatus.objects.values_list("code", "pk"))
    needs = list(SpecificNeed.objects.select_related("category"))
    return Context(
        agencies=agencies,
        officers=officers,
        sites=created,
        site_weights=site_weights,
        nationalities=[by_code[code] for code in NATIONALITIES[0]],
        statuses=[statuses[code] for code in STATUSES[0]],
        adult_needs=[n.pk for n in needs if n.category.code not in ("CR", "SC")],
        child_needs=[n.pk for n in needs if n.category.code in ("CR", "SC")],
        operators=operators,
    )


@lru_cache(maxsize=200_000)
def _keys(given: str, family: str) -> SearchKeys:
    return search_keys(given, family)


class _Codes:
    """Fresh random codes, never the same twice in one run."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def new(self, prefix: str) -> str:
        while True:
            code = codes.new_code(prefix)
            if code not in self.seen:
                self.seen.add(code)
                return code


@dataclass
class _Batch:
    households: list[list[Any]] = field(default_factory=list)
    people: list[list[Any]] = field(default_factory=list)
    needs: list[list[Any]] = field(default_factory=list)
    audit: list[list[Any]] = field(default_factory=list)


def load_registry(
    context: Context,
    *,
    people: int,
    rng: random.Random,
    progress: Callable[[str], None],
) -> dict[str, int]:
    """COPY households and `people` people (with needs and audit events) into the registry."""
    today = timezone.localdate()
    now = timezone.now()
    span = datetime.timedelta(days=730)
    household_table = Table(Household)
    person_table = Table(DisplacedPerson)
    need_table = Table(PersonSpecificNeed)
    audit_table = Table(AuditEvent)
    tables = [household_table, person_table, need_table, audit_table]
    made = _Codes()
    counts = {"households": 0, "people": 0, "needs": 0, "audit": 0}

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        dropped: list[tuple[str, str]] = []
        for table in tables:
            for name, definition in secondary_indexes(cursor, table.model._meta.db_table):
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
                dropped.append((name, definition))
        household_id = next_id(cursor, Household)
        person_id = next_id(cursor, DisplacedPerson)
        need_id = next_id(cursor, PersonSpecificNeed)
        audit_id = next_id(cursor, AuditEvent)
        # The audit events continue the hash chain, as audit_record would write them.
        chain_lock(AUDIT_CHAIN, using=connection.alias)
        audit_chain = ChainStamper(AUDIT_CHAIN, chain_head(AUDIT_CHAIN, using=connection.alias))
        started = time.monotonic()

        batch = _Batch()
        while counts["people"] < people:
            size = min(rng.choices(*HOUSEHOLD_SIZES)[0], people - counts["people"])
            site = rng.choices(context.sites, context.site_weights)[0]
            agency_id = rng.choice(context.operators[site.pk])
            officer = context.officers[agency_id]
            # Registration times grow with the ids, as they do in a live registry.
            moment = now - span * (1 - counts["people"] / people)
            registered_on = timezone.localtime(moment).date()
            code = made.new(codes.HOUSEHOLD_PREFIX)
            batch.households.append(
                household_table.row(
                    {
                        "id": household_id,
                        "code": code,
                        "site_id": site.pk,
                        "address": f"Block {rng.choice('ABCDEFGH')}, plot {rng.randint(1, 400)}",
                        "registered_on": registered_on,
                        "owning_agency_id": agency_id,
                        "created_by_id": officer.pk,
                        "created_at": moment,
                    }
                )
            )
            batch.audit.append(
                audit_table.row(
                    audit_chain.stamp(
                        {
                            "id": audit_id,
                            "created_at": moment,
                            "actor_id": officer.pk,
                            "agency_id": agency_id,
                            "action": "household.register",
                            "object_type": "cases.household",
                            "object_id": str(household_id),
                            "object_repr": code,
                            "changes": {"site": [None, site.pk]},
                            "channel": "web",
                            "ip_address": f"10.{agency_id % 250}.0.{rng.randint(1, 254)}",
                        }
                    )
                )
            )
            audit_id += 1
            family = pick(rng, FAMILY)
            nationality = rng.choices(context.nationalities, NATIONALITIES[1])[0]
            status_id = rng.choices(context.statuses, STATUSES[1])[0]
            origin = rng.choice(names.PLACES)
            for relationship, sex, born in household_members(rng, today, size):
                given, family_name = person_name(rng, sex, family)
                if relationship in ("spouse", "not_related", "other_relative"):
                    family_name = pick(rng, FAMILY)
                keys = _keys(given, family_name)
                estimated = rng.random() < 0.15
                if estimated:
                    born = born.replace(month=1, day=1)
                status = rng.choices(*PERSON_STATUS)[0]
                number = made.new(codes.PERSON_PREFIX)
                batch.people.append(
                    person_table.row(
                        {
                            "id": person_id,
                            "registration_number": number,
                            "household_id": household_id,
                            "site_id": site.pk,
                            "relationship_to_head": relationship,
                            "given_name": given,
                            "family_name": family_name,
                            "other_names": "",
                            "sex": sex,
                            "date_of_birth": born,
                            "date_of_birth_estimated": estimated,
                            "nationality_id": nationality,
                            "languages": "",
                            "displacement_status_id": status_id,
                            "origin_country_id": nationality,
                            "origin_location": origin,
                            "displaced_on": None,
                            "arrived_on": registered_on,
                            "phone": "",
                            "documents": [],
                            "consent_date": registered_on,
                            "consent_given_by": "person" if relationship == "head" else "caregiver",
                            "consent_scope": "registration",
                            "consent_recorded_by_id": officer.pk,
                            "status": status,
                            "status_reason": "" if status == "active" else "Reported by family",
                            "status_changed_on": None if status == "active" else registered_on,
                            "owning_agency_id": agency_id,
                            **keys.as_fields(),
                            "created_by_id": officer.pk,
                            "created_at": moment,
                            "updated_at": moment,
                        }
                    )
                )
                batch.audit.append(
                    audit_table.row(
                        audit_chain.stamp(
                            {
                                "id": audit_id,
                                "created_at": moment,
                                "actor_id": officer.pk,
                                "agency_id": agency_id,
                                "action": "person.register",
                                "object_type": "cases.displacedperson",
                                "object_id": str(person_id),
                                "object_repr": f"{given} {family_name} ({number})",
                                "changes": {
                                    "given_name": [None, given],
                                    "family_name": [None, family_name],
                                    "site": [None, site.pk],
                                },
                                "channel": "web",
                                "ip_address": None,
                            }
                        )
                    )
                )
                audit_id += 1
                if rng.random() < 0.12:
                    child = (today - born).days < 18 * 365
                    pool = (
                        context.child_needs + context.adult_needs if child else context.adult_needs
                    )
                    for need in rng.sample(pool, k=rng.randint(1, 2)):
                        batch.needs.append(
                            need_table.row(
                                {
                                    "id": need_id,
                                    "person_id": person_id,
                                    "need_id": need,
                                    "recorded_by_id": officer.pk,
                                    "recorded_at": moment,
                                }
                            )
                        )
                        need_id += 1
                person_id += 1
                counts["people"] += 1
            household_id += 1
            counts["households"] += 1
            if len(batch.people) >= BATCH_PEOPLE or counts["people"] >= people:
                household_table.copy(cursor, batch.households)
                person_table.copy(cursor, batch.people)
                need_table.copy(cursor, batch.needs)
                audit_table.copy(cursor, batch.audit)
                counts["needs"] += len(batch.needs)
                counts["audit"] += len(batch.audit)
                batch = _Batch()
                rate = counts["people"] / max(time.monotonic() - started, 1e-6)
                progress(f"  {counts['people']:>9,} people loaded ({rate:,.0f}/s)")

        progress(f"  rebuilding {len(dropped)} indexes")
        for _index_name, definition in dropped:
            cursor.execute(definition)
        for model in (Household, DisplacedPerson, PersonSpecificNeed, AuditEvent):
            reset_sequence(cursor, model)
    with connection.cursor() as cursor:
        for model in (Household, DisplacedPerson, PersonSpecificNeed, AuditEvent):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    return counts
