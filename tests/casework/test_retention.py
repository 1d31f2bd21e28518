"""Retention of cases and people: anonymise what expired, keep what is held or still open."""

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from camps.census import census
from cases.casework import closure, plan, services
from cases.casework.anonymisation import REMOVED, case_legal_hold_set
from cases.models import (
    CaseAssessment,
    CaseNote,
    CaseStatus,
    DisplacedPerson,
    Household,
    PersonStatus,
    ProtectionCase,
)
from cases.registry.anonymisation import person_legal_hold_set
from cases.registry.services import person_status_change
from protection.audit_values import is_value_hash
from protection.models import AuditEvent, RetentionRule
from protection.retention import retention_apply, retention_rules
from tests.casework.conftest import advance, open_case

pytestmark = pytest.mark.django_db

NAMES = ("Amina", "Mohammed", "Nyakuoth")


def _close(actor: Any, case: ProtectionCase) -> ProtectionCase:
    services.case_note_add(
        actor=actor, case=case, text="Met her at the clinic; she fears her uncle."
    )
    case = advance(actor, case, CaseStatus.ASSESSMENT)
    plan.assessment_record(
        actor=actor, case=case, risks_identified="Threats at the water point by her uncle."
    )
    return closure.case_close(actor=actor, case=case, reason="moved_away", note="Safe.")


def _years_later(years: int) -> datetime.datetime:
    """A moment `years` after today, when a case closed today is past a shorter period."""
    now = timezone.now()
    return now.replace(year=now.year + years, day=min(now.day, 28))


def _identifiable(person: DisplacedPerson) -> bool:
    person.refresh_from_db()
    return person.anonymised_on is None and person.given_name != ""


def test_expired_closed_case_and_its_people_are_anonymised_and_counts_kept(
    worker: Any, person: Any, child: Any, site: Any
) -> None:
    case = _close(worker, open_case(worker, person, linked_persons=[child]))
    later = _years_later(8)
    day = timezone.localdate(later)
    before = census().population(site=site, today=day)
    born = person.date_of_birth

    results = retention_apply(kinds=["closed_cases"], now=later)

    assert results[0].counts == {"cases": 1, "people": 2, "households": 1}
    case.refresh_from_db()
    assert case.anonymised_on == day
    assert case.summary == REMOVED and case.closure_note == REMOVED
    assert case.status == "closed" and case.case_type == "general_protection"
    assert CaseNote.objects.get(case=case).text == REMOVED
    assert CaseAssessment.objects.get(case=case).risks_identified == REMOVED
    assert case.event_texts.count() == 0
    person.refresh_from_db()
    assert (person.given_name, person.family_name, person.phone) == ("", "", "")
    # Nothing derived from the names is left for search to find them by.
    assert (person.name_search, person.given_key, person.family_key, person.name_keys) == (
        ("", "", "", "")
    )
    assert person.full_name == "Anonymised person"
    assert person.date_of_birth != born and person.date_of_birth_estimated
    assert person.sex == "female" and person.site_id == site.pk
    assert person.registration_number.startswith("P-")
    household = Household.objects.get(pk=person.household_id)
    assert household.anonymised_on == day
    # The site's figures, by sex and age group, are what they were.
    after = census().population(site=site, today=day)
    assert after == before
    # The audit trail names the records and the kind, never a value.
    events = AuditEvent.objects.filter(action="person.anonymise")
    assert {event.object_id for event in events} == {str(person.pk), str(child.pk)}
    for event in AuditEvent.objects.filter(action__endswith=".anonymise"):
        text = str(event.changes) + event.object_repr
        assert not any(name in text for name in NAMES)
        assert event.changes["retention_kind"] == [None, "closed_cases"]
    assert not any(is_value_hash(v) for e in events for pair in e.changes.values() for v in pair)


def test_retention_keeps_cases_within_their_period(worker: Any, person: Any) -> None:
    _close(worker, open_case(worker, person))

    results = retention_apply(kinds=["closed_cases"], now=_years_later(3))

    assert results[0].counts == {"cases": 0, "people": 0, "households": 0}
    assert _identifiable(person)


def test_retention_keeps_a_case_and_a_person_under_legal_hold(
    worker: Any, supervisor: Any, person: Any, child: Any
) -> None:
    held_case = _close(worker, open_case(worker, person))
    assert case_legal_hold_set(actor=supervisor, case=held_case, hold=True)
    person_legal_hold_set(actor=supervisor, person=child, hold=True)
    person_status_change(
        actor=supervisor, person=child, status=PersonStatus.DEPARTED, reason="Left for Juba"
    )

    retention_apply(kinds=["closed_cases", "departed_people"], now=_years_later(8))

    held_case.refresh_from_db()
    assert held_case.anonymised_on is None and held_case.summary == "Threatened by a neighbour."
    assert _identifiable(person) and _identifiable(child)
    assert AuditEvent.objects.filter(action="case.legal_hold", object_id=str(held_case.pk))
    # Lifted, the next run anonymises them.
    case_legal_hold_set(actor=supervisor, case=held_case, hold=False)
    person_legal_hold_set(actor=supervisor, person=child, hold=False)
    retention_apply(kinds=["closed_cases", "departed_people"], now=_years_later(8))
    assert not _identifiable(person) and not _identifiable(child)


def test_retention_keeps_a_person_with_an_open_case(
    worker: Any, supervisor: Any, person: Any, child: Any
) -> None:
    _close(worker, open_case(worker, person, linked_persons=[child]))
    open_case(worker, child)  # the daughter has a case of her own, still open
    person_status_change(
        actor=supervisor, person=child, status=PersonStatus.DEPARTED, reason="Left for Juba"
    )

    results = retention_apply(kinds=["closed_cases", "departed_people"], now=_years_later(8))

    counts = {result.kind: result.counts for result in results}
    assert counts["closed_cases"]["cases"] == 1
    assert counts["closed_cases"]["people"] == 1  # the mother; not the daughter
    assert counts["departed_people"] == {"people": 0, "households": 0}
    assert _identifiable(child) and not _identifiable(person)
    assert Household.objects.get(pk=person.household_id).anonymised_on is None


def test_departed_people_are_anonymised_after_their_period(
    supervisor: Any, person: Any, child: Any, site: Any
) -> None:
    person_status_change(
        actor=supervisor, person=child, status=PersonStatus.DEPARTED, reason="Left for Juba"
    )
    later = _years_later(3)
    before = census().population(site=site, today=timezone.localdate(later))

    results = retention_apply(kinds=["departed_people"], now=later)

    assert results[0].counts == {"people": 1, "households": 0}
    assert not _identifiable(child) and _identifiable(person)
    child.refresh_from_db()
    assert child.status == PersonStatus.DEPARTED and child.status_reason == ""
    assert census().population(site=site, today=timezone.localdate(later)) == before


def test_dry_run_counts_and_writes_nothing(worker: Any, person: Any, child: Any) -> None:
    _close(worker, open_case(worker, person, linked_persons=[child]))
    audit_rows = AuditEvent.objects.count()
    later = _years_later(8)

    results = retention_apply(kinds=["closed_cases"], dry_run=True, now=later)

    assert results[0].counts == {"cases": 1, "people": 2}
    assert _identifiable(person) and _identifiable(child)
    assert ProtectionCase.objects.filter(anonymised_on__isnull=False).count() == 0
    assert AuditEvent.objects.count() == audit_rows
    assert not RetentionRule.objects.exists()  # not even the rules' first rows
    # The real run then does what the dry run said.
    assert retention_apply(kinds=["closed_cases"], now=later)[0].counts["people"] == 2


def test_second_run_changes_nothing(worker: Any, person: Any) -> None:
    _close(worker, open_case(worker, person))
    later = _years_later(8)
    retention_apply(now=later)
    audit_rows = AuditEvent.objects.count()
    person.refresh_from_db()
    snapshot = (person.date_of_birth, person.updated_at)

    results = retention_apply(now=later)

    assert all(result.total == 0 for result in results)
    assert AuditEvent.objects.count() == audit_rows
    person.refresh_from_db()
    assert (person.date_of_birth, person.updated_at) == snapshot


def test_rule_period_and_disabled_rule_are_obeyed(worker: Any, person: Any) -> None:
    _close(worker, open_case(worker, person))
    retention_rules()  # creates the rules from settings
    RetentionRule.objects.filter(kind="closed_cases").update(period=10)
    assert retention_apply(kinds=["closed_cases"], now=_years_later(8))[0].counts["cases"] == 0
    RetentionRule.objects.filter(kind="closed_cases").update(period=1, enabled=False)
    results = {r.kind: r for r in retention_apply(now=_years_later(8))}
    assert results["closed_cases"].skipped
    assert _identifiable(person)


def test_command_dry_run_lists_every_kind_with_counts(worker: Any, person: Any) -> None:
    _close(worker, open_case(worker, person))
    out = StringIO()

    call_command("retention", "--dry-run", stdout=out)

    text = out.getvalue()
    for kind in (
        "closed_cases",
        "departed_people",
        "access_logs",
        "delivered_notifications",
        "expired_api_tokens",
        "idempotency_keys",
    ):
        assert kind in text
    assert "Dry run: nothing changed." in text
    assert _identifiable(person)


def test_command_refuses_an_unknown_kind() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Unknown kind of record: closed_case"):
        call_command("retention", "--kind", "closed_case", stdout=StringIO())
