"""The rows of the benchmark table, one function each (benchmarks/table.py prints them).

Every function measures the app as a user meets it (the selector or the page, through the
access policy) and, in the same run, the SQL a DBA would write for the same answer.
"""

import datetime
import statistics
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from benchmarks import measure, names
from benchmarks.households import FAMILY_POOL, FEMALE_POOL, MALE_POOL
from benchmarks.table import Bench, Row, ms, page_against_its_sql, percentile, ratio, timed
from cases.models import DisplacedPerson, DisplacementStatus
from cases.registry.duplicates import find_candidates, normalise, phonetic_key
from cases.registry.records import PersonData
from cases.registry.selectors import person_list
from cases.registry.services import household_register
from protection import access
from protection.pagination import keyset_page

# What a DBA would write: the same blocking keys and birth-date window, ranked in SQL by name
# similarity, closeness of the birth date and nationality.
REFERENCE_DUPLICATES = """
SELECT id FROM cases_displacedperson
WHERE (given_key = ANY(%(keys)s) OR family_key = ANY(%(keys)s))
  AND date_of_birth BETWEEN %(earliest)s AND %(latest)s
ORDER BY similarity(name_search, %(name)s)
  + 0.5 - least(abs(date_of_birth - %(born)s::date), 730) / 1460.0
  + CASE WHEN sex = %(sex)s THEN 0.2 ELSE 0 END
  + CASE WHEN nationality_id = %(nationality)s THEN 0.2 ELSE 0 END DESC
LIMIT 10
"""


def _reference_duplicates(probe: Any) -> list[int]:
    keys = [k for k in {phonetic_key(probe.given_name), phonetic_key(probe.family_name)} if k]
    tolerance = (
        settings.DUPLICATE_ESTIMATED_DOB_TOLERANCE_YEARS
        if probe.date_of_birth_estimated
        else settings.DUPLICATE_DOB_TOLERANCE_YEARS
    )
    years = datetime.timedelta(days=int(365.25 * tolerance))
    with connection.cursor() as cursor:
        cursor.execute(
            REFERENCE_DUPLICATES,
            {
                "keys": keys,
                "earliest": probe.date_of_birth - years,
                "latest": probe.date_of_birth + years,
                "born": probe.date_of_birth,
                "sex": probe.sex,
                "nationality": probe.nationality_id,
                "name": normalise(f"{probe.given_name} {probe.family_name}"),
            },
        )
        return [row[0] for row in cursor.fetchall()]


def duplicate_check(bench: Bench) -> list[Row]:
    """find_candidates on a misspelled second registration, against blocking + ranking in SQL."""
    probes = [(p, measure.probe_for(p, bench.rng)) for p in bench.people[: bench.probes]]
    everyone = DisplacedPerson.objects.all()
    find_candidates(queryset=everyone, probe=probes[0][1])
    app, found, missed = [], 0, []
    for person, probe in probes:
        seconds, matches = timed(partial(find_candidates, queryset=everyone, probe=probe))
        app.append(seconds)
        if any(m.person.pk == person.pk for m in matches):
            found += 1
        else:
            missed.append((person, probe))
    crowded = sum(measure.outnumbered(everyone, probe, person) for person, probe in missed)
    reference, reference_found = [], 0
    for person, probe in probes:
        seconds, ids = timed(partial(_reference_duplicates, probe))
        reference.append(seconds)
        reference_found += person.pk in ids
    n = len(probes)
    return [
        Row(
            "duplicate check, median / p95",
            f"{ms(statistics.median(app))} / {ms(percentile(app, 0.95))}",
            f"raw blocking + ranking in SQL: {ms(statistics.median(reference))} / "
            f"{ms(percentile(reference, 0.95))}",
            ratio(percentile(app, 0.95), percentile(reference, 0.95)) + " (p95)",
        ),
        Row(
            "duplicate check recall, misspelled probes",
            f"{100 * found / n:.0f} % ({found}/{n}); of the {n - found} missed, {crowded} had "
            f"{measure.MAX_CANDIDATES} or more people scoring as high",
            f"{100 * reference_found / n:.0f} % ({reference_found}/{n})",
        ),
    ]


def _reference_search(term: str) -> list[int]:
    words = normalise(term).split()
    where = " AND ".join(["name_search ILIKE %s"] * len(words)) or "TRUE"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM cases_displacedperson WHERE {where} "  # noqa: S608 (no input)
            "ORDER BY id DESC LIMIT 50",
            [f"%{word}%" for word in words],
        )
        return [row[0] for row in cursor.fetchall()]


def _visible_sample(bench: Bench, count: int) -> list[DisplacedPerson]:
    """Return `count` people the officer may see, drawn at random over the id range."""
    visible = access.people_for(bench.officer)
    highest = visible.order_by("-id").values_list("id", flat=True).first() or 0
    chosen: dict[int, DisplacedPerson] = {}
    for _attempt in range(50):
        if len(chosen) >= count or not highest:
            break
        ids = [1 + int(bench.rng.random() * highest) for _index in range(count * 4)]
        for person in visible.filter(pk__in=ids).order_by("?")[: count - len(chosen)]:
            chosen[person.pk] = person
    return list(chosen.values())


def name_search(bench: Bench) -> list[Row]:
    """The person list's first page searched by a misspelled name, against ILIKE."""
    officer = bench.officer
    searched = _visible_sample(bench, bench.probes)
    terms = measure.search_terms(searched, bench.rng)

    def first_page(term: str) -> list[int]:
        page = keyset_page(person_list(user=officer, filters={"q": term}), after=None, size=50)
        return [p.pk for p in page.items]

    first_page(terms[0])
    app, found = [], 0
    for person, term in zip(searched, terms, strict=True):
        seconds, ids = timed(partial(first_page, term))
        app.append(seconds)
        found += person.pk in ids
    reference, reference_found = [], 0
    for person, term in zip(searched, terms, strict=True):
        seconds, ids = timed(partial(_reference_search, term))
        reference.append(seconds)
        reference_found += person.pk in ids
    n = len(terms)
    return [
        Row(
            "name search, first page, median / p95",
            f"{ms(statistics.median(app))} / {ms(percentile(app, 0.95))}",
            f"ILIKE on the trigram index: {ms(statistics.median(reference))} / "
            f"{ms(percentile(reference, 0.95))}",
            ratio(percentile(app, 0.95), percentile(reference, 0.95)) + " (p95)",
        ),
        Row(
            "name search recall, misspelled terms",
            f"{100 * found / n:.0f} % ({found}/{n})",
            f"{100 * reference_found / n:.0f} % ({reference_found}/{n})",
        ),
    ]


def persons_api(bench: Bench) -> list[Row]:
    return [page_against_its_sql(bench.client, "persons API page", "/api/v1/persons/")]


def incident_list_page(bench: Bench) -> list[Row]:
    return [page_against_its_sql(bench.client, "incident list page", "/incidents/")]


def incidents_api(bench: Bench) -> list[Row]:
    return [page_against_its_sql(bench.client, "incidents API page", "/api/v1/incidents/")]


# One pass each: people by site, and households as their heads.
SITE_GROUP_BY = """
SELECT site_id, count(*), count(*) FILTER (WHERE relationship_to_head = 'head')
FROM cases_displacedperson WHERE status = 'active' GROUP BY site_id
"""
SITE_DETAIL_GROUP_BY = """
SELECT sex, least(extract(year FROM age(current_date, date_of_birth))::int / 5, 16), count(*)
FROM cases_displacedperson WHERE status = 'active' AND site_id = %s GROUP BY 1, 2
"""


def _group_by(sql: str, params: list[Any], repeat: int = 10) -> float:
    samples = []
    for _index in range(repeat):
        with connection.cursor() as cursor:
            seconds, _rows = timed(lambda: (cursor.execute(sql, params), cursor.fetchall()))
        samples.append(seconds)
    return statistics.median(samples)


def camp_list(bench: Bench) -> list[Row]:
    row = page_against_its_sql(bench.client, "camp list page", "/camps/", repeat=10)
    reference = _group_by(SITE_GROUP_BY, [])
    row.reference += f"; one GROUP BY: {ms(reference)}"
    return [row]


def camp_detail(bench: Bench) -> list[Row]:
    sites = access.sites_for(bench.officer).annotate(registered=Count("people"))
    site = sites.order_by("-registered").first()
    if site is None:
        return [Row("camp detail", "not measured: the officer sees no site")]
    label = f"camp detail, site of {site.registered:,} people"
    row = page_against_its_sql(bench.client, label, f"/camps/{site.pk}/", 10)
    reference = _group_by(SITE_DETAIL_GROUP_BY, [site.pk])
    row.reference += f"; one GROUP BY: {ms(reference)}"
    return [row]


def _households(bench: Bench, count: int) -> list[list[PersonData]]:
    rand, today = bench.rng.random, timezone.localdate()
    status = DisplacementStatus.objects.order_by("pk").first()
    assert status is not None
    households = []
    for _index in range(count):
        family = FAMILY_POOL[int(rand() * len(FAMILY_POOL))]
        members = []
        for position, relationship in enumerate(("head", "spouse", "child", "child", "child")):
            female = rand() < 0.5
            pool = FEMALE_POOL if female else MALE_POOL
            age = 20 + int(rand() * 40) if position < 2 else int(rand() * 17)
            members.append(
                PersonData(
                    given_name=pool[int(rand() * len(pool))],
                    family_name=family,
                    sex="female" if female else "male",
                    relationship_to_head=relationship,
                    displacement_status=status,
                    consent_date=today,
                    consent_given_by="person" if position == 0 else "caregiver",
                    date_of_birth=today - datetime.timedelta(days=age * 365 + int(rand() * 300)),
                    origin_location=names.PLACES[int(rand() * len(names.PLACES))],
                    confirm_not_duplicate=True,
                )
            )
        households.append(members)
    return households


def registration(bench: Bench, households: int = 20) -> list[Row]:
    """household_register for households of 5 (duplicate check and audit included), undone."""
    site = access.sites_for(bench.officer).order_by("pk").first()
    if site is None:
        return [Row("registration through the service", "not measured: no site")]
    batches = _households(bench, households)
    with transaction.atomic():
        seconds, _done = timed(
            lambda: [
                household_register(actor=bench.officer, site=site, members=members)
                for members in batches
            ]
        )
        transaction.set_rollback(True)
    rate = 5 * households / seconds
    copy = bench.copy_people_per_second
    return [
        Row(
            "registration through the service, households of 5",
            f"{rate:,.1f} people/s",
            f"COPY (the generator): {copy:,.0f} people/s" if copy else "—",
            f"{100 * rate / copy:.2f} %" if copy else "—",
        )
    ]


# One function per row: another module's better measure replaces its function here.
ROWS: list[Callable[[Bench], list[Row]]] = [
    duplicate_check,
    name_search,
    persons_api,
    incident_list_page,
    incidents_api,
    camp_list,
    camp_detail,
    registration,
]
