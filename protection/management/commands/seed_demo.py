"""Create the fictional demo mission (agencies, sites, users, households, casework, incidents);
safe to run again."""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from protection.demo.authenticator import DEMO_TOTP_SECRET
from protection.demo.seed import DEFAULT_HOUSEHOLDS, seed_demo


class Command(BaseCommand):
    help = (
        "Create a fictional mission with three agencies, four sites, one user per role, about "
        "500 households, services, agreements, escalation policies, about 40 cases and 30 "
        "incidents with their alerts; print the demo logins. Development only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--households",
            type=int,
            default=DEFAULT_HOUSEHOLDS,
            help=f"How many households the mission has in all (default {DEFAULT_HOUSEHOLDS}).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (demo passwords are public: never in production).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo creates accounts with published passwords; it runs only with "
                "DEBUG on. Pass --force to run it anyway (never on a production database)."
            )
        if options["households"] < 0:
            raise CommandError("--households cannot be negative.")
        started = time.monotonic()
        verbosity = options["verbosity"]

        def progress(done: int, total: int) -> None:
            if verbosity >= 1:
                self.stdout.write(f"  registered {done}/{total} households")

        result = seed_demo(households=options["households"], progress=progress)
        elapsed = time.monotonic() - started
        if result.households_created:
            self.stdout.write(
                f"Demo mission: {result.agencies_created} agencies, {result.sites_created} "
                f"sites, {result.users_created} users, {result.households_created} households "
                f"and {result.people_created} people added in {elapsed:.1f} s."
            )
        else:
            self.stdout.write("Demo mission already in place; nothing to add.")
        self.stdout.write(
            f"Demo sites hold {result.households_total} households, {result.people_total} people."
        )
        work = result.work
        if work.added:
            self.stdout.write(
                f"Demo work: {work.services} services, {work.agreements} data-sharing "
                f"agreements, {work.policies} escalation policies, {work.cases} cases "
                f"({work.referrals} referred), {work.incidents} incidents, {work.alerts} "
                f"alerts and {work.drills} drill(s) added."
            )
        if work.broker_unreachable:
            self.stdout.write(
                "The Celery broker did not answer: the alerts' emails and webhooks wait in the "
                "database, and the worker's sweeper sends them once it runs."
            )
        if verbosity < 1:
            return
        self.stdout.write("")
        self.stdout.write("Demo logins (development only; the same password for every account):")
        self.stdout.write(f"  {'username':<18} {'password':<22} {'agency':<7} role")
        for username, password, agency, role in result.logins:
            self.stdout.write(f"  {username:<18} {password:<22} {agency:<7} {role}")
        self.stdout.write(
            "Administrators and supervisors then ask for a second-factor code: add the key "
            f"{DEMO_TOTP_SECRET} to an authenticator app, or run "
            "`.venv/bin/python manage.py demo_code <username>`."
        )
