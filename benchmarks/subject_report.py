"""Measure the data-subject report: `python -m benchmarks.subject_report --runs 20`.

It uses a database of its own (protection_bench_subject, dropped and created again each run)
and builds, through the services, one person with 3 protection cases (assessed, with a plan
and notes), 10 referrals to a partner and 200 logged reads of the file by 5 users. It then
opens the report as a protection officer in this process (Django's test client, no HTTP
server) as a page, as JSON and as a PDF, each request inside a transaction rolled back after
it, so that every run lists the same 200 reads. It prints the median and 95th percentile of
each, the SQL statements each runs, and the sizes of what is answered.
"""

import argparse
import datetime
import io
import os
import statistics
import sys
import time
from typing import Any

from benchmarks.incident_latency import _recreate_database

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/protection_bench_subject"
CASES = 3
REFERRALS = 10
READS = 200


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.subject_report", description=__doc__
    )
    parser.add_argument("--runs", type=int, default=20, help="requests of each format (20)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="the benchmark's own database (BENCH_DATABASE_URL; never your working one)",
    )
    return parser.parse_args(argv)


def _line(label: str, values_ms: list[float]) -> str:
    ordered = sorted(values_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{label:<12} median {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms"


def _world() -> dict[str, Any]:
    """Build the person, their cases, referrals and reads through the services."""
    from django.utils import timezone

    from camps.models import Country, Site, SiteType
    from cases.casework import plan, referrals, services
    from cases.models import DisplacementStatus, ReferralUrgency, SharedField
    from cases.registry.records import PersonData
    from cases.registry.services import household_register
    from partners.models import (
        DataCategory,
        DataSharingAgreement,
        PartnerAgency,
        Sector,
        Service,
        SharingPurpose,
    )
    from protection.accounts.models import User
    from protection.audit import access_log_record
    from protection.models import AccessPurpose

    today = timezone.localdate()
    mission = PartnerAgency.objects.create(name="Mission Protection Unit", acronym="MPU")
    partner = PartnerAgency.objects.create(name="Women's Health Partner", acronym="WHP")
    site = Site.objects.create(
        name="Kakuma One",
        code="KAK-01",
        site_type=SiteType.objects.get(code="planned_camp"),
        country=Country.objects.get(code="SSD"),
        capacity=20000,
        managing_agency=mission,
    )
    DataSharingAgreement.objects.create(
        agency_one=mission,
        agency_two=partner,
        purposes=[SharingPurpose.REFERRAL],
        data_categories=list(DataCategory.values),
        valid_from=today - datetime.timedelta(days=30),
        valid_to=today + datetime.timedelta(days=365),
    )
    users = [
        User.objects.create(username=f"user{index}", agency=mission, role=role)
        for index, role in enumerate(
            ["protection_officer", "case_worker", "case_worker", "supervisor", "case_worker"]
        )
    ]
    officer, worker = users[0], users[1]
    registration = household_register(
        actor=officer,
        site=site,
        members=[
            PersonData(
                given_name="Nyakuoth",
                family_name="Gatluak",
                sex="female",
                relationship_to_head="head",
                displacement_status=DisplacementStatus.objects.get(code="IDP"),
                consent_date=today - datetime.timedelta(days=20),
                consent_given_by="person",
                date_of_birth=datetime.date(1990, 5, 17),
                phone="+211 912 345 678",
            )
        ],
    )
    person = registration.members[0]
    sector = Sector.objects.get(code="gbv")
    partner_services = [
        Service.objects.create(
            agency=partner, name=f"Service {n}", sector=sector, contact_email=f"s{n}@example.org"
        )
        for n in range(REFERRALS)
    ]
    cases = []
    for number in range(CASES):
        case = services.case_open(
            actor=worker,
            person=person,
            case_type="general_protection",
            risk_level="medium",
            summary=f"Threatened at the water point ({number}).",
        )
        case = services.case_transition(actor=worker, case=case, status="assessment")
        plan.assessment_record(
            actor=worker,
            case=case,
            risks_identified="Threats at the water point.",
            immediate_safety_concern=True,
            safety_plan="Fetch water with her sister, mornings only.",
        )
        case = services.case_transition(actor=worker, case=case, status="case_plan")
        for text in ("Met her sister.", "Calmer at the second visit."):
            services.case_note_add(actor=worker, case=case, text=text)
        cases.append(case)
    for index, service in enumerate(partner_services):
        referrals.referral_create(
            actor=worker,
            case=cases[index % CASES],
            service=service,
            reason="Needs medical care within 72 hours.",
            urgency=ReferralUrgency.URGENT,
            shared_fields=[SharedField.FULL_NAME, SharedField.AGE, SharedField.PHONE],
            consent=referrals.Consent(
                given_by="person",
                given_on=today,
                scope=[SharedField.FULL_NAME, SharedField.AGE, SharedField.PHONE],
            ),
        )
    for index in range(READS):
        record = person if index % 4 else cases[index % CASES]
        access_log_record(
            user=users[index % len(users)], objects=[record], purpose=AccessPurpose.DETAIL
        )
    return {"person": person, "officer": officer}


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    command = " ".join([".venv/bin/python -m benchmarks.subject_report", *argv])
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
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from pypdf import PdfReader

    from protection.reference_data import load_reference_data

    print(f"Command: {command}", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    load_reference_data()
    world = _world()
    person = world["person"]
    client = Client(SERVER_NAME="localhost")
    client.force_login(world["officer"])
    urls = {
        "page": reverse("cases:person_subject_report", args=[person.pk]),
        "json": reverse("cases:person_subject_report_json", args=[person.pk]),
        "pdf": reverse("cases:person_subject_report_pdf", args=[person.pk]),
    }

    def fetch(url: str) -> tuple[float, int, bytes]:
        """Return the time, statement count and body of one report, rolled back after it."""
        with transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url, {"purpose": "subject_request"})
                elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, response.status_code
            transaction.set_rollback(True)
        return elapsed, len(queries), response.content

    for url in urls.values():
        fetch(url)  # warm: templates, fonts, the first PDF layout
    print(
        f"One person: {CASES} cases, {REFERRALS} referrals, {READS} logged reads "
        f"({args.runs} requests of each format)"
    )
    for name, url in urls.items():
        timings = [fetch(url) for _run in range(args.runs)]
        _elapsed, statements, body = timings[-1]
        pages = f", {len(PdfReader(io.BytesIO(body)).pages)} pages" if name == "pdf" else ""
        print(
            _line(name, [t[0] for t in timings])
            + f"   {statements} SQL statements   {len(body) / 1024:.0f} KiB{pages}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
