"""The bulk import API, as a partner's system uses it: upload, poll, report, commit."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import DisplacedPerson, ImportRow, ImportStatus, RegistryImport
from cases.registry.imports import services
from cases.registry.imports.commit import registry_import_commit
from cases.registry.imports.dry_run import registry_import_dry_run
from tests import factories
from tests.factories import register_household
from tests.imports.files import bad_and_duplicate_rows, csv_bytes, good_rows, uploaded_import

pytestmark = pytest.mark.django_db

URL = "/api/v1/registry-imports/"


def _upload(client: Any, site: Any, data: bytes, name: str = "arrivals.csv") -> Any:
    return client.post(
        URL, {"site": site.pk, "file": SimpleUploadedFile(name, data)}, format="multipart"
    )


def test_a_partner_system_uploads_polls_reads_the_report_and_commits(
    client_for: Any, agency: Any, site: Any, officer: Any
) -> None:
    existing = register_household(actor=officer, site=site).members[0]
    partner = factories.UserFactory(agency=agency, role="partner_api")
    client = client_for(partner)

    answer = _upload(client, site, csv_bytes(good_rows() + bad_and_duplicate_rows()))

    assert answer.status_code == 201, answer.json()
    job_id = answer.json()["id"]
    assert answer.json()["status"] == ImportStatus.VALIDATING
    assert registry_import_dry_run(import_id=job_id)
    polled = client.get(f"{URL}{job_id}/").json()
    assert polled["status"] == ImportStatus.VALIDATED
    assert polled["progress_percent"] == 100
    assert polled["rows"]["accepted"] == 3
    report = client.get(f"{URL}{job_id}/report/", {"status": "refused"}).json()
    assert [(r["row"], list(r["errors"])) for r in report["rows"]] == [(5, ["sex"])]
    held = client.get(f"{URL}{job_id}/report/", {"status": "duplicate"}).json()["rows"]
    assert held[0]["duplicates"][0]["registration_number"] == existing.registration_number

    assert client.post(f"{URL}{job_id}/commit/").status_code == 200
    assert registry_import_commit(import_id=job_id)
    done = client.get(f"{URL}{job_id}/").json()
    assert done["status"] == ImportStatus.DONE and done["rows_imported"] == 3
    imported = client.get(f"{URL}{job_id}/report/", {"status": "imported"}).json()["rows"]
    numbers = {r["registration_number"] for r in imported}
    assert numbers == set(
        DisplacedPerson.objects.exclude(pk=existing.pk).values_list(
            "registration_number", flat=True
        )
    )


def test_another_agencys_import_is_not_found(
    client_for: Any, site: Any, officer: Any, other_officer: Any
) -> None:
    job = uploaded_import(officer=officer, site=site)
    client = client_for(other_officer)

    assert client.get(f"{URL}{job.pk}/").status_code == 404
    assert client.get(f"{URL}{job.pk}/report/").status_code == 404
    assert client.post(f"{URL}{job.pk}/commit/").status_code == 404
    assert client.get(URL).json()["results"] == []
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED


def test_a_site_the_agency_does_not_work_in_is_refused(
    client_for: Any, officer: Any, other_site: Any
) -> None:
    answer = _upload(client_for(officer), other_site, csv_bytes(good_rows()))

    assert answer.status_code == 400
    assert "site" in answer.json()
    assert not RegistryImport.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("people.txt", b"x", "Upload a CSV or XLSX file."),
        ("people.csv", b"given_name\nAmina\n", "The file has no column for"),
    ],
)
def test_a_bad_file_is_a_clear_400_and_nothing_is_written(
    client_for: Any, officer: Any, site: Any, name: str, data: bytes, message: str
) -> None:
    answer = _upload(client_for(officer), site, data, name)

    assert answer.status_code == 400
    assert message in " ".join(answer.json()["file"])
    assert not RegistryImport.objects.exists() and not ImportRow.objects.exists()


def test_a_mapping_names_the_columns_of_a_partners_own_file(
    client_for: Any, officer: Any, site: Any
) -> None:
    headers = [
        "Menage",
        "Lien",
        "Prenom",
        "Nom",
        "Sexe",
        "Naissance",
        "Statut",
        "Nat",
        "Consentement",
        "Par",
        "Besoins",
    ]
    mapping = (
        '{"Menage": "household_ref", "Lien": "relationship_to_head", "Prenom": "given_name",'
        ' "Nom": "family_name", "Sexe": "sex", "Naissance": "date_of_birth",'
        ' "Statut": "displacement_status", "Nat": "nationality",'
        ' "Consentement": "consent_date", "Par": "consent_given_by",'
        ' "Besoins": "specific_needs"}'
    )
    answer = client_for(officer).post(
        URL,
        {
            "site": site.pk,
            "file": SimpleUploadedFile("f.csv", csv_bytes(good_rows(), headers)),
            "mapping": mapping,
        },
        format="multipart",
    )

    assert answer.status_code == 201, answer.json()
    assert registry_import_dry_run(import_id=answer.json()["id"])
    assert RegistryImport.objects.get().rows.filter(status="accepted").count() == 3


def test_the_list_answers_in_a_fixed_number_of_queries(
    client_for: Any, officer: Any, site: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(3):
        uploaded_import(officer=officer, site=site)
    client = client_for(officer)
    with django_assert_max_num_queries(12):
        answer = client.get(URL)
    assert len(answer.json()["results"]) == 3


def test_a_json_upload_with_content_that_is_not_base64_writes_nothing(
    client_for: Any, officer: Any, site: Any
) -> None:
    answer = client_for(officer).post(
        URL, {"site": site.pk, "file_name": "f.csv", "content": "not base64!"}, format="json"
    )

    assert answer.status_code == 400
    assert answer.json()["content"] == ["This is not base64."]
    assert not RegistryImport.objects.exists()


def _held_job(officer: Any, site: Any) -> tuple[RegistryImport, Any]:
    existing = register_household(actor=officer, site=site).members[0]
    job = services.registry_import_upload(
        actor=officer,
        site=site,
        file_name="arrivals.csv",
        data=csv_bytes(good_rows() + bad_and_duplicate_rows()),
    )
    services.registry_import_dry_run_start(actor=officer, registry_import=job)
    assert registry_import_dry_run(import_id=job.pk)
    return job, existing


@pytest.mark.django_db(transaction=True)
def test_an_officer_registers_a_held_row_anyway_once_and_discards_with_a_reason(
    client_for: Any, officer: Any, site: Any
) -> None:
    job, existing = _held_job(officer, site)
    client = client_for(officer)
    held = client.get(f"{URL}{job.pk}/report/", {"status": "duplicate"}).json()["rows"]
    assert [(r["row"], r["duplicates"][0]["person"]) for r in held] == [(6, existing.pk)]

    first = client.post(f"{URL}{job.pk}/rows/6/release/")
    again = client.post(f"{URL}{job.pk}/rows/6/release/")

    assert first.status_code == 200, first.json()
    assert first.json()["status"] == "imported" and first.json()["reviewed_at"]
    assert again.json() == first.json()
    assert DisplacedPerson.objects.filter(given_name="Amina").count() == 2
    number = first.json()["registration_number"]
    assert DisplacedPerson.objects.get(registration_number=number).site == site
    refused = client.post(f"{URL}{job.pk}/rows/5/discard/", {"reason": "x"}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"row": ["Row 5 is not held for review."]}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("rows/6/discard/", {}, "reason"),
        ("rows/6/discard/", {"reason": "x" * 301}, "reason"),
        ("rows/99/release/", {}, "row"),
    ],
)
def test_a_bad_decision_is_a_specific_400_and_nothing_changes(
    client_for: Any, officer: Any, site: Any, path: str, body: dict[str, str], field: str
) -> None:
    job, _existing = _held_job(officer, site)

    answer = client_for(officer).post(f"{URL}{job.pk}/{path}", body, format="json")

    assert answer.status_code == 400
    assert list(answer.json()) == [field]
    assert job.rows.get(row_number=6).status == "duplicate"


@pytest.mark.django_db(transaction=True)
def test_another_agency_cannot_see_or_decide_on_held_rows_and_a_partner_may_not_decide(
    client_for: Any, agency: Any, officer: Any, other_officer: Any, site: Any
) -> None:
    job, _existing = _held_job(officer, site)
    other = client_for(other_officer)
    assert other.post(f"{URL}{job.pk}/rows/6/release/").status_code == 404
    assert other.post(f"{URL}{job.pk}/rows/6/discard/", {"reason": "x"}).status_code == 404
    partner = client_for(factories.UserFactory(agency=agency, role="partner_api"))
    assert partner.post(f"{URL}{job.pk}/rows/6/release/").status_code == 403
    assert job.rows.get(row_number=6).status == "duplicate"
