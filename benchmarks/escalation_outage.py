"""Measure how late escalations are after a Redis outage: `python -m benchmarks.escalation_outage`.

A worker and beat run on a database and a redis-server of the benchmark's own (beat scans for
due alerts every ALERT_ESCALATION_SCAN_SECONDS, 30 s as in production unless `--scan`). It
raises `--alerts` alerts, then sets their acknowledgement deadlines one after another inside the
coming outage, kills Redis (`--mode kill`; `--mode freeze` stops it with SIGSTOP) for
`--outage` seconds, brings it back and waits until every alert has climbed to its second tier.

An escalation's lateness is when it happened minus its deadline. While the broker is away
nothing can be scanned, so the floor is the time left in the outage; the figure that tells
whether the pipeline catches up is the time from Redis coming back to the last escalation.
"""

import argparse
import datetime
import os
import statistics
import sys
import time

from benchmarks.outage_stack import (
    beat_command,
    environment,
    processes,
    recreate_database,
    setup_django,
    wait_for_worker,
    worker_command,
)
from tests.redis_server import redis_server

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/protection_bench_escalation"


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.escalation_outage", description=__doc__
    )
    parser.add_argument("--mode", choices=["kill", "freeze"], default="kill")
    parser.add_argument("--alerts", type=int, default=12, help="alerts due in the outage (12)")
    parser.add_argument("--outage", type=float, default=60, help="seconds Redis is away (60)")
    parser.add_argument("--scan", default="30", help="ALERT_ESCALATION_SCAN_SECONDS (30)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_ESCALATION_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="the benchmark's own database, dropped and created again",
    )
    return parser.parse_args(argv)


def _raise_alerts(count: int) -> list[int]:
    """Report `count` critical incidents under a two-tier policy; return their alerts' ids."""
    from django.utils import timezone

    from camps.models import Country, Site, SiteType
    from incidents.models import (
        EscalationPolicy,
        EscalationTier,
        IncidentType,
        PerpetratorCategory,
        TierRecipient,
    )
    from incidents.reporting.services import IncidentData, incident_report
    from partners.models import PartnerAgency
    from protection.accounts.models import User

    mission = PartnerAgency.objects.create(name="Mission Protection Unit", acronym="MPU")
    site = Site.objects.create(
        name="Kakuma One",
        code="KAK-01",
        site_type=SiteType.objects.get(code="planned_camp"),
        country=Country.objects.get(code="SSD"),
        capacity=20000,
        managing_agency=mission,
    )
    reporter = User.objects.create(username="reporter", agency=mission)
    policy = EscalationPolicy.objects.create(name="Critical", minimum_severity=4)
    for level, name in ((1, "duty"), (2, "head")):
        tier = EscalationTier.objects.create(
            policy=policy, level=level, notify_in_app=True, notify_email=False
        )
        user = User.objects.create(username=name, agency=mission)
        TierRecipient.objects.create(tier=tier, kind="user", user=user)
    ids: list[int] = []
    for _ in range(count):
        result = incident_report(
            actor=reporter,
            data=IncidentData(
                incident_type=IncidentType.objects.get(code="abduction"),
                severity=4,
                occurred_at=timezone.now() - datetime.timedelta(minutes=10),
                perpetrator_category=PerpetratorCategory.objects.get(code="non_state_armed_group"),
                source="witness",
                description="Two people taken from the market.",
                site=site,
                male_adults=2,
            ),
        )
        ids.extend(alert.pk for alert in result.alerts)
    return ids


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    print(f"Command: .venv/bin/python -m benchmarks.escalation_outage {' '.join(argv)}")
    recreate_database(args.database_url)
    with redis_server() as redis:
        env = environment(
            database_url=args.database_url,
            broker_url=redis.url(0),
            ALERT_ESCALATION_SCAN_SECONDS=args.scan,
        )
        setup_django()
        from django.utils import timezone

        from incidents.models import Alert

        stack = [("worker", worker_command()), ("beat", beat_command())]
        with processes(*stack, env=env) as running:
            wait_for_worker()
            ids = _raise_alerts(args.alerts)
            time.sleep(3)
            start = timezone.now() + datetime.timedelta(seconds=2)
            step = args.outage / args.alerts
            deadlines = {}
            for number, alert_id in enumerate(ids):
                deadlines[alert_id] = start + datetime.timedelta(seconds=(number + 0.5) * step)
                Alert.objects.filter(pk=alert_id).update(deadline_at=deadlines[alert_id])
            time.sleep(max(0.0, (start - timezone.now()).total_seconds()))
            if args.mode == "kill":
                redis.kill()
            else:
                redis.freeze()
            time.sleep(args.outage)
            if args.mode == "kill":
                redis.start()
            else:
                redis.thaw()
            back = timezone.now()
            deadline = time.monotonic() + 300
            while Alert.objects.filter(pk__in=ids, tier=2).count() < len(ids):
                if time.monotonic() > deadline:
                    raise SystemExit("Not every alert escalated within 300 s of Redis returning.")
                time.sleep(0.5)
            restarts = {process.name: process.restarts for process in running}

    escalated: dict[int, datetime.datetime] = {
        pk: at
        for pk, at in Alert.objects.filter(pk__in=ids).values_list("pk", "escalated_at")
        if at is not None
    }
    late = [(escalated[pk] - deadlines[pk]).total_seconds() for pk in ids]
    after_back = max((at - back).total_seconds() for at in escalated.values())
    print(
        f"{len(ids)} alerts due during a {args.outage:g} s Redis outage ({args.mode}); beat "
        f"scans every {args.scan} s"
    )
    print(
        f"  lateness (escalated - deadline): median {statistics.median(late):.1f} s, "
        f"worst {max(late):.1f} s, least {min(late):.1f} s"
    )
    print(f"  the last escalation {after_back:.1f} s after Redis came back")
    print(f"  process restarts: {restarts}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
