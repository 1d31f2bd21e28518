"""Measure the registry at scale: duplicate check, name search, list pages, query plans."""

import datetime
import random
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext

from benchmarks import names
from camps.selectors import site_list
from cases.models import DisplacedPerson
from cases.registry import blocking
from cases.registry.blocking import nearest_rows_many
from cases.registry.duplicates import (
    MAX_BLOCK_ROWS,
    MAX_CANDIDATES,
    ProbeIdentity,
    find_candidates,
    phonetic_key,
    probe_keys,
    score,
    score_value,
    tolerance_for,
)
from cases.registry.selectors import person_list
from protection.pagination import keyset_page

if TYPE_CHECKING:
    from protection.accounts.models import User

PAGE_SIZE = 50
_INDEX_IN_PLAN = re.compile(
    r"(?:Index(?: Only)? Scan(?: Backward)? using|Bitmap Index Scan on) (\S+)"
)


@dataclass
class Timing:
    """Wall-clock samples of one measured operation, in seconds."""

    label: str
    samples: list[float]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000

    def line(self) -> str:
        return (
            f"{self.label:<46} median {self.median_ms:8.1f} ms   p95 {self.p95_ms:8.1f} ms"
            f"   (n={len(self.samples)})"
        )


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    """Return (seconds, result) of one call."""
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def sample_people(rng: random.Random, count: int) -> list[DisplacedPerson]:
    """Return `count` people picked at random across the whole id range."""
    highest = DisplacedPerson.objects.order_by("-id").values_list("id", flat=True).first() or 0
    chosen: dict[int, DisplacedPerson] = {}
    while len(chosen) < count and highest:
        ids = [rng.randint(1, highest) for _ in range(count * 2)]
        for person in DisplacedPerson.objects.filter(pk__in=ids):
            if len(chosen) < count:
                chosen[person.pk] = person
    return list(chosen.values())


def probe_for(person: DisplacedPerson, rng: random.Random) -> ProbeIdentity:
    """Return the identity an officer would type for this person on a second registration."""
    given, family = person.given_name, person.family_name
    if rng.random() < 0.6:
        given = names.misspell(given, rng)
    if rng.random() < 0.25:
        family = names.misspell(family, rng)
    born = person.date_of_birth
    if not person.date_of_birth_estimated and rng.random() < 0.5:
        born += datetime.timedelta(days=rng.randint(-40, 40))
    return ProbeIdentity(
        given_name=given,
        family_name=family,
        sex=person.sex,
        date_of_birth=born,
        date_of_birth_estimated=person.date_of_birth_estimated,
        nationality_id=person.nationality_id,
    )


def block_size(queryset: QuerySet[DisplacedPerson], probe: ProbeIdentity) -> int:
    """Return how many rows the blocking step reads for the probe (as find_candidates does)."""
    keys = {k for k in (phonetic_key(probe.given_name), phonetic_key(probe.family_name)) if k}
    tolerance = (
        settings.DUPLICATE_ESTIMATED_DOB_TOLERANCE_YEARS
        if probe.date_of_birth_estimated
        else settings.DUPLICATE_DOB_TOLERANCE_YEARS
    )
    earliest = probe.date_of_birth - datetime.timedelta(days=int(365.25 * tolerance))
    latest = probe.date_of_birth + datetime.timedelta(days=int(365.25 * tolerance))
    blocking = Q()
    for key in keys:
        blocking |= Q(given_key=key) | Q(family_key=key)
    rows = queryset.filter(blocking, date_of_birth__range=(earliest, latest))
    return rows.order_by()[:MAX_BLOCK_ROWS].count()


_WALK_LIMITS = (
    "SAME_NAMES_ROWS_PER_SIDE",
    "SAME_LETTERS_ROWS_PER_SIDE",
    "LETTERS_ROWS_PER_SIDE",
    "ROWS_PER_SIDE",
)


def outnumbered(
    queryset: QuerySet[DisplacedPerson], probe: ProbeIdentity, person: DisplacedPerson
) -> bool:
    """Return whether MAX_CANDIDATES other people score at least as high as `person`.

    No check that shows MAX_CANDIDATES matches can then be sure to show the person: "Fatuma
    Mohammed" born on an estimated 1 January shares name, date, sex and nationality with
    hundreds at 10,000,000 people. The block is read with walks 50 times longer than the
    check's, so that a miss of the blocking is told apart from a crowd of equals.
    """
    saved = {name: getattr(blocking, name) for name in _WALK_LIMITS}
    try:
        for name, limit in saved.items():
            setattr(blocking, name, 50 * limit)
        [wide] = nearest_rows_many(queryset, [probe_keys(probe)])
    finally:
        for name, limit in saved.items():
            setattr(blocking, name, limit)
    tolerance = tolerance_for(probe)
    own = score_value(probe, person, tolerance)
    equals = sum(
        1 for row in wide if row.id != person.pk and score_value(probe, row, tolerance) >= own
    )
    return equals >= MAX_CANDIDATES


@dataclass
class DuplicateResult:
    timing: Timing
    found: int
    probes: int
    mean_block: float
    capped_blocks: int
    scoring_seconds_per_row: float


def measure_duplicates(
    people: list[DisplacedPerson],
    queryset: QuerySet[DisplacedPerson],
    rng: random.Random,
    label: str,
) -> DuplicateResult:
    """Time find_candidates for a misspelled second registration of each person."""
    probes = [(person, probe_for(person, rng)) for person in people]
    find_candidates(queryset=queryset, probe=probes[0][1])  # warm the connection and caches
    samples, found = [], 0
    for person, probe in probes:
        seconds, matches = timed(partial(find_candidates, queryset=queryset, probe=probe))
        samples.append(seconds)
        found += any(m.person.pk == person.pk for m in matches)
    blocks = [block_size(queryset, probe) for _person, probe in probes[:50]]
    # The cost of scoring one row in Python, to compare blocking with scoring everyone.
    rows = list(DisplacedPerson.objects.order_by("-id")[:2000])
    probe = probes[0][1]
    seconds, _ = timed(lambda: [score(probe, row, 2) for row in rows])
    return DuplicateResult(
        timing=Timing(label, samples),
        found=found,
        probes=len(probes),
        mean_block=statistics.mean(blocks),
        capped_blocks=sum(1 for b in blocks if b >= MAX_BLOCK_ROWS),
        scoring_seconds_per_row=seconds / len(rows),
    )


def search_terms(people: list[DisplacedPerson], rng: random.Random) -> list[str]:
    """Return misspelled searches: 'given family' for most, a single family name for some."""
    terms = []
    for person in people:
        if rng.random() < 0.7:
            terms.append(f"{names.misspell(person.given_name, rng)} {person.family_name}")
        else:
            terms.append(names.misspell(person.family_name, rng))
    return terms


def measure_name_search(user: "User", terms: list[str]) -> tuple[Timing, float]:
    """Time the first page (50 rows) of the person list searched by a misspelled name."""

    def first_page(term: str) -> int:
        people = person_list(user=user, filters={"q": term})
        return len(keyset_page(people, after=None, size=PAGE_SIZE).items)

    first_page(terms[0])
    samples, sizes = [], []
    for term in terms:
        seconds, size = timed(partial(first_page, term))
        samples.append(seconds)
        sizes.append(size)
    return Timing("name search, first page of 50", samples), statistics.mean(sizes)


def measure_page(
    client: Client, label: str, path: str, params: dict[str, str] | None = None, repeat: int = 10
) -> tuple[Timing, int]:
    """Time a page through the full Django stack; return the timing and its query count."""
    response = client.get(path, params or {})
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    samples = []
    for _index in range(repeat):
        seconds, _response = timed(lambda: client.get(path, params or {}))
        samples.append(seconds)
    with CaptureQueriesContext(connection) as queries:
        client.get(path, params or {})
    return Timing(label, samples), len(queries.captured_queries)


def measure_site_list(user: "User", repeat: int = 10) -> Timing:
    """Time the site list with population against capacity (the camps page's query)."""
    samples = []
    for _index in range(repeat + 1):
        seconds, _sites = timed(lambda: list(site_list(user=user)))
        samples.append(seconds)
    return Timing("site list with population (selector)", samples[1:])


def captured_sql(function: Callable[[], Any], contains: str) -> str:
    """Run `function` and return the first SQL it ran that mentions `contains`."""
    with CaptureQueriesContext(connection) as queries:
        function()
    matching = [q["sql"] for q in queries.captured_queries if contains in q["sql"]]
    if not matching:
        raise RuntimeError(f"No query mentioning {contains!r} was run.")
    return matching[0]


def explain(sql: str) -> tuple[str, set[str]]:
    """Return the EXPLAIN (ANALYZE, BUFFERS) plan of `sql` and the indexes it uses."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return plan, set(_INDEX_IN_PLAN.findall(plan))
