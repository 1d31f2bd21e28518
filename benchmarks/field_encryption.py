"""Measure what encrypting the narratives costs a case page and the cases API page.

    python -m benchmarks.field_encryption --cases 60 --notes 50 --requests 30 --rounds 3

It works on a database of its own (BENCH_DATABASE_URL, protection_bench_crypt by default),
created and migrated when missing, and fills it with one case holding `--notes` notes (plus
assessments, follow-ups and plan actions) and `--cases` cases with a summary each. Then, in
the same process, it alternates two modes for `--rounds` rounds and times the same requests
in each: "encrypted" (the columns hold AES-GCM ciphertexts, as in production) and "clear"
(the columns are decrypted in place and the encrypted fields patched to pass values through,
which is the project as it was before encryption). The database ends encrypted, as it began.
"""

import argparse
import contextlib
import datetime
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/protection_bench_crypt"
NARRATIVE = (
    "Met her at the women's centre with the interpreter. She says the man who threatened her at "
    "the water point came back twice this week and asked her neighbours where she sleeps. She "
    "does not want to move away from her sister's shelter. Agreed to accompany her to the "
    "clinic on Thursday and to check in by phone every evening until the next visit. "
)


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.field_encryption", description=__doc__
    )
    parser.add_argument("--cases", type=int, default=60, help="cases with a summary (60)")
    parser.add_argument("--notes", type=int, default=50, help="notes on the measured case (50)")
    parser.add_argument("--requests", type=int, default=30, help="requests per page per round")
    parser.add_argument("--rounds", type=int, default=3, help="alternations of the modes (3)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="the benchmark's own database (BENCH_DATABASE_URL; never your working one)",
    )
    return parser.parse_args(argv)


def _setup(database_url: str) -> None:
    from benchmarks.__main__ import _recreate_database, _registry_size

    if _registry_size(database_url) is None:
        _recreate_database(database_url, drop=False)
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protection.settings.dev")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from protection.reference_data import load_reference_data

    load_reference_data()


def _world(cases: int, notes: int) -> tuple[Any, Any]:
    """Return the case worker and the measured case, creating them the first time."""
    from django.utils import timezone

    from camps.models import Country, Site, SiteType
    from cases.casework.services import case_open
    from cases.models import (
        CaseAction,
        CaseAssessment,
        CaseFollowUp,
        CaseNote,
        DisplacementStatus,
        ProtectionCase,
    )
    from cases.registry.records import PersonData
    from cases.registry.services import household_register
    from partners.models import PartnerAgency
    from protection.accounts.models import User

    worker = User.objects.filter(username="bench.worker").first()
    if worker is not None:
        return worker, ProtectionCase.objects.order_by("id").first()
    agency = PartnerAgency.objects.create(name="Benchmark agency", acronym="BENCH")
    site = Site.objects.create(
        name="Kakuma One",
        code="KAK-01",
        site_type=SiteType.objects.get(code="planned_camp"),
        country=Country.objects.get(code="SSD"),
        capacity=20000,
        managing_agency=agency,
    )
    officer = User.objects.create(
        username="bench.officer", agency=agency, role="protection_officer"
    )
    worker = User.objects.create(username="bench.worker", agency=agency, role="case_worker")
    today = timezone.localdate()
    for number in range(cases):
        person = PersonData(
            given_name=f"Amina {number}",
            family_name="Mohammed",
            sex="female",
            relationship_to_head="head",
            displacement_status=DisplacementStatus.objects.get(code="IDP"),
            consent_date=today - datetime.timedelta(days=10),
            consent_given_by="person",
            consent_scope="registration",
            date_of_birth=datetime.date(1990, 5, 17),
            nationality=Country.objects.get(code="SSD"),
            confirm_not_duplicate=True,
        )
        household = household_register(actor=officer, site=site, members=[person])
        case_open(
            actor=worker,
            person=household.members[0],
            case_type="general_protection",
            risk_level="medium",
            summary=NARRATIVE,
            assigned_to=worker,
        )
    case = ProtectionCase.objects.order_by("id").first()
    assert case is not None
    # The parts of the measured case, written as rows (the services' rules are not measured).
    CaseNote.objects.bulk_create(
        CaseNote(case=case, text=f"{number}. {NARRATIVE}", author=worker) for number in range(notes)
    )
    CaseAssessment.objects.bulk_create(
        CaseAssessment(
            case=case,
            assessed_on=today,
            risks_identified=NARRATIVE,
            immediate_safety_concern=True,
            safety_plan=NARRATIVE,
            wishes=NARRATIVE,
            assessed_by=worker,
        )
        for _ in range(5)
    )
    CaseFollowUp.objects.bulk_create(
        CaseFollowUp(
            case=case,
            followed_up_on=today,
            contact_type="home_visit",
            notes=NARRATIVE,
            recorded_by=worker,
        )
        for _ in range(10)
    )
    CaseAction.objects.bulk_create(
        CaseAction(
            case=case,
            description=NARRATIVE[:200],
            responsible_user=worker,
            due_on=today,
            created_by=worker,
        )
        for _ in range(10)
    )
    return worker, case


@contextlib.contextmanager
def _in_clear() -> Iterator[None]:
    """Decrypt every encrypted column in place and let the fields pass values through."""
    from django.db import models

    from protection.crypto import columns
    from protection.crypto.fields import EncryptedJSONField, EncryptedTextField

    for col in columns.encrypted_columns():
        for _ in columns.decrypt_values(col):
            pass

    def text_read(self: Any, value: Any, expression: Any, connection: Any) -> Any:
        return value

    def text_write(self: Any, value: Any) -> Any:
        return models.TextField.get_prep_value(self, value)

    def json_read(self: Any, value: Any, expression: Any, connection: Any) -> Any:
        return None if value is None else json.loads(value)

    def json_write(self: Any, value: Any) -> Any:
        return None if value is None else json.dumps(value)

    with (
        mock.patch.object(EncryptedTextField, "from_db_value", text_read),
        mock.patch.object(EncryptedTextField, "get_prep_value", text_write),
        mock.patch.object(EncryptedJSONField, "from_db_value", json_read),
        mock.patch.object(EncryptedJSONField, "get_prep_value", json_write),
    ):
        yield
    for col in columns.encrypted_columns():
        for _ in columns.encrypt_clear_values(col):
            pass


def _vacuum() -> None:
    from django.db import connection

    from protection.crypto import columns

    with connection.cursor() as cursor:
        for table in sorted({col.table for col in columns.encrypted_columns()}):
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")


def _time(request: Callable[[], Any], count: int) -> list[tuple[float, float]]:
    """Return (wall, CPU of this process) seconds of each of `count` requests."""
    samples = []
    for _ in range(count):
        wall, cpu = time.perf_counter(), time.process_time()
        response = request()
        samples.append((time.perf_counter() - wall, time.process_time() - cpu))
        assert response.status_code == 200, response.status_code
    return samples


def _decryptions(request: Callable[[], Any]) -> int:
    """Return how many values one request decrypts."""
    from protection.crypto import cipher

    with mock.patch.object(cipher, "decrypt", wraps=cipher.decrypt) as spy:
        request()
    return spy.call_count


def _decrypt_cost() -> float:
    """Return the microseconds one decryption of a note-sized value takes."""
    from protection.crypto import cipher

    stored = cipher.encrypt(NARRATIVE, table="cases_casenote", column="text")
    started = time.perf_counter()
    for _ in range(2000):
        cipher.decrypt(stored, table="cases_casenote", column="text")
    return (time.perf_counter() - started) / 2000 * 1e6


def main(argv: list[str]) -> None:
    options = _arguments(argv)
    _setup(options.database_url)
    from django.test import Client
    from django.urls import reverse
    from rest_framework.test import APIClient

    worker, case = _world(options.cases, options.notes)
    page = Client()
    page.force_login(worker)
    api = APIClient()
    api.force_authenticate(worker)
    requests: dict[str, Callable[[], Any]] = {
        f"case page ({options.notes} notes)": lambda: page.get(
            reverse("cases:case_detail", args=[case.pk])
        ),
        f"case notes API ({options.notes} notes)": lambda: api.get(
            f"/api/v1/cases/{case.pk}/notes/"
        ),
        "cases API page (50 cases)": lambda: api.get("/api/v1/cases/", {"page_size": 50}),
    }
    for request in requests.values():  # warm up: templates, URL resolvers, connections
        _time(request, 3)
    samples: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for number in range(options.rounds):
        # Alternate which mode goes first, and vacuum the rewritten tables before timing, so
        # that neither mode inherits the other's dead rows or a colder cache.
        for mode in ("encrypted", "clear") if number % 2 == 0 else ("clear", "encrypted"):
            context = _in_clear() if mode == "clear" else contextlib.nullcontext()
            with context:
                _vacuum()
                for request in requests.values():
                    _time(request, 3)
                for label, request in requests.items():
                    samples.setdefault((label, mode), []).extend(_time(request, options.requests))
    cost = _decrypt_cost()
    print(f"One decryption of a {len(NARRATIVE)}-character note: {cost:.1f} µs")
    for label, request in requests.items():
        count = _decryptions(request)
        print(
            f"{label}: {count} values decrypted per request, "
            f"about {count * cost / 1000:.2f} ms of decryption"
        )
    for label in requests:
        line = [f"{label:<34}"]
        for index, kind in ((0, "wall"), (1, "CPU")):
            encrypted = statistics.median(s[index] for s in samples[(label, "encrypted")]) * 1000
            clear = statistics.median(s[index] for s in samples[(label, "clear")]) * 1000
            line.append(
                f"{kind}: encrypted {encrypted:6.1f} ms, clear {clear:6.1f} ms "
                f"({encrypted - clear:+5.1f} ms)"
            )
        line.append(f"n={len(samples[(label, 'encrypted')])} each")
        print("   ".join(line))


if __name__ == "__main__":
    main(sys.argv[1:])
