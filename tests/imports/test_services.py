"""Bulk import through its services: dry run names every problem, commit imports good rows."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from cases.models import (
    DisplacedPerson,
    Household,
    ImportRow,
    ImportRowStatus,
    ImportStatus,
    RegistryImport,
)
from cases.registry import blocking
from cases.registry.duplicates import ProbeIdentity, find_candidates
from cases.registry.imports import services
from cases.registry.imports.commit import registry_import_commit
from cases.registry.imports.dry_run import registry_import_dry_run
from protection import access
from protection.audit_chain import AUDIT_CHAIN
from protection.audit_verify import chain_verify
from protection.models import AuditEvent
from tests.factories import register_household
from tests.imports.files import (
    HEADERS,
    bad_and_duplicate_rows,
    csv_bytes,
    good_rows,
    many_rows,
)


def run_dry_run(job: RegistryImport, officer: Any) -> RegistryImport:
    services.registry_import_dry_run_start(actor=officer, registry_import=job)
    assert registry_import_dry_run(import_id=job.pk)
    job.refresh_from_db()
    return job


@pytest.mark.django_db(transaction=True)
def test_dry_run_names_bad_row_and_duplicate_and_commit_imports_only_good_rows(
    officer: Any, site: Any
) -> None:
    existing = register_household(actor=officer, site=site).members[0]
    job = services.registry_import_upload(
        actor=officer,
        site=site,
        file_name="arrivals.csv",
        data=csv_bytes(good_rows() + bad_and_duplicate_rows()),
        batch_size=2,
    )
    job = run_dry_run(job, officer)
    assert job.status == ImportStatus.VALIDATED
    assert job.rows_checked == 5
    by_row = {row.row_number: row for row in job.rows.all()}
    assert [by_row[n].status for n in (2, 3, 4)] == [ImportRowStatus.ACCEPTED] * 3
    bad = by_row[5]
    assert bad.status == ImportRowStatus.REFUSED
    assert set(bad.errors) == {"sex"}
    duplicate = by_row[6]
    assert duplicate.status == ImportRowStatus.DUPLICATE
    assert duplicate.duplicates[0]["registration_number"] == existing.registration_number
    assert duplicate.duplicates[0]["score"] >= 90

    services.registry_import_commit_start(actor=officer, registry_import=job)
    assert registry_import_commit(import_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.rows_imported == 3
    assert job.progress_percent == 100
    imported = DisplacedPerson.objects.exclude(pk=existing.pk)
    assert sorted(imported.values_list("given_name", flat=True)) == ["Grace", "Joseph", "Peter"]
    assert Household.objects.count() == 3
    peter = imported.get(given_name="Peter")
    assert peter.household == imported.get(given_name="Grace").household
    assert list(peter.specific_needs.values_list("code", flat=True)) == ["CR-AF"]
    events = AuditEvent.objects.filter(action="person.register", object_id=str(peter.pk))
    assert events.count() == 1
    assert "Peter" not in str(events.get().changes)
    assert events.get().changes["registry_import"] == [None, job.pk]
    # A second run (a redelivered task) imports nothing more.
    RegistryImport.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)
    assert registry_import_commit(import_id=job.pk)
    assert DisplacedPerson.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_a_row_is_checked_against_the_registry_as_a_registration_is(
    officer: Any, site: Any, monkeypatch: Any
) -> None:
    """More namesakes than the walks read: the dry run finds those born nearest the row, the
    very matches the registration check shows, and holds the row with them."""
    limits = ("ROWS_PER_SIDE", "SAME_NAMES_ROWS_PER_SIDE", "SAME_LETTERS_ROWS_PER_SIDE")
    for name in (*limits, "LETTERS_ROWS_PER_SIDE"):
        monkeypatch.setattr(blocking, name, 1)
    first = datetime.date(1980, 1, 1)
    crowd = register_household(
        actor=officer,
        site=site,
        members=[
            {
                "given_name": "Fatima",
                "date_of_birth": first + datetime.timedelta(days=60 * i),
                "relationship_to_head": "head" if i == 0 else "other_relative",
                "confirm_not_duplicate": True,
            }
            for i in range(12)
        ],
    ).members
    target = crowd[6]
    born = target.date_of_birth + datetime.timedelta(days=3)
    row = ["F1", "head", "Fatma", "Mohammed", "female", born.isoformat(), "IDP", "SSD"]
    job = services.registry_import_upload(
        actor=officer,
        site=site,
        file_name="crowd.csv",
        data=csv_bytes([[*row, good_rows()[0][8], "person", ""]]),
    )

    held = run_dry_run(job, officer).rows.get()

    probe = ProbeIdentity("Fatma", "Mohammed", "female", born, False, target.nationality_id)
    shown = find_candidates(queryset=access.people_for(officer), probe=probe)
    assert len(shown) < len(crowd)  # the walks read some of the crowd, the nearest first
    assert held.status == ImportRowStatus.DUPLICATE
    assert held.duplicates[0]["registration_number"] == target.registration_number
    assert [m["person"] for m in held.duplicates] == [c.person.pk for c in shown]
    assert [m["score"] for m in held.duplicates] == [c.score for c in shown]


@pytest.mark.django_db(transaction=True)
def test_duplicates_within_the_file_are_held(officer: Any, site: Any) -> None:
    rows = good_rows()
    twin = list(rows[2])
    twin[0], twin[2] = "E5", "Josef"
    job = services.registry_import_upload(
        actor=officer, site=site, file_name="f.csv", data=csv_bytes([*rows, twin])
    )
    job = run_dry_run(job, officer)
    held = job.rows.get(row_number=5)
    assert held.status == ImportRowStatus.DUPLICATE
    assert held.duplicates[0]["row"] == 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("people.pdf", b"%PDF-1.4", "Upload a CSV or XLSX file."),
        ("people.xlsx", b"given_name,family_name\n", "This file is not an XLSX spreadsheet."),
        ("people.csv", b"given_name,family_name\nAmina,Ali\n", "The file has no column for"),
        ("people.csv", b"", "The file is empty."),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_error_and_nothing_written(
    officer: Any, site: Any, name: str, data: bytes, message: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        services.registry_import_upload(actor=officer, site=site, file_name=name, data=data)
    assert message in " ".join(raised.value.message_dict["file"])
    assert not RegistryImport.objects.exists()
    assert not ImportRow.objects.exists()


@pytest.mark.django_db
def test_the_mapping_is_remembered_for_the_agency(officer: Any, site: Any) -> None:
    headers = ["Hh", *HEADERS[1:]]
    data = csv_bytes(good_rows(), headers)
    job = services.registry_import_upload(
        actor=officer, site=site, file_name="f.csv", data=data, allow_mapping_later=True
    )
    assert job.mapping["Hh"] == ""
    services.registry_import_map(
        actor=officer, registry_import=job, mapping={**job.mapping, "Hh": "household_ref"}
    )
    again = services.registry_import_upload(actor=officer, site=site, file_name="g.csv", data=data)
    assert again.mapping["Hh"] == "household_ref"


@pytest.mark.django_db(transaction=True)
def test_a_large_import_audits_each_person_in_the_chain_that_audit_verify_walks(
    officer: Any, site: Any
) -> None:
    job = services.registry_import_upload(
        actor=officer, site=site, file_name="big.csv", data=csv_bytes(many_rows(150))
    )
    job = run_dry_run(job, officer)
    accepted = job.rows.filter(status=ImportRowStatus.ACCEPTED).count()
    assert accepted > 250  # one COPY of the audit events (COPY_FROM_ROWS and more)
    services.registry_import_commit_start(actor=officer, registry_import=job)
    assert registry_import_commit(import_id=job.pk)

    events = AuditEvent.objects.filter(action="person.register")
    assert events.count() == accepted
    assert all(
        c == [None, job.pk] for c in events.values_list("changes__registry_import", flat=True)
    )
    report = chain_verify(AUDIT_CHAIN)
    assert report.ok and report.rows == AuditEvent.objects.count()


@pytest.mark.django_db(transaction=True)
def test_cells_with_quotes_commas_backslashes_and_arabic_come_through_unchanged(
    officer: Any, site: Any
) -> None:
    """The rows and their fates travel to PostgreSQL as COPY streams: nothing is mangled."""
    consent = (good_rows()[0])[8]
    tail = ["IDP", "SSD", consent]
    awkward = [
        ['Q"1', "head", 'Ha"wa, Jr', "O\\Brien", "female", "1988-04-04", *tail, "person", ""],
        ['Q"1', "child", "نور", "O\\Brien", "female", "2016-05-05", *tail, "caregiver", ""],
        ['R,"2', "head", "Sara", "Deng", 'wo"man, \\N', "1990-01-01", *tail, "person", ""],
    ]
    job = services.registry_import_upload(
        actor=officer, site=site, file_name="awkward.csv", data=csv_bytes(awkward)
    )
    assert [row.values for row in job.rows.order_by("row_number")] == awkward
    job = run_dry_run(job, officer)
    by_row = {row.row_number: row for row in job.rows.all()}
    assert [by_row[n].status for n in (2, 3)] == [ImportRowStatus.ACCEPTED] * 2
    assert by_row[2].household_ref == 'Q"1'
    refused = by_row[4]
    assert refused.status == ImportRowStatus.REFUSED
    assert refused.household_ref == 'R,"2'
    assert 'wo"man, \\N' in refused.errors["sex"][0]
    services.registry_import_commit_start(actor=officer, registry_import=job)
    assert registry_import_commit(import_id=job.pk)
    names = set(
        DisplacedPerson.objects.filter(family_name="O\\Brien").values_list(
            "given_name", "family_name"
        )
    )
    assert names == {('Ha"wa, Jr', "O\\Brien"), ("نور", "O\\Brien")}
    assert not DisplacedPerson.objects.filter(given_name="Sara", family_name="Deng").exists()
