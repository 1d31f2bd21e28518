"""Requests per second under load: the mixed workload as a share of a signed-in floor page.

`python -m benchmarks.throughput --database-url postgres://.../bench_x --users 5,10,20 --seconds 60`

One command: it prepares the benchmark database (migrations; incidents by COPY up to
--incidents; signed-in sessions that passed the second factor for officers of three agencies,
API tokens for a partner system of three agencies: in that database only), starts gunicorn
(--workers, 3 by default) on a free local port against it, and for each number of users runs
locust headless twice on that same gunicorn, with no think time:

- the floor: signed-in users on the password-change page (session, user, middleware, the
  base layout, no query of its own);
- the mix: officers on the person and incident list pages, partner systems on the persons,
  households and incidents API (benchmarks/throughput_users.py).

It prints each run's requests/s and p95, the mix's requests/s as a share of the floor's, and,
across the loads tried, the p95 at the least load where the mix reaches 80 % of its own
maximum; then stops gunicorn and removes its files. The load average is printed with each run:
the machine is shared, and the share within one run is what compares.
"""

import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.request_speed import setup

OFFICERS = ["unhcr_officer", "nrc_officer", "iom_officer"]
PARTNER_AGENCIES = ["UNHCR", "NRC", "IOM"]
MIX = ["OfficerUser", "PartnerUser"]


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.throughput", description=__doc__)
    parser.add_argument("--database-url", required=True, help="a benchmark database, never yours")
    parser.add_argument("--users", default="20", help="loads to try, e.g. 5,10,20 (20)")
    parser.add_argument("--seconds", type=int, default=60, help="length of each run (60)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (3)")
    parser.add_argument("--incidents", type=int, default=200_000, help="incidents (200000)")
    return parser.parse_args(argv)


def _say(text: str = "") -> None:
    print(text, flush=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare(incidents: int) -> dict[str, Any]:
    """Migrate, load incidents, and sign the bench users in; return what locust reads."""
    import random

    from django.conf import settings
    from django.core.management import call_command
    from knox.models import AuthToken

    from benchmarks import incident_load
    from benchmarks.second_factor import verified_client
    from cases.models import DisplacedPerson
    from partners.models import PartnerAgency
    from protection.accounts.models import Role, User

    call_command("migrate", interactive=False, verbosity=0)
    have = incident_load.incident_count()
    if have < incidents:
        _say(f"Loading {incidents - have:,} incidents (have {have:,}) ...")
        incident_load.load_incidents(count=incidents - have, rng=random.Random(7), progress=_say)
    sessions = []
    for username in OFFICERS:
        client = verified_client(User.objects.get(username=username), HTTP_HOST="localhost")
        sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    tokens = []
    for acronym in PARTNER_AGENCIES:
        agency = PartnerAgency.objects.get(acronym=acronym)
        partner, _created = User.objects.get_or_create(
            username=f"bench_{acronym.lower()}_system",
            defaults={"agency": agency, "role": Role.PARTNER_API},
        )
        AuthToken.objects.filter(user=partner).delete()
        tokens.append(AuthToken.objects.create(user=partner)[1])
    names = list(DisplacedPerson.objects.order_by("?").values_list("family_name", flat=True)[:50])
    return {
        "sessions": sessions,
        "cookie": settings.SESSION_COOKIE_NAME,
        "tokens": tokens,
        "names": names,
    }


class Gunicorn:
    """gunicorn serving the project on a free local port, against the benchmark database."""

    def __init__(self, database_url: str, workers: int, folder: Path) -> None:
        self.port = _free_port()
        environment = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "protection.settings.dev",
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "memory://"),
            # The throttle still runs on every API request; its rate is lifted above what a few
            # partner systems with no think time send, so that none is answered 429.
            "API_THROTTLE_USER": "100000000/hour",
        }
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "protection.wsgi:application",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            env=environment,
            stdout=(folder / "gunicorn.log").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):  # noqa: S310
                    return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise SystemExit(f"gunicorn did not answer; see {folder / 'gunicorn.log'}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def run_locust(
    *, url: str, classes: list[str], users: int, seconds: int, folder: Path, setup_file: Path
) -> dict[str, Any]:
    """Run locust headless; return the aggregated requests/s, p95 and failures, and per name."""
    prefix = folder / f"{'-'.join(classes)}-{users}"
    subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(Path(__file__).with_name("throughput_users.py")),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{seconds}s",
            "--host",
            url,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "ERROR",
            "--stop-timeout",
            "5",
            *classes,
        ],
        env={**os.environ, "BENCH_THROUGHPUT_FILE": str(setup_file)},
        stdout=subprocess.DEVNULL,
        stderr=(folder / "locust.log").open("a"),
        timeout=seconds + 120,
        check=False,
    )
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))  # noqa: SIM115
    one, five, fifteen = os.getloadavg()
    result: dict[str, Any] = {"load": f"{one:.2f} {five:.2f} {fifteen:.2f}", "names": {}}
    for row in rows:
        figures = {
            "rps": float(row["Requests/s"]),
            "p95": float(row["95%"]),
            "median": float(row["50%"]),
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
        }
        if row["Name"] == "Aggregated":
            result.update(figures)
        else:
            result["names"][row["Name"]] = figures
    return result


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    loads = [int(value) for value in args.users.split(",")]
    _say(f"Command: python -m benchmarks.throughput {' '.join(argv)}")
    setup(args.database_url)
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as directory:
        folder = Path(directory)
        setup_file = folder / "users.json"
        setup_file.write_text(json.dumps(prepare(args.incidents)), encoding="utf-8")
        from django.db import connections

        connections.close_all()
        server = Gunicorn(args.database_url, args.workers, folder)
        _say(f"gunicorn, {args.workers} workers, on {server.url}; {args.seconds} s per run")
        results = []
        try:
            for users in loads:
                floor = run_locust(
                    url=server.url,
                    classes=["FloorUser"],
                    users=users,
                    seconds=args.seconds,
                    folder=folder,
                    setup_file=setup_file,
                )
                mix = run_locust(
                    url=server.url,
                    classes=MIX,
                    users=users,
                    seconds=args.seconds,
                    folder=folder,
                    setup_file=setup_file,
                )
                results.append((users, floor, mix))
        finally:
            server.stop()
        _report(results)
    return 0


def _report(results: list[tuple[int, dict[str, Any], dict[str, Any]]]) -> None:
    _say()
    _say(
        f"{'users':>5} {'floor req/s':>12} {'floor p95':>10} {'mix req/s':>10} {'mix p95':>8}"
        f" {'share':>6} {'failed':>7}  load (floor run / mix run)"
    )
    for users, floor, mix in results:
        share = mix["rps"] / floor["rps"] if floor["rps"] else 0.0
        _say(
            f"{users:>5} {floor['rps']:>12.1f} {floor['p95']:>8.0f}ms {mix['rps']:>10.1f}"
            f" {mix['p95']:>6.0f}ms {100 * share:>5.0f}% {floor['failures'] + mix['failures']:>7}"
            f"  {floor['load']} / {mix['load']}"
        )
    users, _floor, mix = results[-1]
    _say()
    _say(f"The mix at {users} users, per request (median / p95 ms, req/s):")
    for name, figures in sorted(mix["names"].items()):
        _say(
            f"  {name:<28} {figures['median']:>6.0f} / {figures['p95']:>6.0f}"
            f"   {figures['rps']:>6.1f}/s   failed {figures['failures']}"
        )
    best = max(mix["rps"] for _users, _floor, mix in results)
    users, floor, mix = next(r for r in results if r[2]["rps"] >= 0.8 * best)
    _say()
    _say(
        f"Mix maximum {best:.1f} req/s; it reaches 80 % of it at {users} users: "
        f"p95 {mix['p95']:.0f} ms (goal <= 300 ms), share of the floor "
        f"{100 * mix['rps'] / floor['rps']:.0f}% (goal >= 40 %)"
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
