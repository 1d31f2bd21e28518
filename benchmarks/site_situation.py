"""Time the site situation page at a site of 100,000 people (issue 11).

`python -m benchmarks.site_situation --people 100000` fills a database of its own
(protection_bench_situation by default, rebuilt when it does not hold that many people) with
one site and its registry (benchmarks.generate, by COPY), then, at the scale such a site has,
protection cases (5 % of the people), their assessments, referrals, incidents over the
early warning's nine weeks with their alerts, and ninety days of population counts. It prints
the median and 95th percentile of the site situation page, the mission page and the officer's
home through the full Django stack, with their query counts and their size.
"""

import argparse
import datetime
import gzip
import os
import random
import sys

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/protection_bench_situation"
CASE_SHARE = 0.05


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.site_situation", description=__doc__
    )
    parser.add_argument("--people", type=int, default=100_000, help="people at the site (100000)")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page (20)")
    parser.add_argument("--seed", type=int, default=20261130, help="random seed")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_SITUATION_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="the benchmark's own database (never your working one)",
    )
    return parser.parse_args(argv)


def _casework(site_pk: int, rng: random.Random) -> dict[str, int]:
    """Bulk-create the site's cases, assessments, referrals, incidents, alerts and counts."""
    from django.utils import timezone

    from camps.models import PopulationSnapshot, Site
    from cases.models import (
        CaseAssessment,
        DisplacedPerson,
        ProtectionCase,
        Referral,
        RiskLevel,
    )
    from incidents.models import Alert, AlertKind, Incident, IncidentType, PerpetratorCategory
    from partners.models import Sector, Service
    from protection.accounts.models import Role, User

    site = Site.objects.select_related("managing_agency").get(pk=site_pk)
    agency = site.managing_agency
    officer = User.objects.get(agency=agency, role=Role.PROTECTION_OFFICER)
    now, today = timezone.now(), timezone.localdate()
    people = list(
        DisplacedPerson.objects.filter(site=site, owning_agency=agency).values_list("pk", flat=True)
    )
    chosen = rng.sample(people, k=int(len(people) * CASE_SHARE))
    risks = rng.choices(RiskLevel.values, weights=[30, 40, 20, 10], k=len(chosen))
    statuses = ["registered", "assessment", "case_plan", "implementation", "follow_up", "closed"]
    cases = ProtectionCase.objects.bulk_create(
        ProtectionCase(
            case_number=f"C-BENCH{index:07d}",
            primary_person_id=person,
            case_type="general_protection",
            risk_level=risks[index],
            owning_agency=agency,
            assigned_to=officer,
            status=(status := rng.choices(statuses, weights=[10, 10, 15, 30, 15, 20])[0]),
            opened_on=today - datetime.timedelta(days=rng.randrange(1, 365)),
            closed_on=today if status == "closed" else None,
            closure_reason="needs_met" if status == "closed" else "",
            created_by=officer,
        )
        for index, person in enumerate(chosen)
    )
    CaseAssessment.objects.bulk_create(
        CaseAssessment(
            case=case,
            assessed_on=min(today, case.opened_on + datetime.timedelta(days=rng.randrange(0, 21))),
            risks_identified="Threats at the water point.",
            assessed_by=officer,
        )
        for case in cases
        if case.status != "registered"
    )
    service = Service.objects.create(
        agency=agency, name="Bench legal aid", sector=Sector.objects.get(code="legal_aid")
    )
    referrals = []
    for index, case in enumerate(rng.sample(cases, k=len(cases) // 3)):
        sent = now - datetime.timedelta(hours=rng.randrange(1, 24 * 120))
        answered = rng.random() < 0.7
        referrals.append(
            Referral(
                code=f"R-BENCH{index:07d}",
                case=case,
                service=service,
                from_agency=agency,
                to_agency=agency,
                reason="Legal counselling.",
                urgency="urgent",
                status="accepted" if answered else "pending",
                consent_basis="consent",
                consent_given_by="person",
                consent_date=today,
                consent_obtained_by=officer,
                sent_at=sent,
                response_due_at=sent + datetime.timedelta(hours=72),
                responded_at=sent + datetime.timedelta(hours=rng.randrange(1, 120))
                if answered
                else None,
                responded_by=officer if answered else None,
                created_by=officer,
            )
        )
    Referral.objects.bulk_create(referrals)
    perpetrator = PerpetratorCategory.objects.order_by("pk").first()
    types = list(IncidentType.objects.filter(restricted=False).values_list("pk", flat=True))
    incidents = Incident.objects.bulk_create(
        Incident(
            reference=f"I-BENCH{index:06d}",
            incident_type_id=rng.choice(types),
            severity=rng.choice([2, 3, 4]),
            occurred_at=(occurred := now - datetime.timedelta(hours=rng.randrange(1, 24 * 63))),
            reported_at=occurred + datetime.timedelta(hours=2),
            site=site,
            source="witness",
            perpetrator_category=perpetrator,
            verification=rng.choice(["reported", "verified", "verified"]),
            description="Bench incident.",
            reported_by=officer,
            reporting_agency=agency,
        )
        for index in range(400)
    )
    alerts = []
    for incident in incidents:
        acknowledged = rng.random() < 0.9
        raised = incident.reported_at
        alerts.append(
            Alert(
                key=f"bench:{incident.pk}",
                kind=AlertKind.INCIDENT,
                incident=incident,
                site=site,
                severity=incident.severity,
                status="acknowledged" if acknowledged else "open",
                deadline_at=None if acknowledged else raised + datetime.timedelta(minutes=30),
                raised_at=raised,
                acknowledged_at=raised + datetime.timedelta(minutes=rng.randrange(2, 90))
                if acknowledged
                else None,
                acknowledged_by=officer if acknowledged else None,
            )
        )
    Alert.objects.bulk_create(alerts)
    population = len(people)
    PopulationSnapshot.objects.bulk_create(
        PopulationSnapshot(
            site=site,
            taken_on=today - datetime.timedelta(days=days),
            individuals=population - days * rng.randrange(5, 30),
            households=population // 5,
        )
        for days in range(90)
    )
    return {"cases": len(cases), "referrals": len(referrals), "incidents": len(incidents)}


def main(argv: list[str]) -> int:
    from benchmarks.__main__ import _recreate_database, _registry_size, _say

    args = _arguments(argv)
    command = " ".join([".venv/bin/python -m benchmarks.site_situation", *argv])
    size = _registry_size(args.database_url)
    generate = size != args.people
    _recreate_database(args.database_url, drop=generate and size is not None)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protection.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from benchmarks import generate as generator
    from benchmarks import measure
    from benchmarks.second_factor import verified_client
    from camps.models import Site
    from incidents.models import Alert
    from protection.accounts.models import Role, User
    from protection.reference_data import load_reference_data

    rng = random.Random(args.seed)
    _say(f"Command: {command}")
    if generate:
        _say(f"Generating one site of {args.people:,} people and its casework ...")
        call_command("migrate", interactive=False, verbosity=0)
        load_reference_data()
        context = generator.create_organisations(sites=1, rng=rng)
        generator.load_registry(context, people=args.people, rng=rng, progress=_say)
    site = Site.objects.select_related("managing_agency").get()
    if not Alert.objects.exists():
        with transaction.atomic():
            _say(f"  {_casework(site.pk, rng)}")
    agency = site.managing_agency
    people = site.people.filter(status="active").count()
    _say(f"Site {site.code}: {people:,} active people; managed by {agency.acronym}")
    officer = User.objects.get(agency=agency, role=Role.PROTECTION_OFFICER)
    supervisor, _ = User.objects.get_or_create(
        username="bench_supervisor", defaults={"agency": agency, "role": Role.SUPERVISOR}
    )
    analyst, _ = User.objects.get_or_create(
        username="bench_analyst", defaults={"agency": agency, "role": Role.ANALYST}
    )
    pages = [
        (officer, "site situation, officer", f"/dashboard/sites/{site.pk}/"),
        (analyst, "site situation, analyst (suppressed)", f"/dashboard/sites/{site.pk}/"),
        (supervisor, "mission page, supervisor", "/dashboard/mission/"),
        (officer, "officer's home", "/dashboard/"),
    ]
    for user, label, path in pages:
        # Signed in past the second factor, as a person would be (a supervisor needs one).
        client = verified_client(user, HTTP_HOST="localhost")
        timing, queries = measure.measure_page(client, label, path, repeat=args.repeat)
        body = client.get(path).content
        _say(f"{timing.line()}   {queries} queries   {len(gzip.compress(body)):,} bytes gzipped")
    _say(f"Command: {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
