"""Report incidents through a Redis outage: `python -m benchmarks.broker_outage`.

The whole stack runs on a database and a redis-server of the benchmark's own: gunicorn (3
workers) serving the API, a Celery worker and beat, with the production cache (CACHE_URL) and
the broker on that one Redis, so that the outage takes both away, the worst case. Officers
report critical incidents through the API at a steady rate (`--rate` a second, from a pool of
client threads, each request timed); after `--before` seconds Redis is killed (`--mode kill`) or
frozen with SIGSTOP (`--mode freeze`) for `--outage` seconds, and reporting goes on `--after`
seconds more. Each report raises an alert whose first tier is an officer (in-app) and a partner
(webhook, received here and counted per delivery key).

It prints the reports answered 201 and otherwise, the response times before, during and after
the outage, the incidents in the database, and, once every delivery went out (the sweeper
catches up at its production pace unless told otherwise), the deliveries lost and the ones the
partner received twice.
"""

import argparse
import datetime
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from benchmarks.outage_stack import (
    Receiver,
    beat_command,
    environment,
    processes,
    recreate_database,
    setup_django,
    summary,
    wait_for_worker,
    web_command,
    worker_command,
)
from tests.redis_server import free_port, redis_server

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/protection_bench_outage"


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.broker_outage", description=__doc__)
    parser.add_argument("--mode", choices=["kill", "freeze"], default="kill")
    parser.add_argument("--rate", type=float, default=10, help="reports a second (10)")
    parser.add_argument("--before", type=float, default=15, help="seconds before the outage")
    parser.add_argument("--outage", type=float, default=30, help="seconds Redis is away (30)")
    parser.add_argument("--after", type=float, default=15, help="seconds of reports after it")
    parser.add_argument("--sweep-seconds", default="30", help="NOTIFICATION_SWEEP_SECONDS (30)")
    parser.add_argument("--sweep-after", default="60", help="NOTIFICATION_SWEEP_AFTER_SECONDS (60)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_OUTAGE_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="the benchmark's own database, dropped and created again",
    )
    return parser.parse_args(argv)


def _mission(receiver: Receiver) -> tuple[str, int]:
    """Create a camp, an officer, a duty officer, a subscribed partner and a policy."""
    from knox.models import AuthToken

    from camps.models import Country, Site, SiteType
    from incidents.models import EscalationPolicy, EscalationTier, TierRecipient
    from partners.models import PartnerAgency
    from protection.accounts.models import User
    from protection.notifications.services.subscriptions import webhook_subscription_create

    mission = PartnerAgency.objects.create(name="Mission Protection Unit", acronym="MPU")
    partner = PartnerAgency.objects.create(name="Child Relief", acronym="CRF")
    site = Site.objects.create(
        name="Kakuma One",
        code="KAK-01",
        site_type=SiteType.objects.get(code="planned_camp"),
        country=Country.objects.get(code="SSD"),
        capacity=20000,
        managing_agency=mission,
    )
    site.operating_agencies.add(partner)
    reporter = User.objects.create(username="reporter", agency=mission)
    duty = User.objects.create(username="duty", agency=mission)
    partner_api = User.objects.create(username="crf_api", agency=partner, role="partner_api")
    webhook_subscription_create(actor=partner_api, url=receiver.url, events=["alert.raised"])
    policy = EscalationPolicy.objects.create(name="Critical", minimum_severity=4)
    tier = EscalationTier.objects.create(
        policy=policy, level=1, notify_in_app=True, notify_email=False, notify_webhook=True
    )
    TierRecipient.objects.create(tier=tier, kind="user", user=duty)
    TierRecipient.objects.create(tier=tier, kind="agency", agency=partner)
    _instance, token = AuthToken.objects.create(user=reporter)
    return token, site.pk


def _report(url: str, token: str, site_id: int) -> tuple[int, float]:
    body = json.dumps(
        {
            "type": "abduction",
            "severity": 4,
            "occurred_at": (
                datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
            ).isoformat(),
            "site": site_id,
            "male_adults": 1,
            "perpetrator_category": "non_state_armed_group",
            "source": "witness",
            "description": "A man taken at the water point.",
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - our own server on 127.0.0.1
        url,
        data=body,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:
        status = 0  # no answer at all
    return status, time.monotonic() - started


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    print(f"Command: .venv/bin/python -m benchmarks.broker_outage {' '.join(argv)}", flush=True)
    recreate_database(args.database_url)
    port = free_port()
    receiver = Receiver()
    with redis_server() as redis:
        env = environment(
            database_url=args.database_url,
            broker_url=redis.url(0),
            cache_url=redis.url(1),
            NOTIFICATION_SWEEP_SECONDS=args.sweep_seconds,
            NOTIFICATION_SWEEP_AFTER_SECONDS=args.sweep_after,
        )
        setup_django()
        from django.db.models import Max
        from django.utils import timezone

        from incidents.models import Incident
        from protection.notifications.models import Delivery

        token, site_id = _mission(receiver)
        url = f"http://127.0.0.1:{port}/api/v1/incidents/"
        stack = [
            ("web", web_command(port)),
            ("worker", worker_command()),
            ("beat", beat_command()),
        ]
        with processes(*stack, env=env) as running:
            wait_for_worker()
            while _report(url, token, site_id)[0] != 201:  # gunicorn is up and warm
                time.sleep(0.5)
            while Delivery.objects.exclude(status="sent").exists():
                time.sleep(0.2)
            baseline = Delivery.objects.count()
            incidents_before = Incident.objects.count()

            answers: list[tuple[float, int, float]] = []
            lock = threading.Lock()

            def one(at: float) -> None:
                status, seconds = _report(url, token, site_id)
                with lock:
                    answers.append((at, status, seconds))

            total = args.before + args.outage + args.after
            count = int(total * args.rate)
            began = time.monotonic()
            outage_start, outage_end = args.before, args.before + args.outage
            state = "up"
            back = timezone.now()
            with ThreadPoolExecutor(max_workers=32) as pool:
                for number in range(count):
                    at = number / args.rate
                    while (now := time.monotonic() - began) < at:
                        time.sleep(min(0.01, at - now))
                    if state == "up" and now >= outage_start:
                        if args.mode == "kill":
                            redis.kill()
                        else:
                            redis.freeze()
                        state = "away"
                    if state == "away" and now >= outage_end:
                        if args.mode == "kill":
                            redis.start()
                        else:
                            redis.thaw()
                        back = timezone.now()
                        state = "back"
                    pool.submit(one, at)
            expected = baseline + count * 2
            deadline = time.monotonic() + 600
            while Delivery.objects.filter(status="sent").count() < expected:
                if time.monotonic() > deadline:
                    break
                time.sleep(1)
            # What was written before Redis came back, during the outage or lost with it.
            last_sent = Delivery.objects.filter(created_at__lt=back).aggregate(at=Max("sent_at"))
            caught_up = (last_sent["at"] - back).total_seconds() if last_sent["at"] else -1
            restarts = {process.name: process.restarts for process in running}

    receiver.close()
    statuses: dict[int, int] = {}
    for _at, status, _seconds in answers:
        statuses[status] = statuses.get(status, 0) + 1
    accepted = statuses.get(201, 0)
    sent = Delivery.objects.filter(status="sent").count()
    incidents = Incident.objects.count() - incidents_before

    print(
        f"{count} reports at {args.rate:g}/s; Redis (broker and cache) {args.mode} for "
        f"{args.outage:g} s after {args.before:g} s; sweep every {args.sweep_seconds} s, "
        f"after {args.sweep_after} s"
    )
    print(
        f"  answers: {dict(sorted(statuses.items()))}; incidents in the database: "
        f"{incidents} (accepted {accepted})"
    )
    print(summary("response, before the outage", [s for a, _, s in answers if a < outage_start]))
    print(
        summary(
            "response, during the outage",
            [s for a, _, s in answers if outage_start <= a < outage_end],
        )
    )
    print(summary("response, after it", [s for a, _, s in answers if a >= outage_end]))
    print(
        f"  deliveries: {expected - baseline} expected, {sent - baseline} sent, "
        f"{expected - sent} lost; "
        f"received twice by the partner: {receiver.duplicates()}"
    )
    print(
        f"  the deliveries written before Redis came back were all sent {caught_up:.1f} s "
        "after it did; "
        f"process restarts: {restarts}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
