"""Time the duplicate check and the name search at scale, each beside a reference SQL (issue 12).

`python -m benchmarks.duplicate_scale --database-url postgres://.../bench_x` uses a registry
already generated (benchmarks.generate, e.g. a copy of the shared 1M database, migrated). For
each of --probes people drawn at random it makes the misspelled second registration the
scale benchmark makes (benchmarks.measure.probe_for) and times, in the same run:

- the app's duplicate check (cases.registry.duplicates.find_candidates, as the registration
  service calls it) and its recall: the original among the matches shown;
- a reference statement a DBA would write: the same index walks (cases.registry.blocking)
  with the ranking in SQL (trigram similarity of the names, birth-date distance, sex,
  nationality) and LIMIT 10, run raw through the cursor;
- the name search's first page (cases.registry.selectors.person_list, q = a misspelled name,
  the keyset page the list and the API read) and its recall (the person among the matches);
- a reference for it: the same words ILIKE on the trigram index, newest 50.

It prints medians, 95th percentiles, the ratios app / reference and the load average.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/protection_bench"


@dataclass
class Figures:
    """Wall-clock samples of one operation, in seconds, and how many probes it found."""

    label: str
    samples: list[float]
    found: int = 0

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000

    def line(self, *, recall: bool = True) -> str:
        text = (
            f"{self.label:<44} median {self.median_ms:7.1f} ms   p95 {self.p95_ms:7.1f} ms"
            f"   (n={len(self.samples)})"
        )
        if recall:
            share = 100 * self.found / max(len(self.samples), 1)
            text += f"   recall {self.found}/{len(self.samples)} ({share:.1f}%)"
        return text


def _timed(function: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


# The reference: the same walks as cases.registry.blocking, ranked in SQL, LIMIT 10.
_WALK = """(SELECT id, given_name, family_name, sex, date_of_birth, nationality_id, name_search
  FROM cases_displacedperson
  WHERE {condition} AND date_of_birth {side}
  ORDER BY date_of_birth {direction} LIMIT {limit})"""
_NEAR = """(SELECT id, given_name, family_name, sex, date_of_birth, nationality_id, name_search
  FROM cases_displacedperson
  WHERE {condition} AND date_of_birth BETWEEN %(near_earliest)s AND %(near_latest)s
  LIMIT {limit})"""
_REFERENCE_SQL = """
SELECT id, 60 * similarity(name_search, %(names)s)
       + 25 * GREATEST(0, 1 - abs(date_of_birth - %(born)s::date) / (365.25 * %(years)s + 1))
       + CASE WHEN sex = %(sex)s THEN 10 ELSE 0 END
       + CASE WHEN nationality_id = %(nationality)s THEN 5 ELSE 0 END AS rank
FROM (SELECT DISTINCT ON (id) * FROM ({walks}) AS walks) AS block
ORDER BY rank DESC, id DESC
LIMIT 10
"""


def reference_statement() -> str:
    """Return the hand-written blocking and ranking statement (named parameters)."""
    from cases.registry import blocking

    walks = []
    conditions = [
        ("given_key = %(gk)s AND family_key = %(fk)s", blocking.SAME_NAMES_ROWS_PER_SIDE),
        ("given_key = %(fk)s AND family_key = %(gk)s", blocking.SAME_NAMES_ROWS_PER_SIDE),
        ("family_key = %(fk)s AND given_letters = %(go)s", blocking.SAME_LETTERS_ROWS_PER_SIDE),
        ("given_key = %(gk)s AND family_letters = %(fo)s", blocking.SAME_LETTERS_ROWS_PER_SIDE),
        ("given_key = %(gk)s", blocking.ROWS_PER_SIDE),
        ("family_key = %(gk)s", blocking.ROWS_PER_SIDE),
        ("given_key = %(fk)s", blocking.ROWS_PER_SIDE),
        ("family_key = %(fk)s", blocking.ROWS_PER_SIDE),
    ]
    for condition, limit in conditions:
        walks.append(
            _WALK.format(
                condition=condition,
                side="BETWEEN %(born)s AND %(latest)s",
                direction="ASC",
                limit=limit,
            )
        )
        walks.append(
            _WALK.format(
                condition=condition,
                side=">= %(earliest)s AND date_of_birth < %(born)s",
                direction="DESC",
                limit=limit,
            )
        )
    for condition in (
        "family_key = %(fk)s AND given_letters = ANY(%(gl)s)",
        "given_key = %(gk)s AND family_letters = ANY(%(fl)s)",
    ):
        walks.append(_NEAR.format(condition=condition, limit=2 * blocking.LETTERS_ROWS_PER_SIDE))
    return _REFERENCE_SQL.format(walks="\nUNION ALL\n".join(walks))


def _reference_parameters(probe: Any) -> dict[str, Any]:
    from cases.registry import blocking
    from cases.registry.duplicates import normalise, phonetic_key, probe_keys, tolerance_for
    from protection.dates import years_before

    years = tolerance_for(probe)
    keys = probe_keys(probe)
    near = datetime.timedelta(days=blocking.NEAR_DAYS)
    return {
        "go": keys.given_own,
        "fo": keys.family_own,
        "gl": keys.given_letters,
        "fl": keys.family_letters,
        "near_earliest": max(keys.earliest, keys.born - near),
        "near_latest": min(keys.latest, keys.born + near),
        "names": normalise(f"{probe.given_name} {probe.family_name}"),
        "gk": phonetic_key(probe.given_name) or "\x00",
        "fk": phonetic_key(probe.family_name) or "\x00",
        "born": probe.date_of_birth,
        "earliest": years_before(probe.date_of_birth, years),
        "latest": years_before(probe.date_of_birth, -years),
        "years": years,
        "sex": probe.sex,
        "nationality": probe.nationality_id,
    }


def measure_duplicates(people: Sequence[Any], rng: random.Random) -> tuple[Figures, Figures]:
    """Time the app's duplicate check and the reference statement over the same probes."""
    from django.db import connection

    from benchmarks.measure import probe_for
    from cases.models import DisplacedPerson
    from cases.registry.duplicates import find_candidates

    probes = [(person, probe_for(person, rng)) for person in people]
    everyone = DisplacedPerson.objects.all()
    statement = reference_statement()
    app = Figures("duplicate check (find_candidates)", [])
    reference = Figures("reference: walks + ranking in SQL, LIMIT 10", [])
    find_candidates(queryset=everyone, probe=probes[0][1])  # warm the connection
    with connection.cursor() as cursor:
        for person, probe in probes:
            seconds, matches = _timed(partial(find_candidates, queryset=everyone, probe=probe))
            app.samples.append(seconds)
            app.found += any(m.person.pk == person.pk for m in matches)
            parameters = _reference_parameters(probe)

            def run_reference(parameters: dict[str, Any] = parameters) -> list[Any]:
                cursor.execute(statement, parameters)
                return cursor.fetchall()

            seconds, rows = _timed(run_reference)
            reference.samples.append(seconds)
            reference.found += any(row[0] == person.pk for row in rows)
    return app, reference


def measure_search(user: Any, people: Sequence[Any], rng: random.Random) -> tuple[Figures, ...]:
    """Time the name search's first page and the ILIKE reference over misspelled names."""
    from django.db import connection

    from benchmarks.measure import search_terms
    from cases.registry.duplicates import normalise
    from cases.registry.selectors import person_list
    from protection import access
    from protection.pagination import keyset_page

    mine = [p for p in people if p.owning_agency_id == user.agency_id] or list(people)
    terms = search_terms(mine, rng)
    app = Figures("name search, first page of 50", [])
    reference = Figures("reference: ILIKE words on the trigram index", [])
    recall = Figures("name search recall (person among matches)", [])
    scope_sql, scope_params = access.people_for(user).values("pk").query.sql_with_params()
    keyset_page(person_list(user=user, filters={"q": terms[0]}), after=None, size=50)
    with connection.cursor() as cursor:
        for person, term in zip(mine, terms, strict=True):

            def first_page(term: str = term) -> Any:
                return keyset_page(person_list(user=user, filters={"q": term}), after=None, size=50)

            seconds, _page = _timed(first_page)
            app.samples.append(seconds)
            matches = person_list(user=user, filters={"q": term})
            recall.found += matches.filter(pk=person.pk).exists()
            recall.samples.append(seconds)
            words = normalise(term).split()
            where = " AND ".join(["name_search LIKE %s"] * len(words))
            # The words are parameters; only placeholders and the scope's SQL are joined.
            sql = (
                "SELECT id, given_name, family_name FROM cases_displacedperson WHERE "  # noqa: S608
                + where
                + " AND id IN ("
                + scope_sql
                + ") ORDER BY id DESC LIMIT 50"
            )
            parameters = [f"%{word}%" for word in words] + list(scope_params)

            def run_reference(sql: str = sql, parameters: list[Any] = parameters) -> list[Any]:
                cursor.execute(sql, parameters)
                return cursor.fetchall()

            seconds, rows = _timed(run_reference)
            reference.samples.append(seconds)
            reference.found += any(row[0] == person.pk for row in rows)
    return app, reference, recall


def _ratio(app: Figures, reference: Figures) -> str:
    return (
        f"  ratio app / reference: median {app.median_ms / reference.median_ms:.1f}x, "
        f"p95 {app.p95_ms / reference.p95_ms:.1f}x"
    )


def run(*, probes: int = 200, seed: int = 20261130, say: Callable[[str], None] = print) -> None:
    """Print the duplicate check and name search figures (Django set up, registry loaded)."""
    from benchmarks.measure import sample_people
    from cases.models import DisplacedPerson
    from protection.accounts.models import User

    rng = random.Random(seed)
    total = DisplacedPerson.objects.count()
    say(f"Registry: {total:,} people; load average {os.getloadavg()[0]:.1f} (1 min)")
    people = sample_people(rng, probes)
    app, reference = measure_duplicates(people, rng)
    say(app.line())
    say(reference.line())
    say(_ratio(app, reference))
    officer = User.objects.get(username="unhcr_officer")
    search, search_reference, recall = measure_search(officer, people, rng)
    say(search.line(recall=False))
    say(search_reference.line(recall=False))
    say(_ratio(search, search_reference))
    say(
        f"  name search recall on misspellings: {recall.found}/{len(recall.samples)} "
        f"({100 * recall.found / max(len(recall.samples), 1):.1f}%); the ILIKE reference's "
        f"first page holds the person for {search_reference.found}"
    )
    say(f"Load average after: {os.getloadavg()[0]:.1f}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.duplicate_scale", description=__doc__
    )
    parser.add_argument("--probes", type=int, default=200, help="probes (200)")
    parser.add_argument("--seed", type=int, default=20261130, help="random seed")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="an already generated benchmark database (never your working one)",
    )
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protection.settings.dev")
    import django

    django.setup()
    run(probes=args.probes, seed=args.seed, say=lambda text: print(text, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
