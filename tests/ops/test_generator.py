"""The scale generator writes what the app would: keys, audit chain, visible records; resumably.

Small numbers, real PostgreSQL: a run is killed after its second chunk and started again,
and the database then holds each generated row once, as the app derives and reads it.
"""

import json
import random
from collections.abc import Iterator

import pytest
from django.db import connection

from benchmarks import progress as runs
from benchmarks.bulk import secondary_indexes
from benchmarks.case_rows import REASONS
from benchmarks.generate import _finish, create_organisations, generate, plan_run, run
from benchmarks.incident_rows import DESCRIPTIONS
from cases.casework.selectors import case_list, referral_inbox
from cases.models import DisplacedPerson, Household, ProtectionCase, Referral
from cases.registry.duplicates import SEARCH_KEY_FIELDS, search_keys
from cases.registry.selectors import person_list
from incidents.models import Alert, Incident
from incidents.reporting.selectors import incident_get, incident_list
from protection import access
from protection.accounts.models import User
from protection.audit_chain import AUDIT_CHAIN
from protection.audit_values import redact_change
from protection.audit_verify import chain_verify
from protection.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE, INCIDENTS, CASES = 300, 60, 20


class Killed(Exception):
    """Stands for the process being killed between two chunks."""


@pytest.fixture
def _indexes_back() -> Iterator[None]:
    """Put back the indexes of a run the test left unfinished, for the tests after it."""
    yield
    plan = runs.saved_plan()
    if plan is not None:
        _finish(plan, lambda _line: None)


def _kill_after(chunks: int) -> object:
    said: list[str] = []

    def progress(line: str) -> None:
        said.append(line)
        if len(said) == chunks:
            raise Killed

    return progress


@pytest.mark.usefixtures("_indexes_back")
def test_a_killed_run_resumes_without_duplicates_and_writes_what_the_app_derives() -> None:
    with connection.cursor() as cursor:
        indexes_before = {name for name, _d in secondary_indexes(cursor, "cases_displacedperson")}
    context = create_organisations(sites=3, rng=random.Random(1))
    plan = plan_run(
        context,
        people=PEOPLE,
        incidents=INCIDENTS,
        cases=CASES,
        seed=7,
        chunk_people=100,
        chunk_incidents=25,
        chunk_cases=8,
    )
    with pytest.raises(Killed):
        run(plan, _kill_after(2))  # type: ignore[arg-type]
    assert DisplacedPerson.objects.count() == 200

    report = generate(
        people=PEOPLE,
        sites=3,
        incidents=INCIDENTS,
        cases=CASES,
        seed=7,
        progress=lambda _line: None,
    )

    assert report["stages"]["registry"]["resumed_after"] == 2
    assert runs.saved_plan() is None
    assert DisplacedPerson.objects.count() == PEOPLE
    assert Incident.objects.count() == INCIDENTS
    assert ProtectionCase.objects.count() == CASES
    # One registration event per person and per household: none written twice.
    assert AuditEvent.objects.filter(action="person.register").count() == PEOPLE
    assert (
        AuditEvent.objects.filter(action="household.register").count() == Household.objects.count()
    )
    assert chain_verify(AUDIT_CHAIN).ok
    with connection.cursor() as cursor:
        assert {n for n, _d in secondary_indexes(cursor, "cases_displacedperson")} == (
            indexes_before
        )
        cursor.execute(
            "SELECT count(*) FROM cases_displacedperson p "
            "LEFT JOIN cases_household h ON h.id = p.household_id WHERE h.id IS NULL"
        )
        assert cursor.fetchone()[0] == 0

    for person in DisplacedPerson.objects.all():
        keys = search_keys(person.given_name, person.family_name, person.other_names)
        assert {f: getattr(person, f) for f in SEARCH_KEY_FIELDS} == keys.as_fields()
        assert person.household.site_id == person.site_id
    event = AuditEvent.objects.filter(action="person.register").first()
    assert event is not None
    person = DisplacedPerson.objects.get(pk=int(event.object_id))
    assert event.object_repr == person.registration_number
    assert person.given_name not in json.dumps(event.changes, ensure_ascii=False)
    assert event.changes["given_name"] == redact_change(
        "cases.displacedperson", "given_name", [None, person.given_name]
    )

    officer = User.objects.get(username="unhcr_officer")
    visible = person_list(user=officer, filters={"q": person.family_name})
    assert set(visible) <= set(access.people_for(officer))
    mine = Incident.objects.filter(reporting_agency=officer.agency_id)
    listed = incident_list(user=officer)
    assert mine.exists()
    assert set(mine.values_list("pk", flat=True)) <= set(listed.values_list("pk", flat=True))
    incident = incident_get(user=officer, pk=mine[0].pk)
    assert incident.description in DESCRIPTIONS
    assert Alert.objects.count() == Incident.objects.filter(severity__gte=3).count()
    # Each alert reached the reporting agency's officer, as its in-app delivery shows.
    assert set(access.alerts_for(officer)) == set(
        Alert.objects.filter(incident__reporting_agency=officer.agency_id)
    )

    for agency_officer in User.objects.filter(username__endswith="_officer"):
        owned = ProtectionCase.objects.filter(owning_agency=agency_officer.agency_id)
        assert set(case_list(user=agency_officer)) == set(owned)
        received = Referral.objects.filter(
            to_agency=agency_officer.agency_id,
            status__in=["pending", "accepted", "declined", "completed"],
        )
        inbox = set(referral_inbox(user=agency_officer).values_list("pk", flat=True))
        assert set(received.values_list("pk", flat=True)) <= inbox
    referral = Referral.objects.select_related("case").first()
    assert referral is not None
    assert referral.reason in REASONS
    assert referral.shared_data["case_type"] == referral.case.case_type
