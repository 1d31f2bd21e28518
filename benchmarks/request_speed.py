"""Time the list pages and API pages against their own SQL, in the same run.

`python -m benchmarks.request_speed --database-url postgres://.../bench_x --incidents 200000`

For each request (the persons API page, the incidents API page, the incident list page, as
the measuring officer) it prints the median and p95 through the full Django stack (middleware,
session, second factor, throttles, access control, serializers or templates, access logging),
then the median of the same request's SQL replayed back to back on a raw cursor (every
statement the request ran, captured from one request, committed one by one as the request
rolls back at the end), and the ratio. The load average is printed with each figure: the machine is
shared, and ratios within one run are what compare.

The database must hold a registry (benchmarks.generate; a copy of a generated one will do);
incidents are added by COPY (benchmarks.incident_load) up to --incidents. With --profile the
slowest request's profile (cProfile, top 25 by cumulative time, then by own time) is printed
too.
"""

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import time
from io import StringIO
from typing import Any


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.request_speed", description=__doc__)
    parser.add_argument("--database-url", required=True, help="a benchmark database, never yours")
    parser.add_argument("--incidents", type=int, default=200_000, help="incidents (200000)")
    parser.add_argument("--repeat", type=int, default=40, help="samples per request (40)")
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--profile", action="store_true", help="print each request's profile")
    return parser.parse_args(argv)


def _say(text: str = "") -> None:
    print(text, flush=True)


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def _median_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def setup(database_url: str) -> None:
    """Point Django at the benchmark database, as `python -m benchmarks` does."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protection.settings.dev")
    import django

    django.setup()


TWIN = "bench_accesslog_replay"


def create_twin() -> None:
    """Create the access log's twin the replay writes into: same columns and indexes, no chain.

    The access log's chain numbers are unique, so a logged read cannot be inserted twice; the
    replay's copy of it goes to this twin instead, which costs the same to write and commit.
    """
    from django.db import connection

    from protection.models import AccessLog

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TWIN}")
        cursor.execute(f"CREATE TABLE {TWIN} (LIKE {AccessLog._meta.db_table} INCLUDING ALL)")
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'u'",
            [TWIN],
        )
        for (constraint,) in cursor.fetchall():
            cursor.execute(f"ALTER TABLE {TWIN} DROP CONSTRAINT {constraint}")


def drop_twin() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TWIN}")


def replayable(queries: list[dict[str, str]]) -> list[tuple[str, str | None]]:
    """Return the captured statements, each with its COPY rows if any (protection.bulk_insert
    logs a page's COPY with them), the access log's insert sent to the twin."""
    from protection.models import AccessLog

    table = f'"{AccessLog._meta.db_table}"'
    return [
        (
            sql.replace(table, TWIN)
            if sql.startswith((f"INSERT INTO {table}", f"COPY {table}"))
            else sql,
            query.get("copy"),
        )
        for query in queries
        for sql in (query["sql"],)
    ]


def replay_seconds(statements: list[tuple[str, str | None]]) -> float:
    """Run the statements back to back on a raw cursor, as captured; return the seconds taken.

    The captured BEGIN and COMMIT run too, so the replay pays the same commits as the request.
    """
    from django.db import connection

    raw = connection.connection
    assert raw is not None
    started = time.perf_counter()
    with raw.cursor() as cursor:
        for statement, rows in statements:
            if rows is not None:
                cursor.copy_expert(statement, StringIO(rows))
                continue
            cursor.execute(statement)
            if cursor.description is not None:
                cursor.fetchall()
    return time.perf_counter() - started


def measure(client: Any, path: str, repeat: int, profile: bool) -> dict[str, Any]:
    """Time `path` through Django and its SQL replayed; return the figures."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    statements = replayable(captured.captured_queries)
    app, sql, cpu = [], [], []
    for _index in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        client.get(path)
        app.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        connection.ensure_connection()
        sql.append(replay_seconds(statements))
    figures = {
        "path": path,
        "queries": len(statements),
        "app": _median_p95(app),
        "sql": _median_p95(sql),
        "cpu": min(cpu) * 1000,
        "load": _load(),
    }
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _index in range(10):
            client.get(path)
        profiler.disable()
        out = StringIO()
        # By cumulative time (which calls the time goes through), then by own time (where it
        # is spent: model instances, serializers, templates, the driver).
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(25)
        stats.sort_stats("tottime").print_stats(25)
        figures["profile"] = out.getvalue()
    return figures


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    setup(args.database_url)
    from django.core.management import call_command

    from benchmarks import incident_load
    from benchmarks.second_factor import verified_client
    from protection.accounts.models import User

    _say(f"Command: python -m benchmarks.request_speed {' '.join(argv)}")
    call_command("migrate", interactive=False, verbosity=0)
    have = incident_load.incident_count()
    if have < args.incidents:
        _say(f"Loading {args.incidents - have:,} incidents (have {have:,}) ...")
        started = time.monotonic()
        incident_load.load_incidents(
            count=args.incidents - have, rng=random.Random(args.seed), progress=_say
        )
        _say(f"  in {time.monotonic() - started:,.0f} s")
    officer = User.objects.get(username="unhcr_officer")
    # Signed in and past the second factor as a person would be (benchmarks.second_factor).
    client = verified_client(officer, HTTP_HOST="localhost", raise_request_exception=True)
    requests = [
        ("persons API page", "/api/v1/persons/", 1.5),
        ("incidents API page", "/api/v1/incidents/", 1.5),
        ("incident list page", "/incidents/", 2.0),
    ]
    create_twin()
    _say(f"As {officer.username}; {args.repeat} samples each; medians (p95) in ms")
    _say(
        f"{'request':<22}{'app':>18}{'its SQL':>18}{'ratio':>8}{'goal':>7}"
        f"{'CPU min':>9}  queries  load"
    )
    for label, path, goal in requests:
        figures = measure(client, path, args.repeat, args.profile)
        app, sql = figures["app"], figures["sql"]
        _say(
            f"{label:<22}{app[0]:>8.1f} ({app[1]:>6.1f}){sql[0]:>8.1f} ({sql[1]:>6.1f})"
            f"{app[0] / sql[0]:>7.1f}x{goal:>6.1f}x{figures['cpu']:>9.1f}"
            f"  {figures['queries']:>7}  {figures['load']}"
        )
        if "profile" in figures:
            _say(figures["profile"])
    drop_twin()
    _say()
    _say("The rows' JSON and HTML alone, 50 rows, least of 30 runs in ms (serializer or template")
    _say("from the models, as before / as the pages now make them):")
    for label, before, after in _row_costs(officer):
        _say(f"  {label:<34} {before:>7.2f} / {after:>6.2f}")
    return 0


def _least_ms(function: Any, runs: int = 30) -> float:
    samples = []
    for _index in range(runs):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return min(samples) * 1000


def _row_costs(officer: Any) -> list[tuple[str, float, float]]:
    """Time building a page's rows the old way and the new way, on the same 50 rows."""
    from django.db.models import Prefetch
    from django.template import engines

    from cases.models import SpecificNeed
    from cases.registry.api.output import person_json
    from cases.registry.api.serializers import PersonSerializer
    from cases.registry.selectors import person_list
    from incidents.api.output import incident_json
    from incidents.api.serializers import incident_data
    from incidents.page_rows import incident_rows
    from incidents.reporting.selectors import incident_list
    from incidents.representations import incident_anonymised

    needs = SpecificNeed.objects.order_by("code")
    people = list(
        person_list(user=officer)
        .select_related("nationality", "origin_country")
        .prefetch_related(Prefetch("specific_needs", queryset=needs))[:50]
    )
    incidents = list(incident_list(user=officer)[:50])
    views = [incident_anonymised(incident) for incident in incidents]
    old_rows = engines["django"].from_string(
        "{% for i in rows %}<a href=\"{% url 'incidents:detail' i.pk %}\">{{ i.reference }}</a>"
        "{{ i.incident_type.label }}{{ i.get_severity_display }}"
        "{{ i.occurred_at|date:'SHORT_DATE_FORMAT' }}{{ i.site.name }}{{ i.victim_count }}"
        "{{ i.get_verification_display }}{{ i.get_status_display }}{% endfor %}"
    )
    new_rows = engines["django"].from_string(
        '{% for r in rows %}<a href="{{ r.url }}">{{ r.reference }}</a>{{ r.type_label }}'
        "{{ r.severity }}{{ r.occurred }}{{ r.site }}{{ r.victims }}{{ r.verification }}"
        "{{ r.status }}{% endfor %}"
    )
    return [
        (
            "persons API, 50 people",
            _least_ms(lambda: PersonSerializer(people, many=True).data),
            _least_ms(lambda: [person_json(person) for person in people]),
        ),
        (
            "incidents API, 50 (anonymised)",
            _least_ms(lambda: [incident_data(view, {}) for view in views]),
            _least_ms(lambda: [incident_json(view) for view in views]),
        ),
        (
            "incident list rows, 50",
            _least_ms(lambda: old_rows.render({"rows": incidents})),
            _least_ms(lambda: new_rows.render({"rows": incident_rows(incidents)})),
        ),
    ]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
