"""The review of rows held as duplicates: register anyway or discard, once, audited."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases.models import DisplacedPerson, ImportRowStatus, ImportStatus, RegistryImport
from cases.registry.imports import services
from cases.registry.imports.commit import registry_import_commit
from cases.registry.imports.review import import_row_discard, import_row_release
from protection.audit_chain import AUDIT_CHAIN
from protection.audit_verify import chain_verify
from protection.models import AuditEvent
from tests import factories
from tests.factories import register_household
from tests.imports.files import bad_and_duplicate_rows, csv_bytes, good_rows
from tests.imports.test_services import run_dry_run

pytestmark = pytest.mark.django_db(transaction=True)
HELD = 6  # the row of bad_and_duplicate_rows() that repeats register_household's person


def _held_import(officer: Any, site: Any) -> tuple[RegistryImport, DisplacedPerson]:
    existing = register_household(actor=officer, site=site).members[0]
    job = services.registry_import_upload(
        actor=officer,
        site=site,
        file_name="arrivals.csv",
        data=csv_bytes(good_rows() + bad_and_duplicate_rows()),
    )
    job = run_dry_run(job, officer)
    assert job.rows.get(row_number=HELD).status == ImportRowStatus.DUPLICATE
    return job, existing


def test_a_held_row_registered_anyway_goes_through_the_commit_once_and_is_audited(
    officer: Any, site: Any
) -> None:
    job, existing = _held_import(officer, site)
    services.registry_import_commit_start(actor=officer, registry_import=job)
    assert registry_import_commit(import_id=job.pk)
    reviewer: Any = factories.UserFactory(agency=officer.agency, role="protection_officer")

    row = import_row_release(actor=reviewer, registry_import=job, row_number=HELD)

    assert row.status == ImportRowStatus.IMPORTED and row.reviewed_by == reviewer
    person = row.person
    assert person is not None and person.pk != existing.pk
    assert (person.given_name, person.family_name) == ("Amina", "Mohammed")
    assert person.name_search and person.given_key and person.family_key
    assert person.site == site and person.household.site == site
    # A retried release (the officer's double click, a partner's retry) registers nothing more.
    again = import_row_release(actor=reviewer, registry_import=job, row_number=HELD)
    assert again.person == person
    assert DisplacedPerson.objects.filter(given_name="Amina").count() == 2
    job.refresh_from_db()
    assert job.rows_imported == 4
    decision = AuditEvent.objects.get(action="import_row.release")
    assert decision.actor == reviewer
    assert decision.changes["status"] == [ImportRowStatus.DUPLICATE, ImportRowStatus.ACCEPTED]
    registered = AuditEvent.objects.get(action="person.register", object_id=str(person.pk))
    assert registered.actor == reviewer and "Amina" not in str(registered.changes)
    assert chain_verify(AUDIT_CHAIN).ok


def test_a_held_row_discarded_keeps_the_reason_out_of_the_audit_trail(
    officer: Any, site: Any
) -> None:
    job, _existing = _held_import(officer, site)

    row = import_row_discard(
        actor=officer, registry_import=job, row_number=HELD, reason="Same as P-1 Amina"
    )

    assert row.status == ImportRowStatus.DISCARDED
    assert row.review_reason == "Same as P-1 Amina" and row.reviewed_by == officer
    event = AuditEvent.objects.get(action="import_row.discard")
    assert "Amina" not in str(event.changes) and "Amina" not in event.object_repr
    # Discarded, it cannot be registered any more, and nothing was.
    with pytest.raises(ValidationError) as raised:
        import_row_release(actor=officer, registry_import=job, row_number=HELD)
    assert "not held for review" in str(raised.value.message_dict["row"])
    assert DisplacedPerson.objects.filter(given_name="Amina").count() == 1


@pytest.mark.parametrize(
    ("row_number", "reason", "field", "message"),
    [
        (HELD, "   ", "reason", "Say why this row is discarded."),
        (HELD, "x" * 301, "reason", "Write at most 300 characters."),
        (2, "dup", "row", "Row 2 is not held for review."),
        (99, "dup", "row", "This import has no row 99."),
    ],
)
def test_a_bad_decision_is_refused_with_a_specific_error_and_nothing_changes(
    officer: Any, site: Any, row_number: int, reason: str, field: str, message: str
) -> None:
    job, _existing = _held_import(officer, site)
    with pytest.raises(ValidationError) as raised:
        import_row_discard(actor=officer, registry_import=job, row_number=row_number, reason=reason)
    assert raised.value.message_dict[field] == [message]
    assert job.rows.get(row_number=HELD).status == ImportRowStatus.DUPLICATE
    assert not AuditEvent.objects.filter(action__startswith="import_row.").exists()


def test_another_agency_or_a_partner_system_cannot_decide(
    officer: Any, other_officer: Any, site: Any
) -> None:
    job, _existing = _held_import(officer, site)
    partner: Any = factories.UserFactory(agency=officer.agency, role="partner_api")
    for actor in (other_officer, partner):
        with pytest.raises(PermissionDenied):
            import_row_release(actor=actor, registry_import=job, row_number=HELD)
    assert job.rows.get(row_number=HELD).status == ImportRowStatus.DUPLICATE
    assert RegistryImport.objects.get(pk=job.pk).status == ImportStatus.VALIDATED
