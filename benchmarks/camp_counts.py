"""Time the camp list and a big site's camp detail against one GROUP BY in the same run.

`python -m benchmarks.camp_counts --database-url postgres://.../bench_x` runs on a database that
`python -m benchmarks` (benchmarks/generate.py) has filled already, migrated to this code
(`--migrate` migrates it first); it never writes people. It takes the site with the most active
people and an officer of its managing agency, then prints, each as median and p95 over
`--repeat` runs: the site list (selector, and the page through the whole Django stack), the
site's population (selector, and the camp detail page), their query counts, and the SQL a DBA
would write for the same figures: one GROUP BY of the active people by site (the list), and one
GROUP BY of the site's active people by sex and age group with its households (the detail).
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/protection_bench"

LIST_REFERENCE = """
SELECT site_id, count(*) FROM cases_displacedperson WHERE status = 'active' GROUP BY site_id
"""
DETAIL_REFERENCE = """
SELECT sex,
       CASE WHEN date_of_birth > %(y5)s THEN '0_4' WHEN date_of_birth > %(y12)s THEN '5_11'
            WHEN date_of_birth > %(y18)s THEN '12_17' WHEN date_of_birth > %(y60)s THEN '18_59'
            ELSE '60_plus' END AS age_group,
       count(*), count(DISTINCT household_id)
FROM cases_displacedperson WHERE site_id = %(site)s AND status = 'active' GROUP BY 1, 2
"""


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.camp_counts", description=__doc__)
    parser.add_argument("--repeat", type=int, default=20, help="timed runs of each (20)")
    parser.add_argument("--migrate", action="store_true", help="migrate the database first")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="a generated benchmark database (never your working one)",
    )
    return parser.parse_args(argv)


def _timed(label: str, call: Callable[[], Any], repeat: int) -> float:
    """Print the median and p95 of `repeat` calls after one warm-up; return the median (ms)."""
    call()
    samples = []
    for _run in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    median = statistics.median(samples)
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    print(f"  {label:<52} median {median:8.1f} ms   p95 {p95:8.1f} ms", flush=True)
    return median


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protection.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from camps.models import Site
    from camps.selectors import site_list, site_population
    from protection.accounts.models import Role, User
    from protection.dates import years_before

    print(f"Command: .venv/bin/python -m benchmarks.camp_counts {' '.join(argv)}", flush=True)
    if args.migrate:
        call_command("migrate", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(LIST_REFERENCE + " ORDER BY 2 DESC LIMIT 1")
        site_id, people = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM cases_displacedperson")
        registry = cursor.fetchone()[0]
    site = Site.objects.select_related("managing_agency").get(pk=site_id)
    officer = User.objects.filter(
        agency=site.managing_agency, role=Role.PROTECTION_OFFICER, is_active=True
    ).first()
    assert officer is not None, "the generated agency has no protection officer"
    sites = Site.objects.count()
    print(
        f"Registry {registry:,} people, {sites} sites; site {site.code}: {people:,} active; "
        f"officer {officer.username}",
        flush=True,
    )
    today = timezone.localdate()
    bounds = {f"y{age}": years_before(today, age) for age in (5, 12, 18, 60)}

    def reference(sql: str, params: dict[str, Any] | None = None) -> Callable[[], Any]:
        def run() -> Any:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        return run

    client = Client(HTTP_HOST="localhost")
    client.force_login(officer)
    list_path, detail_path = reverse("camps:list"), reverse("camps:detail", args=[site.pk])
    for path in (list_path, detail_path):
        assert client.get(path).status_code == 200, path
    print("Camp list", flush=True)
    selector = _timed("site list (selector)", lambda: list(site_list(user=officer)), args.repeat)
    page = _timed("camp list page", lambda: client.get(list_path), args.repeat)
    list_sql = reference(LIST_REFERENCE)
    ref = _timed("reference: one GROUP BY of active people by site", list_sql, args.repeat)
    print(f"  ratio page / reference {page / ref:.2f}, selector / reference {selector / ref:.2f}")
    print(f"Camp detail, site of {people:,} people", flush=True)
    population = _timed(
        "site population (selector)", lambda: site_population(site=site), args.repeat
    )
    page = _timed("camp detail page", lambda: client.get(detail_path), args.repeat)
    params = {**bounds, "site": site.pk}
    detail_sql = reference(DETAIL_REFERENCE, params)
    ref = _timed("reference: one GROUP BY by sex and age group", detail_sql, args.repeat)
    print(f"  ratio page / reference {page / ref:.2f}, selector / reference {population / ref:.2f}")
    for label, path in (("camp list", list_path), ("camp detail", detail_path)):
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        print(f"  queries: {label} page {len(queries.captured_queries)}")
    checked = site_population(site=site)
    print(f"  detail shows {checked.individuals:,} people, {checked.households:,} households")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
