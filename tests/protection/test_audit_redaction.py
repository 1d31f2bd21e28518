"""The audit trail points, it does not copy: field names and safe values, never narratives."""

import hashlib
import json
from typing import Any

import pytest
from django.test import override_settings

from cases.casework import closure, plan, services
from cases.models import CaseStatus
from protection.audit import audit_record
from protection.audit_values import HASH_PREFIX, is_value_hash, value_hash
from protection.models import AuditEvent
from tests import factories
from tests.casework.conftest import advance, make_user, open_case

pytestmark = pytest.mark.django_db

NARRATIVE = "She was beaten by her husband's brother near the water point."


def _trail() -> str:
    """Return every audit event's changes and object name, as one text."""
    return json.dumps(list(AuditEvent.objects.values("changes", "object_repr")), ensure_ascii=False)


def test_a_narrative_passed_by_mistake_is_stored_as_a_keyed_hash(officer: Any, site: Any) -> None:
    event = audit_record(
        actor=officer,
        action="site.update",
        obj=site,
        changes={
            "status": ["open", "closed"],
            "capacity": [1000, 1500],
            "summary": [None, NARRATIVE],
            "a_field_nobody_declared": ["old words", "new words"],
            # A name on the allow-list that carries text instead of an id is redacted too.
            "note": [None, NARRATIVE],
            "status_reason": ["", "Moved to Juba with her uncle."],
        },
    )

    event.refresh_from_db()
    stored = json.dumps(event.changes)
    for text in (NARRATIVE, "old words", "new words", "Juba"):
        assert text not in stored
    assert event.changes["status"] == ["open", "closed"]
    assert event.changes["capacity"] == [1000, 1500]
    assert event.changes["summary"][0] is None
    assert event.changes["summary"][1] == value_hash("summary", NARRATIVE)
    assert event.changes["note"][1] == value_hash("note", NARRATIVE)
    assert event.changes["status_reason"][0] == ""  # an empty value says nothing
    assert all(is_value_hash(v) for v in event.changes["a_field_nobody_declared"])


def test_the_hash_is_keyed_and_separated_by_field() -> None:
    with override_settings(AUDIT_HASH_KEY="first key"):
        first = value_hash("given_name", "Amina")
        again = value_hash("given_name", "Amina")
        other_field = value_hash("family_name", "Amina")
    with override_settings(AUDIT_HASH_KEY="second key"):
        second = value_hash("given_name", "Amina")

    assert first == again  # whoever holds the key can prove what the value was
    assert first != second  # without the key, nobody can test guesses
    assert first != other_field
    assert first.startswith(HASH_PREFIX)
    unkeyed = hashlib.sha256(b"Amina").hexdigest()
    assert first.removeprefix(HASH_PREFIX) not in unkeyed


def test_registration_names_the_fields_and_keeps_no_personal_value(officer: Any, site: Any) -> None:
    registration = factories.register_household(
        actor=officer,
        site=site,
        address="Block C, plot 12",
        members=[{"phone": "+211 912 345 678", "specific_needs": ["WR-LC"]}],
    )
    person = registration.members[0]

    trail = _trail()
    for text in ("Amina", "Mohammed", "912 345", "Block C", "1990-05-17"):
        assert text not in trail, text
    event = AuditEvent.objects.get(action="person.register")
    assert {"given_name", "family_name", "phone", "date_of_birth"} <= set(event.changes)
    assert event.changes["site"] == [None, site.pk]
    assert event.changes["specific_needs"] == [None, ["WR-LC"]]
    assert event.changes["relationship_to_head"] == [None, "head"]
    assert event.object_repr == person.registration_number
    household = AuditEvent.objects.get(action="household.register")
    assert household.object_repr == registration.household.code


def test_casework_leaves_no_narrative_in_the_trail(agency: Any, officer: Any, site: Any) -> None:
    person = factories.register_household(actor=officer, site=site).members[0]
    worker = make_user(agency, "case_worker", "worker")
    case = open_case(worker, person, case_type="gbv", risk_level="medium", summary=NARRATIVE)
    services.case_note_add(actor=worker, case=case, text="She asked us not to call her.")
    case = services.case_transition(actor=worker, case=case, status="assessment")
    plan.assessment_record(
        actor=worker,
        case=case,
        risks_identified="Threats from the husband's family.",
        safety_plan="Sleeps at her sister's tent.",
        wishes="Wants to stay in the camp.",
    )
    case = advance(worker, case, CaseStatus.IMPLEMENTATION)
    plan.follow_up_record(
        actor=worker, case=case, contact_type="home_visit", notes="Bruises on her arms."
    )
    services.case_update(actor=worker, case=case, summary="Threats by the neighbour too.")
    closure.case_close(actor=worker, case=case, reason="moved_away", note="Left for Juba.")
    closure.case_reopen(actor=worker, case=case, reason="She came back last week.")

    trail = _trail()
    for text in (
        "beaten",
        "not to call",
        "husband",
        "sister",
        "stay in the camp",
        "Bruises",
        "neighbour",
        "Juba",
        "came back",
        "Amina",
    ):
        assert text not in trail, text
    update = AuditEvent.objects.get(action="case.update")
    assert set(update.changes) == {"summary"}
    assert all(is_value_hash(v) for v in update.changes["summary"])
    opened = AuditEvent.objects.get(action="case.open")
    assert opened.changes["risk_level"] == [None, "medium"]
    assert opened.changes["case_type"] == [None, "gbv"]
    assert opened.object_repr == case.case_number


def test_an_object_without_a_code_is_named_by_type_and_id(officer: Any) -> None:
    event = audit_record(actor=officer, action="user.login", obj=officer)

    assert event.object_repr == f"accounts.user #{officer.pk}"
    assert officer.username not in event.object_repr
