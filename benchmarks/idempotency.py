"""Measure what an Idempotency-Key costs: `python -m benchmarks.idempotency --reports 300`.

It uses a database of its own (protection_bench_idempotency, dropped and created again each
run) and reports incidents through the API in this process (Django's test client, no HTTP
server): alternately without a key and with a fresh key, then each keyed one again (a
replay). No escalation policy matches, so nothing goes to the broker. It prints the median
and 95th percentile of each kind of request and the SQL statements each runs.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import time
import uuid
from typing import Any

from benchmarks.incident_latency import _recreate_database

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/protection_bench_idempotency"


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.idempotency", description=__doc__)
    parser.add_argument("--reports", type=int, default=300, help="reports of each kind (300)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="the benchmark's own database (BENCH_DATABASE_URL; never your working one)",
    )
    return parser.parse_args(argv)


def _line(label: str, values_ms: list[float]) -> str:
    ordered = sorted(values_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{label:<28} median {statistics.median(ordered):6.2f} ms   p95 {p95:6.2f} ms"


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    command = " ".join([".venv/bin/python -m benchmarks.idempotency", *argv])
    _recreate_database(args.database_url)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "protection.settings.dev",
            "DATABASE_URL": args.database_url,
            "CELERY_BROKER_URL": "memory://",
            "LOG_LEVEL": "WARNING",
            "DEBUG": "0",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from rest_framework.test import APIClient

    from camps.models import Country, Site, SiteType
    from partners.models import PartnerAgency
    from protection.accounts.models import User
    from protection.reference_data import load_reference_data

    print(f"Command: {command}", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    load_reference_data()
    mission = PartnerAgency.objects.create(name="Mission Protection Unit", acronym="MPU")
    site = Site.objects.create(
        name="Kakuma One",
        code="KAK-01",
        site_type=SiteType.objects.get(code="planned_camp"),
        country=Country.objects.get(code="SSD"),
        capacity=20000,
        managing_agency=mission,
    )
    reporter = User.objects.create(username="reporter", agency=mission, role="protection_officer")
    client = APIClient(SERVER_NAME="localhost")
    client.force_authenticate(reporter)

    def report(body: dict[str, Any], key: str | None) -> tuple[float, Any]:
        extra: dict[str, Any] = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
        started = time.perf_counter()
        response = client.post(
            "/api/v1/incidents/", json.dumps(body), content_type="application/json", **extra
        )
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 201, response.content
        return elapsed, response

    def body() -> dict[str, Any]:
        return {
            "type": "abduction",
            "severity": 2,
            "occurred_at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
            "site": site.pk,
            "male_adults": 1,
            "perpetrator_category": "non_state_armed_group",
            "source": "witness",
            "description": "Taken at the market.",
        }

    for _warm in range(10):
        report(body(), None)
    plain: list[float] = []
    keyed: list[float] = []
    sent: list[tuple[dict[str, Any], str]] = []
    for _index in range(args.reports):
        plain.append(report(body(), None)[0])
        sent.append((body(), str(uuid.uuid4())))
        keyed.append(report(*sent[-1])[0])
    replayed: list[float] = []
    for data, key in sent:
        elapsed, response = report(data, key)
        assert response.headers["Idempotent-Replayed"] == "true"
        replayed.append(elapsed)

    statements = []
    for new_key in (None, str(uuid.uuid4())):
        with CaptureQueriesContext(connection) as queries:
            report(body(), new_key)
        statements.append(len(queries))
    with CaptureQueriesContext(connection) as queries:
        report(*sent[0])
    statements.append(len(queries))

    print(_line("report, no key", plain))
    print(_line("report, new key", keyed))
    print(_line("replay of a keyed report", replayed))
    overhead = statistics.median(keyed) - statistics.median(plain)
    print(f"median overhead of a key: {overhead:+.2f} ms")
    print(
        f"SQL statements: no key {statements[0]}, new key {statements[1]}, replay {statements[2]}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
